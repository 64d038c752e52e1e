import { getTableName } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import {
  accounts,
  alertEmailRecipients,
  calendars,
  confirmationSends,
  cronJobs,
  deliveries,
  idempotencyKeys,
  logs,
  maintenanceWindows,
  monitorPings,
  monitors,
  outbox,
  retiredSigningSecrets,
  runs,
  runsV1,
} from "../db/schema";
import type { SqlRunner, Statement } from "./sql-runner";

/**
 * Moving an account between shards (`npm run cli -- account:move`): in bounded chunks, resumable, fenced.
 *
 * 1. **Fence.** Directory `moving`, source account row `fenced_at`: the claim and lease statements then skip the
 *    account (src/engine/fence.ts), API writes answer 503, run messages wait (src/engine/route-runs.ts).
 * 2. **Quiesce.** Wait out DIRECTORY_CACHE_SECONDS, then until no attempt holds a live lease on the source.
 * 3. **Copy** every table in primary-key order, ON CONFLICT DO NOTHING, so a rerun continues. The target assigns
 *    `num`s; logs go through the `execution_logs` view (ids → target numbers); its insert trigger rebuilds
 *    the daily counts.
 * 4. **Verify** that the target holds exactly the source's rows and logs per job; otherwise stop, still fenced.
 * 5. **Flip.** Unfence the target, then point the directory at it (source kept in `move_shard`); queued runs
 *    resolve their shard at consume time, so they run on the target.
 * 6. **Remove the source copy** after the caches and the queue's redelivery delay have passed; clear `move_shard`.
 *
 * Nothing runs twice (the source stops before the copy, the target waits for the flip); nothing is lost
 * (verified before the flip).
 */

/** Seconds whatever meets a move's fence waits: run messages, refused leases, API writes (Retry-After). */
export const MOVING_RETRY_SECONDS = 30;

export interface MoveDeps {
  control: SqlRunner;
  shard(n: number): SqlRunner;
  shards: number;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** DIRECTORY_CACHE_SECONDS in ms: how long an isolate may act on a directory entry it read. */
  directoryCacheMs: number;
  /** The longest delay a waiting run message is retried with (src/engine/route-runs.ts), in ms. */
  queueDelayMs: number;
  /** Rows per copy or delete chunk (a chunk is one read and one batch). */
  chunk?: number;
  /** Progress lines for the operator. */
  log?(line: string): void;
}

export interface MoveReport {
  account: string;
  from: number;
  to: number;
  copied: Record<string, number>;
  removed: Record<string, number>;
  /** Logs of the account on its new shard once the move is complete. */
  logs: number;
}

export class MoveError extends Error {}

/** The account's tables, copied in this order (parents before children) and removed in the reverse order. */
interface TableSpec {
  table: string;
  /** Primary-key columns: the keyset order of chunks. */
  key: string[];
  /** SQL condition selecting the account's rows; `?` is the account id. */
  where: string;
  /** Where rows are counted when that is not `table` itself (logs: through their view, which names the account). */
  via?: string;
}

/** A table's entry, its names read from the drizzle schema (src/db/schema.ts) so a rename cannot leave it behind. */
const spec = (table: SQLiteTable, key: SQLiteColumn[], where: string, via?: string): TableSpec => ({
  table: getTableName(table),
  key: key.map((c) => c.name),
  where,
  ...(via === undefined ? {} : { via }),
});

