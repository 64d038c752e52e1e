import { existsSync } from "node:fs";
import { relative } from "node:path";
import { inlineStatement } from "../../src/accounts/provision";
import { chooseShard, countsByShard } from "../../src/shards/placement";
import type { Statement } from "../../src/shards/sql-runner";
import { DEMO } from "./demo-account";
import {
  applyMigrations,
  DEFAULT_PERSIST_TO,
  inTransaction,
  type LocalDatabase,
  localDatabases,
  openLocal,
  pendingMigrations,
} from "./local-d1";
import { operatorKeyring } from "./master-key";
import { adoptionStatements } from "./shards";

/**
 * `npm start`'s preparation of the local D1, in this one process: every database's pending migrations, the adoption
 * of a pre-sharding SHARD_0 (as `npm run db:migrate` does), then the demo account and its history (idempotent:
 * existing rows are kept, new slots added) — unless the demo account is there already and `reseed` is not asked
 * (a restart then does no work before `wrangler dev`). Each step reports what it does through `progress`.
 */
export async function prepareLocalD1(
  opts: { persistTo?: string; now?: number; reseed?: boolean; progress?: (line: string) => void } = {},
): Promise<{ shard: number; logs: number | null; migrations: number }> {
  const persistTo = opts.persistTo ?? DEFAULT_PERSIST_TO;
  const progress = opts.progress ?? (() => {});
  const dbs = localDatabases(persistTo);
  const [control, ...shards] = dbs;
  if (control?.binding !== "DB" || shards.length === 0) {
    throw new Error("wrangler.toml must declare the control plane (DB) and at least one SHARD_<n> D1 database");
  }
  const pending = await Promise.all(dbs.map(pendingMigrations));
  const todo = dbs.map((db, i) => ({ db, names: pending[i] as string[] })).filter((t) => t.names.length > 0);
  const where = relative(process.cwd(), persistTo) || ".";
  if (todo.length === 0) progress(`Local D1 (${where}): ${dbs.length} databases, no migration pending.`);
  let adopted = false;
  for (const [i, { db, names }] of todo.entries()) {
    // Adoption reads SHARD_0 before its own migrations drop the legacy tables (README "Upgrading to shards").
    if (db.binding !== "DB" && !adopted) {
      adopted = true;
      await adoptLegacyShard(control, shards[0] as LocalDatabase, progress);
    }
    progress(`Applying ${plural(names.length, "migration")} to ${db.binding} (${i + 1}/${todo.length})…`);
    await applyMigrations(db, names);
  }

  const migrations = todo.reduce((n, t) => n + t.names.length, 0);
  const controlDb = await openLocal(control);
  try {
    const shard = placement(controlDb, DEMO.account_id, shards.length);
    if (!opts.reseed && (await demoSeeded(controlDb, shards[shard] as LocalDatabase))) {
      progress(`Demo account already seeded on SHARD_${shard}.`);
      return { shard, logs: null, migrations };
    }
    // Loaded only to seed: it pulls in much of src/.
    const { demoSeedSql } = await import("./demo");
    // Sealed with the local key of .dev.vars, which the local Worker reads too.
    const { account, sql, logs } = await demoSeedSql(opts.now ?? Date.now(), operatorKeyring({ remote: false }));
    progress(
      `Seeding the demo account on SHARD_${shard}: ${logs.toLocaleString("en")} history rows (existing ones kept)…`,
    );
    // The account's shard rows and history first, then its directory entry and key (as provisionAccount orders them).
    const shardDb = await openLocal(shards[shard] as LocalDatabase);
    try {
      inTransaction(shardDb, () => shardDb.exec(sql));
    } finally {
      shardDb.close();
    }
    inTransaction(controlDb, () => controlDb.exec(script(account.controlStatements(shard))));
    return { shard, logs, migrations };
  } finally {
    controlDb.close();
  }
}

/** The demo account is in the directory and on its shard (what a seed writes first). */
async function demoSeeded(controlDb: import("node:sqlite").DatabaseSync, shard: LocalDatabase): Promise<boolean> {
  const listed = controlDb.prepare("SELECT 1 FROM account_shards WHERE account_id = ?").get(DEMO.account_id);
  if (!listed || !existsSync(shard.file)) return false;
  const db = await openLocal(shard, { readOnly: true });
  try {
    return db.prepare("SELECT 1 FROM accounts WHERE id = ?").get(DEMO.account_id) !== undefined;
  } finally {
    db.close();
  }
}

const plural = (n: number, noun: string) => `${n.toLocaleString("en")} ${noun}${n === 1 ? "" : "s"}`;

const script = (statements: Statement[]) => statements.map((s) => `${inlineStatement(s)};`).join("\n");

/** The directory's shard for the account, else where a new account goes (src/shards/directory.ts's rule). */
function placement(controlDb: import("node:sqlite").DatabaseSync, accountId: string, shards: number): number {
  const known = controlDb.prepare("SELECT shard FROM account_shards WHERE account_id = ?").get(accountId) as
    | { shard: number }
    | undefined;
  if (known) return known.shard;
  const rows = controlDb.prepare("SELECT shard, count(*) AS n FROM account_shards GROUP BY shard").all() as Array<{
    shard: number;
    n: number;
  }>;
  return chooseShard(countsByShard(rows, shards));
}

/** A SHARD_0 from before sharding (it still has api_keys): its accounts and keys join the control plane. */
async function adoptLegacyShard(control: LocalDatabase, shard0: LocalDatabase, progress: (line: string) => void) {
  if (!existsSync(shard0.file)) return;
  const legacy = await openLocal(shard0, { readOnly: true });
  let accounts: Array<{ id: string; name: string; created_at: number }> = [];
  let keys: Array<Record<string, string | number | null>> = [];
  try {
    if (!legacy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'api_keys'").get()) return;
    accounts = legacy.prepare("SELECT id, name, created_at FROM accounts").all() as typeof accounts;
    keys = legacy.prepare("SELECT * FROM api_keys").all() as typeof keys;
  } finally {
    legacy.close();
  }
  progress(
    `Adopting ${plural(accounts.length, "account")} and ${plural(keys.length, "API key")} of a pre-sharding SHARD_0…`,
  );
  const db = await openLocal(control);
  try {
    inTransaction(db, () => db.exec(script(adoptionStatements(accounts, keys, Date.now()))));
  } finally {
    db.close();
  }
}
