import { env } from "cloudflare:workers";
import { newAccount, newKey } from "../../src/accounts/provision";
import { shardBinding, shardCount } from "../../src/shards/bindings";
import { accountsPerShard } from "../../src/shards/directory";
import { chooseShard } from "../../src/shards/placement";
import type { Statement } from "../../src/shards/sql-runner";
import { controlDb, setCurrentShard } from "./shards";

/** Runs statements as one batch on `d1` (default: the control plane, where keys live). */
export async function run(statements: Statement[], d1: D1Database = env.DB) {
  await d1.batch(statements.map((s) => d1.prepare(s.sql).bind(...s.params)));
}

export interface TestAccount {
  accountId: string;
  apiKey: string;
  apiSecret: string;
  signingSecret: string;
  /** The shard the directory placed it on (by the production rule: the least loaded). */
  shard: number;
  headers: Record<string, string>;
}

/**
 * A fresh account with one key, created through the same statements and placement rule the CLI uses. It becomes the
 * current shard of helpers/shards.ts. `shard` pins the placement (for cross-shard tests).
 */
export async function createAccount(name = "Test account", opts: { shard?: number } = {}): Promise<TestAccount> {
  const a = await newAccount(name, Date.now());
  const shard = opts.shard ?? chooseShard(await accountsPerShard(controlDb(), shardCount(env)));
  await run(a.shardStatements, shardBinding(env, shard));
  await run(a.controlStatements(shard));
  setCurrentShard(shard);
  return {
    accountId: a.account_id,
    apiKey: a.api_key,
    apiSecret: a.api_secret,
    signingSecret: a.signing_secret,
    shard,
    headers: { "X-API-Key": a.api_key, "X-API-Secret": a.api_secret },
  };
}

export async function addKey(accountId: string) {
  const k = await newKey(accountId, Date.now());
  await run(k.statements);
  return {
    apiKey: k.api_key,
    apiSecret: k.api_secret,
    headers: { "X-API-Key": k.api_key, "X-API-Secret": k.api_secret },
  };
}
