import { readFileSync } from "node:fs";
import { inlineStatement } from "../../src/accounts/provision";
import { chooseShard, countsByShard } from "../../src/shards/placement";
import type { SqlRunner, Statement } from "../../src/shards/sql-runner";
import { applyMigrations, CONTROL, type Database, execute, executeStatements, type Target } from "./d1";

/**
 * The operator's view of the shards: which SHARD_n bindings wrangler.toml declares, migrations for all of them, where
 * an account lives, where a new one goes, and the one-time adoption of a database from before sharding.
 */

/** SHARD_0 … SHARD_{N-1} as wrangler.toml declares them (the Worker counts the same bindings at run time). */
export function shardDatabases(
  config = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8"),
): Database[] {
  const numbers = [...config.matchAll(/^\s*binding\s*=\s*"SHARD_(\d+)"/gm)].map((m) => Number(m[1]));
  const n = numbers.length;
  // The Worker uses consecutive numbers from 0; a gap would strand the shards after it.
  for (let i = 0; i < n; i++) if (!numbers.includes(i)) throw new Error(`wrangler.toml declares no SHARD_${i}`);
  return Array.from({ length: n }, (_, i) => `SHARD_${i}`);
}

export const shardDatabase = (shard: number): Database => `SHARD_${shard}`;

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The shard the directory gives an account, or null for an account it does not know. */
export function shardOfAccount(target: Target, accountId: string): number | null {
  const [row] = execute<{ shard: number }>(
    target,
    `SELECT shard FROM account_shards WHERE account_id = ${quote(accountId)}`,
  );
  return row ? row.shard : null;
}

/** Where a new account goes: the rule of src/shards/directory.ts over the directory's counts. */
export function placeNewAccount(target: Target): number {
  const rows = execute<{ shard: number; n: number }>(
    target,
    "SELECT shard, count(*) AS n FROM account_shards GROUP BY shard",
  );
  const perShard = countsByShard(rows, shardDatabases().length);
  return chooseShard(perShard);
}

/** Provisions an account: its shard's rows first, then the control plane's (account, directory entry, key). */
export function provisionAccount(
  target: Target,
  account: { account_id: string; shardStatements: Statement[]; controlStatements(shard: number): Statement[] },
): number {
  const shard = shardOfAccount(target, account.account_id) ?? placeNewAccount(target);
  executeStatements(target, account.shardStatements, shardDatabase(shard));
  executeStatements(target, account.controlStatements(shard));
  return shard;
}

/**
 * A database from before sharding becomes SHARD_0 (README, "Upgrading to shards"): its accounts and API keys are
 * copied into the control plane, each account entered in the directory on shard 0. Runs before the shard
 * migrations, the last of which drops the shard's api_keys table; idempotent, and a no-op once that table is gone.
 */
export function adoptSingleDatabase(target: Target): { accounts: number; keys: number } {
  const legacy = shardDatabase(0);
  const hasKeys =
    execute(target, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'api_keys'", legacy).length === 1;
  if (!hasKeys) return { accounts: 0, keys: 0 };
  const accounts = execute<{ id: string; name: string; created_at: number }>(
    target,
    "SELECT id, name, created_at FROM accounts",
    legacy,
  );
  const keys = execute<Record<string, string | number | null>>(target, "SELECT * FROM api_keys", legacy);
  const statements = adoptionStatements(accounts, keys, Date.now());
  for (let i = 0; i < statements.length; i += 500) {
    executeStatements(target, statements.slice(i, i + 500));
  }
  return { accounts: accounts.length, keys: keys.length };
}

/** The control plane's rows for a pre-sharding database's accounts and keys: each account on shard 0, idempotent. */
export function adoptionStatements(
  accounts: Array<{ id: string; name: string; created_at: number }>,
  keys: Array<Record<string, string | number | null>>,
  now: number,
): Statement[] {
  const statements: Statement[] = [];
  for (const a of accounts) {
    statements.push(
      {
        sql: "INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
        params: [a.id, a.name, a.created_at],
      },
      {
        sql: "INSERT INTO account_shards (account_id, shard, state, updated_at) VALUES (?, 0, 'active', ?) ON CONFLICT(account_id) DO NOTHING",
        params: [a.id, now],
      },
    );
  }
  for (const k of keys) {
    const cols = Object.keys(k);
    statements.push({
      sql: `INSERT INTO api_keys (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) ON CONFLICT(id) DO NOTHING`,
      params: cols.map((c) => k[c] ?? null),
    });
  }
  return statements;
}

/**
 * `npm run db:migrate`: the control plane, the adoption of a pre-sharding database (if SHARD_0 is one), then every
 * shard — each database through `wrangler d1 migrations apply` with its own migrations folder.
 */
export function migrateAll(target: Target): { shards: number; adopted: { accounts: number; keys: number } } {
  applyMigrations(target, CONTROL);
  const shards = shardDatabases();
  // Adoption reads SHARD_0's legacy tables, which only an existing database has: a fresh one has no tables yet.
  const adopted = adoptSingleDatabase(target);
  for (const db of shards) applyMigrations(target, db);
  return { shards: shards.length, adopted };
}

/** A SqlRunner over `wrangler d1 execute` (one wrangler process per call: chunks keep calls few). */
export function wranglerRunner(target: Target, database: Database): SqlRunner {
  return {
    async all<T>(s: Statement) {
      return execute<T>(target, inlineStatement(s), database);
    },
    async batch(statements: Statement[]) {
      if (statements.length > 0) executeStatements(target, statements, database);
    },
  };
}

/** A `[vars]` value of wrangler.toml (the operator's view of the deployed configuration). */
export function wranglerVar(
  name: string,
  config = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8"),
) {
  return new RegExp(`^\\s*${name}\\s*=\\s*"([^"]*)"`, "m").exec(config)?.[1];
}