const TABLES: TableSpec[] = [
  spec(accounts, [accounts.id], "id = ?"),
  spec(retiredSigningSecrets, [retiredSigningSecrets.accountId, retiredSigningSecrets.secret], "account_id = ?"),
  spec(cronJobs, [cronJobs.id], "account_id = ?"),
  // Copied by copyRuns (shard-local numbers), job by job; counted and removed through the account's jobs.
  spec(runs, [runs.job, runs.slot, runs.idHi, runs.idLo], "job IN (SELECT num FROM cron_jobs WHERE account_id = ?)"),
  // The ledger's finished rows from before migration 0028, as they are (text ids), until they move or expire.
  spec(runsV1, [runsV1.id], "account_id = ?"),
  spec(outbox, [outbox.id], "account_id = ?"),
  spec(idempotencyKeys, [idempotencyKeys.accountId, idempotencyKeys.key], "account_id = ?"),
  spec(deliveries, [deliveries.id], "account_id = ?"),
  spec(alertEmailRecipients, [alertEmailRecipients.accountId, alertEmailRecipients.email], "account_id = ?"),
  spec(
    confirmationSends,
    [confirmationSends.accountId, confirmationSends.email, confirmationSends.sentAt],
    "account_id = ?",
  ),
  // Copied by copyLogs (shard-local numbers), counted through the view.
  spec(logs, [logs.executedAt, logs.slot, logs.idHi, logs.idLo], "account_id = ?", "execution_logs"),
  // The target numbers monitors itself (insert trigger); copyPings maps each ping to it by the monitor's id.
  spec(monitors, [monitors.id], "account_id = ?"),
  spec(monitorPings, [monitorPings.id], "monitor IN (SELECT num FROM monitors WHERE account_id = ?)"),
  spec(calendars, [calendars.id], "account_id = ?"),
  spec(maintenanceWindows, [maintenanceWindows.id], "account_id = ?"),
];

/** The tables a move copies (test/shards/tables.test.ts checks that every shard table is one or says why not). */
export const MOVED_TABLES: readonly string[] = TABLES.map((t) => t.table);

/** Columns a target assigns itself (shard-local numbers) and a copy therefore leaves out. */
const LOCAL_COLUMNS = new Set(["num"]);

interface Directory {
  shard: number;
  state: "active" | "moving";
  move_shard: number | null;
}

async function readDirectory(control: SqlRunner, accountId: string): Promise<Directory | undefined> {
  const [row] = await control.all<Directory>({
    sql: "SELECT shard, state, move_shard FROM account_shards WHERE account_id = ?",
    params: [accountId],
  });
  return row;
}

async function columns(db: SqlRunner, table: string): Promise<string[]> {
  const rows = await db.all<{ name: string }>({ sql: "SELECT name FROM pragma_table_info(?)", params: [table] });
  return rows.map((r) => r.name);
}

async function tableExists(db: SqlRunner, name: string): Promise<boolean> {
  const rows = await db.all({ sql: "SELECT 1 FROM sqlite_master WHERE name = ?", params: [name] });
  return rows.length > 0;
}

const keysetAfter = (key: string[]) =>
  key.length === 1 ? `${key[0]} > ?` : `(${key.join(", ")}) > (${key.map(() => "?").join(", ")})`;

/**
 * Copies the account's logs in the order of their account index (executed_at, then the id), so each chunk is one
 * index range on the source. Logs are keyed by shard-local numbers: the job's and account's numbers are looked up on
 * the target by id in the same statement. Each log's text travels as hex (any runner carries text) into the
 * target's log_bodies, codec byte included; a row the source has not migrated yet (inline text) arrives raw,
 * codec 0, so the target holds no legacy rows. `ON CONFLICT DO NOTHING` on the id keeps a rerun from copying
 * twice, and the target's insert trigger adds each new log to its hourly rollups.
 */
async function copyLogs(deps: MoveDeps, from: SqlRunner, to: SqlRunner, accountId: string) {
  if (!(await tableExists(from, "logs")) || !(await tableExists(to, "logs"))) return 0;
  const text = ["response_body", "error_message", "response_headers"];
  const cols = (await columns(from, "logs")).filter(
    (c) => c !== "job" && c !== "account" && c !== "body" && !text.includes(c),
  );
  const chunk = deps.chunk ?? 500;
  const key = ["executed_at", "slot", "id_hi", "id_lo"];
  // Stored text as hex of its codec byte and bytes; legacy inline text becomes codec 0 (x'00' then its UTF-8).
  const hexOf = (c: string) =>
    `CASE WHEN l.body IS NULL THEN CASE WHEN l.${c} IS NOT NULL THEN '00' || hex(l.${c}) END ELSE hex(b.${c}) END AS ${c}`;
  let after: Array<string | number> | null = null;
  let copied = 0;
  for (;;) {
    const rows: Array<Record<string, string | number | null>> = await from.all({
      sql: `SELECT ${cols.map((c) => `l.${c}`).join(", ")}, ${text.map(hexOf).join(", ")}, j.id AS job_id
        FROM logs l JOIN cron_jobs j ON j.num = l.job LEFT JOIN log_bodies b ON b.id = l.body
        WHERE l.account = (SELECT num FROM accounts WHERE id = ?)${after ? ` AND (l.executed_at, l.slot, l.id_hi, l.id_lo) > (?, ?, ?, ?)` : ""}
        ORDER BY l.executed_at, l.slot, l.id_hi, l.id_lo LIMIT ${chunk}`,
      params: [accountId, ...(after ?? [])],
    });
    if (rows.length === 0) break;
    await to.batch(rows.flatMap((r) => copyLogStatements(cols, text, r, accountId)));
    copied += rows.length;
    const last = rows[rows.length - 1] as Record<string, string | number>;
    after = key.map((k) => last[k] as string | number);
    if (rows.length < chunk) break;
  }
  return copied;
}

