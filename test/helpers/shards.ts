import { env } from "cloudflare:workers";
import { createControlDb, createDb, type Db } from "../../src/db/client";
import { shardBinding } from "../../src/shards/bindings";
import { d1Runner } from "../../src/shards/d1-runner";
import { readDirectory } from "../../src/shards/directory";
import type { MoveDeps } from "../../src/shards/move";

/**
 * Shards in tests. Most suites work with one account at a time: `createAccount()` (helpers/accounts.ts) makes the
 * new account's shard the *current shard*, which `db()`, `shardD1()` and `testDeps()` use. Suites with accounts on
 * several shards name the account instead (`accountD1`, `accountDb`).
 */
let current = 0;

export function setCurrentShard(shard: number) {
  current = shard;
}

/** The raw D1 binding of the current shard (the last created account's). */
export function shardD1(): D1Database {
  return shardBinding(env, current);
}

/** The control plane (accounts, API keys, directory). */
export const controlDb = () => createControlDb(env.DB);

/** The shard number the directory gives an account. */
export async function shardOf(accountId: string): Promise<number> {
  const entry = await readDirectory(controlDb(), accountId);
  if (!entry) throw new Error(`account ${accountId} has no directory entry`);
  return entry.shard;
}

/** The raw D1 binding of an account's shard. */
export async function accountD1(accountId: string): Promise<D1Database> {
  return shardBinding(env, await shardOf(accountId));
}

/** Drizzle over an account's shard. */
export async function accountDb(accountId: string): Promise<Db> {
  return createDb(await accountD1(accountId));
}

/** An account move between the test pool's two shards, at once: no sleeps, no directory cache, no queue delay. */
export function moveDeps(overrides: Partial<MoveDeps> = {}): MoveDeps {
  return {
    control: d1Runner(env.DB),
    shard: (n) => d1Runner(shardBinding(env, n)),
    shards: 2,
    now: () => Date.now(),
    sleep: async () => {},
    directoryCacheMs: 0,
    queueDelayMs: 0,
    ...overrides,
  };
}
