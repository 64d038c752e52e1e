/**
 * Bench accounts in the sharded layout: the control plane gets the account, its directory entry and its API key
 * (newAccount's controlStatements), the account's shard gets its own account row (shardStatements) — the same
 * statements `npm run cli` and the tests provision with, run through node:sqlite on the bench's files.
 */
import type { DatabaseSync } from "node:sqlite";
import { type NewAccount, newAccount } from "../../src/accounts/provision";
import { type BenchAccount, controlFile, openDb } from "./common";

/** Runs fn on the control plane: the given connection, or the bench state's file in a transaction of its own. */
function onControl<T>(control: DatabaseSync | undefined, fn: (db: DatabaseSync) => T): T {
  if (control) return fn(control);
  const db = openDb(controlFile());
  try {
    db.exec("BEGIN");
    const out = fn(db);
    db.exec("COMMIT");
    return out;
  } catch (e) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw e;
  } finally {
    db.close();
  }
}

/**
 * `n` accounts named `<label> 001…`, created at `at` (epoch ms), on shard `shard` (default 0): shard rows into `db`
 * (an open connection to that shard's file, typically in a transaction), control-plane rows into `control` or the
 * bench state's control file.
 */
export async function insertAccounts(
  db: DatabaseSync,
  n: number,
  label: string,
  at: number,
  opts: { shard?: number; control?: DatabaseSync } = {},
): Promise<BenchAccount[]> {
  const shard = opts.shard ?? 0;
  const made: NewAccount[] = [];
  for (let a = 0; a < n; a++) made.push(await newAccount(`${label} ${String(a + 1).padStart(3, "0")}`, at));
  for (const acc of made) for (const s of acc.shardStatements) db.prepare(s.sql).run(...s.params);
  onControl(opts.control, (control) => {
    for (const acc of made) for (const s of acc.controlStatements(shard)) control.prepare(s.sql).run(...s.params);
  });
  return made.map((acc) => ({ account_id: acc.account_id, api_key: acc.api_key, api_secret: acc.api_secret }));
}

/**
 * Removes the accounts named `<label> …` (a previous run's) from the shard open in `db` — their jobs, logs, log
 * counts and run ledger, in either log layout (execution_logs + log_counts tables, or compact logs + log_day_counts
 * behind an execution_logs view) — and from the control plane (keys, directory entries, accounts).
 */
export function removeAccounts(db: DatabaseSync, label: string, opts: { control?: DatabaseSync } = {}) {
  const like = `${label.replace(/'/g, "''")} %`;
  const ids = (db.prepare("SELECT id FROM accounts WHERE name LIKE ?").all(like) as Array<{ id: string }>).map(
    (r) => r.id,
  );
  if (ids.length === 0) return;
  const inList = `(SELECT value FROM json_each(?))`;
  const json = JSON.stringify(ids);
  const tables = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map(
      (r) => r.name,
    ),
  );
  if (tables.has("logs")) {
    // Compact log storage: logs and their day counts are keyed by the account's and job's integer numbers.
    db.prepare(`DELETE FROM logs WHERE account IN (SELECT num FROM accounts WHERE id IN ${inList})`).run(json);
    db.prepare(`DELETE FROM log_day_counts WHERE job IN (SELECT num FROM cron_jobs WHERE account_id IN ${inList})`).run(
      json,
    );
  }
  // The run ledger keyed by job numbers (migration 0028): remove it through the accounts' jobs, before the jobs go.
  const runsKeyed = tables.has("runs_v1");
  if (runsKeyed) {
    db.prepare(`DELETE FROM runs WHERE job IN (SELECT num FROM cron_jobs WHERE account_id IN ${inList})`).run(json);
  }
  for (const table of [
    "execution_logs",
    "log_counts",
    "outbox",
    ...(runsKeyed ? ["runs_v1"] : ["runs"]),
    "alert_deliveries",
    "alert_email_recipients",
    "idempotency_keys",
    "retired_signing_secrets",
    "cron_jobs",
  ]) {
    if (tables.has(table)) db.prepare(`DELETE FROM ${table} WHERE account_id IN ${inList}`).run(json);
  }
  db.prepare(`DELETE FROM accounts WHERE id IN ${inList}`).run(json);
  onControl(opts.control, (control) => {
    for (const table of ["api_keys", "account_shards"]) {
      control.prepare(`DELETE FROM ${table} WHERE account_id IN ${inList}`).run(json);
    }
    control.prepare(`DELETE FROM accounts WHERE id IN ${inList}`).run(json);
  });
}