/** One log's INSERTs on the target: its text (when it has any) then the row naming it, as src/logs/store.ts does. */
function copyLogStatements(
  cols: string[],
  text: string[],
  r: Record<string, string | number | null>,
  accountId: string,
): Statement[] {
  const owners = "FROM cron_jobs j, accounts a WHERE j.id = ? AND a.id = ?";
  const hasText = text.some((c) => r[c] !== null && r[c] !== undefined);
  const missing = "NOT EXISTS (SELECT 1 FROM logs WHERE slot = ? AND id_hi = ? AND id_lo = ?)";
  const body: Statement[] = hasText
    ? [
        {
          sql: `INSERT INTO log_bodies (${text.join(", ")}) SELECT ${text.map(() => "unhex(?)").join(", ")} ${owners} AND ${missing}`,
          params: [
            ...text.map((c) => r[c] ?? null),
            r.job_id ?? null,
            accountId,
            r.slot ?? null,
            r.id_hi ?? null,
            r.id_lo ?? null,
          ],
        },
      ]
    : [];
  return [
    ...body,
    {
      sql: `INSERT INTO logs (${cols.join(", ")}, body, job, account)
        SELECT ${cols.map(() => "?").join(", ")}, ${hasText ? "last_insert_rowid()" : "0"}, j.num, a.num ${owners}
        ON CONFLICT DO NOTHING`,
      params: [...cols.map((c) => r[c] ?? null), r.job_id ?? null, accountId],
    },
  ];
}

/**
 * Copies the account's run ledger job by job, each job's rows in key order (one primary-key range on the source).
 * Rows are keyed by shard-local numbers: the job's and account's numbers are looked up on the target by id in the
 * same statement (the jobs are copied before), and `ON CONFLICT DO NOTHING` keeps a rerun from copying twice.
 */
async function copyRuns(deps: MoveDeps, from: SqlRunner, to: SqlRunner, accountId: string) {
  if (!(await tableExists(from, "runs")) || !(await tableExists(to, "runs"))) return 0;
  const cols = (await columns(from, "runs")).filter((c) => c !== "job" && c !== "account");
  const chunk = deps.chunk ?? 500;
  const jobs = await from.all<{ num: number; id: string }>({
    sql: "SELECT num, id FROM cron_jobs WHERE account_id = ? ORDER BY num",
    params: [accountId],
  });
  let copied = 0;
  for (const job of jobs) {
    let after: Array<string | number> | null = null;
    for (;;) {
      const rows: Array<Record<string, string | number | null>> = await from.all({
        sql: `SELECT ${cols.join(", ")} FROM runs WHERE job = ?${after ? " AND (slot, id_hi, id_lo) > (?, ?, ?)" : ""}
          ORDER BY slot, id_hi, id_lo LIMIT ${chunk}`,
        params: [job.num, ...(after ?? [])],
      });
      if (rows.length === 0) break;
      await to.batch(
        rows.map(
          (r): Statement => ({
            sql: `INSERT INTO runs (${cols.join(", ")}, job, account)
              SELECT ${cols.map(() => "?").join(", ")}, j.num, a.num FROM cron_jobs j, accounts a WHERE j.id = ? AND a.id = ?
              ON CONFLICT DO NOTHING`,
            params: [...cols.map((c) => r[c] ?? null), job.id, accountId],
          }),
        ),
      );
      copied += rows.length;
      const last = rows[rows.length - 1] as Record<string, string | number>;
      after = ["slot", "id_hi", "id_lo"].map((k) => last[k] as string | number);
      if (rows.length < chunk) break;
    }
  }
  return copied;
}

/**
 * Copies the account's pings monitor by monitor, each in id (arrival) order, under the target's monitor numbers and
 * new row ids. Pings have no natural key, so a rerun skips as many of a monitor's pings as the target holds: each
 * chunk is one batch, so the target always holds a prefix. Bodies travel as hex, codec byte included.
 */
async function copyPings(deps: MoveDeps, from: SqlRunner, to: SqlRunner, accountId: string) {
  if (!(await tableExists(from, "monitor_pings")) || !(await tableExists(to, "monitor_pings"))) return 0;
  const cols = ["at", "kind", "method", "exit_status", "rid", "duration_ms"];
  const chunk = deps.chunk ?? 500;
  const owned = await from.all<{ num: number; id: string }>({
    sql: "SELECT num, id FROM monitors WHERE account_id = ? ORDER BY num",
    params: [accountId],
  });
  let copied = 0;
  for (const monitor of owned) {
    const [held] = await to.all<{ n: number }>({
      sql: "SELECT count(*) AS n FROM monitor_pings WHERE monitor = (SELECT num FROM monitors WHERE id = ?)",
      params: [monitor.id],
    });
    let skip = held?.n ?? 0;
    copied += skip;
    let after = -1;
    for (;;) {
      const rows: Array<Record<string, string | number | null>> = await from.all({
        sql: `SELECT id, ${cols.join(", ")}, CASE WHEN body IS NOT NULL THEN hex(body) END AS body FROM monitor_pings WHERE monitor = ? AND id > ?
          ORDER BY id LIMIT ${chunk} OFFSET ${skip}`,
        params: [monitor.num, after],
      });
      skip = 0;
      if (rows.length === 0) break;
      await to.batch(
        rows.map(
          (r): Statement => ({
            sql: `INSERT INTO monitor_pings (monitor, ${cols.join(", ")}, body)
              SELECT num, ${cols.map(() => "?").join(", ")}, CASE WHEN ? IS NULL THEN NULL ELSE unhex(?) END FROM monitors WHERE id = ?`,
            params: [...cols.map((c) => r[c] ?? null), r.body ?? null, r.body ?? null, monitor.id],
          }),
        ),
      );
      copied += rows.length;
      after = (rows[rows.length - 1] as { id: number }).id;
      if (rows.length < chunk) break;
    }
  }
  return copied;
}

/** Copies one table's rows of the account, chunk by chunk; returns the rows read (inserted or already there). */
async function copyTable(deps: MoveDeps, spec: TableSpec, from: SqlRunner, to: SqlRunner, accountId: string) {
  if (spec.table === "logs") return copyLogs(deps, from, to, accountId);
  if (spec.table === "runs") return copyRuns(deps, from, to, accountId);
  if (spec.table === "monitor_pings") return copyPings(deps, from, to, accountId);
  const name = spec.table;
  if (!(await tableExists(from, name)) || !(await tableExists(to, name))) return 0;
  const targetColumns = new Set(await columns(to, name));
  const cols = (await columns(from, name)).filter((c) => targetColumns.has(c) && !LOCAL_COLUMNS.has(c));
  const chunk = deps.chunk ?? 500;
  let after: unknown[] | null = null;
  let copied = 0;
  for (;;) {
    const rows: Array<Record<string, string | number | null>> = await from.all({
      sql: `SELECT ${cols.join(", ")} FROM ${name} WHERE ${spec.where}${after ? ` AND ${keysetAfter(spec.key)}` : ""} ORDER BY ${spec.key.join(", ")} LIMIT ${chunk}`,
      params: [accountId, ...((after ?? []) as Array<string | number>)],
    });
    if (rows.length === 0) break;
    await to.batch(
      rows.map(
        (r): Statement => ({
          // One row per statement: D1 binds at most 100 parameters per statement.
          sql: `INSERT INTO ${name} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING`,
          params: cols.map((c) => r[c] ?? null),
        }),
      ),
    );
    copied += rows.length;
    const last = rows[rows.length - 1] as Record<string, string | number | null>;
    after = spec.key.map((k) => last[k]);
    if (rows.length < chunk) break;
  }
  return copied;
}

/** Logs per job of the account in one shard (through the view, by job id: numbers differ between shards). */
async function logsPerJob(db: SqlRunner, accountId: string): Promise<Map<string, number>> {
  const rows = await db.all<{ cron_job_id: string; n: number }>({
    sql: "SELECT cron_job_id, count(*) AS n FROM execution_logs WHERE account_id = ? GROUP BY cron_job_id",
    params: [accountId],
  });
  return new Map(rows.map((r) => [r.cron_job_id, r.n]));
}

async function countRows(db: SqlRunner, spec: TableSpec, accountId: string): Promise<number> {
  const name = spec.via ?? spec.table;
  if (!(await tableExists(db, name))) return 0;
  const [row] = await db.all<{ n: number }>({
    sql: `SELECT count(*) AS n FROM ${name} WHERE ${spec.where}`,
    params: [accountId],
  });
  return row?.n ?? 0;
}

/** Deletes the account's rows of one table from a shard, `chunk` rows per statement. */
async function removeTable(deps: MoveDeps, spec: TableSpec, db: SqlRunner, accountId: string): Promise<number> {
  if (!(await tableExists(db, spec.table))) return 0;
  const chunk = deps.chunk ?? 500;
  const statements: Statement[] = [];
  if (spec.table === "logs") {
    // Logs are keyed by shard-local numbers: select them through the account's number. Their text goes first,
    // named by the same chunk (one transaction, the same rows).
    const inChunk = `(slot, id_hi, id_lo) IN (SELECT slot, id_hi, id_lo FROM logs WHERE account = (SELECT num FROM accounts WHERE id = ?) LIMIT ${chunk})`;
    statements.push(
      {
        sql: `DELETE FROM log_bodies WHERE id IN (SELECT body FROM logs WHERE ${inChunk} AND body > 0)`,
        params: [accountId],
      },
      { sql: `DELETE FROM logs WHERE ${inChunk}`, params: [accountId] },
    );
  } else {
    const key = spec.key.join(", ");
    statements.push({
      sql: `DELETE FROM ${spec.table} WHERE (${key}) IN (SELECT ${key} FROM ${spec.table} WHERE ${spec.where} LIMIT ${chunk})`,
      params: [accountId],
    });
  }
  const exists: Statement =
    spec.table === "logs"
      ? {
          sql: "SELECT 1 FROM logs WHERE account = (SELECT num FROM accounts WHERE id = ?) LIMIT 1",
          params: [accountId],
        }
      : { sql: `SELECT 1 FROM ${spec.table} WHERE ${spec.where} LIMIT 1`, params: [accountId] };
  const total = await countRows(db, spec, accountId);
  // One chunk per statement until none is left; each check is one index probe.
  for (let rounds = 0; (await db.all(exists)).length > 0; rounds++) {
    if (rounds > total / chunk + 10) throw new MoveError(`could not remove ${spec.table} rows of ${accountId}`);
    await db.batch(statements);
  }
  return total;
}

/**
 * Moves `accountId` to shard `to` (see the module comment for the protocol). Safe to run again after any failure:
 * it resumes from the directory's state. Throws MoveError for a request it refuses.
 */
export async function moveAccount(deps: MoveDeps, accountId: string, to: number): Promise<MoveReport> {
  const log = deps.log ?? (() => {});
  if (!Number.isInteger(to) || to < 0 || to >= deps.shards) {
    throw new MoveError(`--to must be a shard from 0 to ${deps.shards - 1}`);
  }
  let dir = await readDirectory(deps.control, accountId);
  if (!dir) throw new MoveError(`no account ${accountId} in the directory`);
  const report: MoveReport = { account: accountId, from: dir.shard, to, copied: {}, removed: {}, logs: 0 };

  if (dir.state === "moving" && dir.move_shard !== to) {
    throw new MoveError(`account ${accountId} is already being moved to shard ${dir.move_shard}; finish that first`);
  }
  if (dir.state === "active" && dir.shard === to && dir.move_shard === null) {
    log(`account ${accountId} is already on shard ${to}`);
    return report;
  }

  if (dir.state === "active" && dir.shard !== to) {
    if (dir.move_shard !== null) {
      throw new MoveError(
        `shard ${dir.move_shard} still holds a copy of ${accountId} from an earlier move; rerun that move first`,
      );
    }
    // 1. Fence: the directory first (API writes and consumers stop), then the source's row (ticks and leases stop).
    await deps.control.batch([
      {
        sql: "UPDATE account_shards SET state = 'moving', move_shard = ?, updated_at = ? WHERE account_id = ? AND state = 'active'",
        params: [to, deps.now(), accountId],
      },
    ]);
    dir = { ...dir, state: "moving", move_shard: to };
    log(`fenced ${accountId} on shard ${dir.shard}`);
  }

  if (dir.state === "moving") {
    const from = deps.shard(dir.shard);
    const target = deps.shard(to);
    await from.batch([
      { sql: "UPDATE accounts SET fenced_at = coalesce(fenced_at, ?) WHERE id = ?", params: [deps.now(), accountId] },
    ]);
    // 2. Quiesce: no isolate still acts on an older directory entry, and no attempt is executing on the source.
    await deps.sleep(deps.directoryCacheMs + 1000);
    for (;;) {
      const [busy] = await from.all<{ n: number }>({
        // runs_job_unfinished_idx's condition spelt as it is, then `running` (1, src/db/schema.ts runStates).
        sql: "SELECT count(*) AS n FROM runs WHERE job IN (SELECT num FROM cron_jobs WHERE account_id = ?) AND state IN (0, 1) AND state = 1 AND lease_until > ?",
        params: [accountId, deps.now()],
      });
      if ((busy?.n ?? 0) === 0) break;
      log(`waiting for ${busy?.n} running attempts on shard ${dir.shard}`);
      await deps.sleep(5000);
    }
    // 3. Copy, 4. verify.
    for (const spec of TABLES) {
      report.copied[spec.table] = await copyTable(deps, spec, from, target, accountId);
      log(`copied ${spec.table}: ${report.copied[spec.table]}`);
    }
    for (const spec of TABLES) {
      const [a, b] = [await countRows(from, spec, accountId), await countRows(target, spec, accountId)];
      if (a !== b) throw new MoveError(`${spec.table}: ${a} rows on shard ${dir.shard} but ${b} on shard ${to}; rerun`);
    }
    const [src, dst] = [await logsPerJob(from, accountId), await logsPerJob(target, accountId)];
    for (const [job, n] of src) {
      if (dst.get(job) !== n)
        throw new MoveError(`job ${job}: ${n} logs on the source, ${dst.get(job) ?? 0} copied; rerun`);
    }
    // 5. Flip.
    await target.batch([{ sql: "UPDATE accounts SET fenced_at = NULL WHERE id = ?", params: [accountId] }]);
    await deps.control.batch([
      {
        sql: "UPDATE account_shards SET shard = ?, state = 'active', move_shard = ?, updated_at = ? WHERE account_id = ? AND state = 'moving'",
        params: [to, dir.shard, deps.now(), accountId],
      },
    ]);
    log(`directory: ${accountId} → shard ${to}`);
    dir = { shard: to, state: "active", move_shard: dir.shard };
  }

  // 6. Remove the source copy once no isolate or queued message can still reach it.
  const source = dir.move_shard as number;
  await deps.sleep(deps.directoryCacheMs + deps.queueDelayMs + 1000);
  const old = deps.shard(source);
  for (const spec of [...TABLES].reverse()) {
    if (spec.table === "cron_jobs") {
      // The hourly rollups and metrics windows hang off the job numbers: remove them with the jobs.
      await old.batch(
        ["log_hours", "latency_windows"].map((table) => ({
          sql: `DELETE FROM ${table} WHERE job IN (SELECT num FROM cron_jobs WHERE account_id = ?)`,
          params: [accountId],
        })),
      );
    }
    report.removed[spec.table] = await removeTable(deps, spec, old, accountId);
  }
  await deps.control.batch([
    {
      sql: "UPDATE account_shards SET move_shard = NULL, updated_at = ? WHERE account_id = ? AND move_shard = ?",
      params: [deps.now(), accountId, source],
    },
  ]);
  report.logs = [...(await logsPerJob(deps.shard(to), accountId)).values()].reduce((a, b) => a + b, 0);
  log(`removed the copy on shard ${source}`);
  return report;
}
