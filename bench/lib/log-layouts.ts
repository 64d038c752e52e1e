/**
 * Log layouts side by side: logs in executed_at order, texts by body profile, written into files migrated with each
 * layout's migrations: "text" (execution_logs), "inline" (fbedcaf's logs), "app" (the working tree's own statements).
 */
import type { DatabaseSync } from "node:sqlite";
import { newAccount } from "../../src/accounts/provision";
import { mockOutcome, mulberry32 } from "../../src/engine/executors/mock";
import { buildNewJob, type NewJobRow } from "../../src/jobs/build";
import { executionId } from "../../src/lib/execution-id";
import { logKeyOf } from "../../src/logs/log-key";
import { listingBody, responseHeaders, smallBody } from "./bodies";
import { importAll, nodeD1, norm, type Param } from "./d1-node";
import { columnsOf, DAY_MS, dbstat, migratedFile, preparer, round, sum } from "./harness";
import { jobInput, jobInsert } from "./seed";

/** Mid-hour, mid-minute: a stats window ending now has two partial edge hours. */
export const NOW = Date.UTC(2026, 11, 7, 10, 17, 23, 456);
export type Profile = "none" | "json53" | "mock" | "kb" | "mock_no_body";
export type Writer = "text" | "inline" | "app";
type Log = { job: number; slot: number; attempt: number; at: number };
export type Shard = { accounts: string[]; jobs: Array<{ row: NewJobRow; role: string }>; logs: Log[] };

const uuidOf = (r: () => number) => {
  const x = Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20)}`;
};
/** A stable 32-bit seed per execution id. */
export function seedOf(id: string): number {
  let x = 0x9747b28c;
  for (let i = 0; i < id.length; i++) x = Math.imul(x ^ id.charCodeAt(i), 0x5bd1e995) >>> 0;
  return (x ^ (x >>> 13)) >>> 0;
}
/** A healthy job's outcome: 95 % success, 5 % failure, mock-like latencies. */
function healthy(id: string) {
  const r = mulberry32(seedOf(id));
  const ok = r() < 0.95;
  const ms = Math.min(2000, 40 + Math.floor(-Math.log(1 - r()) * (ok ? 180 : 400)));
  return {
    status: ok ? ("success" as const) : ("failure" as const),
    code: ok ? 200 : ([500, 502, 503, 429][Math.floor(r() * 4)] as number),
    ms,
  };
}

/**
 * Jobs in `accounts` accounts (job j in account j mod accounts), each with `logs` over its last `days` up to NOW, slots
 * evenly spaced; with `retries`, attempts follow a failure (by `failed`) up to the job's max_retries.
 */
export function makeShard(
  seed: number,
  accounts: number,
  sizes: Array<{ role: string; logs: number; days: number; retries: boolean }>,
  failed = (id: string, _row: NewJobRow) => healthy(id).status !== "success",
): Shard {
  const r = mulberry32(seed);
  const ids = Array.from({ length: accounts }, () => uuidOf(r));
  const jobs = sizes.map((s, i) => ({
    row: { ...buildNewJob(ids[i % accounts] as string, jobInput(r, i), NOW - 32 * DAY_MS), id: uuidOf(r) },
    role: s.role,
  }));
  const logs: Log[] = [];
  for (const [j, s] of sizes.entries()) {
    const { row } = jobs[j] as Shard["jobs"][number];
    for (let k = 0, made = 0; made < s.logs; k++) {
      const slot = Math.floor(NOW - ((k + 1) * s.days * DAY_MS) / s.logs);
      for (let a = 0; made < s.logs; a++) {
        const id = executionId(row.id, slot, a);
        logs.push({
          job: j,
          slot,
          attempt: a,
          at: Math.min(NOW, slot + a * row.retryDelaySeconds * 1000 + (s.retries ? seedOf(id) % 4000 : 0)),
        });
        made++;
        if (!s.retries || a >= row.maxRetries || !failed(id, row)) break;
      }
    }
  }
  return { accounts: ids, jobs, logs: logs.sort((x, y) => x.at - y.at) };
}

export type LogText = {
  id: string;
  status: "success" | "failure" | "error" | "timeout";
  code: number | null;
  ms: number | null;
  body: string | null;
  error: string | null;
  headers: string | null;
};
export const rowOf = (sh: Shard, i: number) => (sh.jobs[(sh.logs[i] as Log).job] as Shard["jobs"][number]).row;
export const idOf = (sh: Shard, i: number) =>
  executionId(rowOf(sh, i).id, (sh.logs[i] as Log).slot, (sh.logs[i] as Log).attempt);

/** Log i as the profile fills it: mockOutcome's (it returns no headers), or a healthy outcome with a JSON body. */
export function logOf(sh: Shard, i: number, profile: Profile): LogText {
  const [row, id, at] = [rowOf(sh, i), idOf(sh, i), (sh.logs[i] as Log).at];
  if (profile === "mock" || profile === "mock_no_body") {
    const o = mockOutcome({ executionId: id, timeoutSeconds: row.timeoutSeconds, endpointUrl: row.endpointUrl });
    const body = profile === "mock" ? o.responseBody : null;
    const outcome = { status: o.status, code: o.responseCode, ms: o.responseTimeMs };
    return { id, ...outcome, body, error: o.errorMessage, headers: null };
  }
  const { status, code, ms } = healthy(id);
  if (profile === "none") return { id, status, code, ms, body: null, error: null, headers: null };
  const body = profile === "kb" ? listingBody(seedOf(id), at) : smallBody(seedOf(id), at);
  const error = status === "failure" ? `Endpoint returned status code ${code}` : null; // the engine's failureMessage
  return { id, status, code, ms, body, error, headers: responseHeaders(seedOf(id), Buffer.byteLength(body)) };
}

const decided = (status: string) => (status === "success" || status === "failure" ? "status_codes" : null);
type Query = { toSQL(): { sql: string; params: unknown[] } };
type App = {
  createDb(d1: unknown): unknown;
  insertLogStatements(db: unknown, log: unknown): Query[];
  insertRunStatement(db: unknown, run: unknown): Query;
  finishRunStatement(db: unknown, ref: unknown): Query;
};
const TEXT_LOG = `INSERT INTO execution_logs (id, cron_job_id, account_id, executed_at, status, response_code, response_body, error_message,
  response_time_ms, retry_attempt, scheduled_at, "trigger", response_headers, decided_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;
const INLINE_LOG = `INSERT INTO logs (slot, id_hi, id_lo, job, account, executed_at, status, kind, response_code, response_time_ms, retry_attempt,
  decided_by, error_message, response_headers, response_body) SELECT ?, ?, ?, cron_jobs.num, accounts.num, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
  FROM cron_jobs, accounts WHERE cron_jobs.id = ? AND accounts.id = ? ON CONFLICT DO NOTHING`;
// The text-keyed ledger's row of an attempt, queued then done (the lease between leaves zero-byte integers as they were).
const TEXT_RUN = `INSERT INTO runs (id, job_id, account_id, slot, nonce, origin, attempt, planned_at, state, sent_at, created_at)
  VALUES (?, ?, ?, ?, NULL, 'schedule', ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING`;

/** A layout's file with the shard's owners inserted, and a function writing log i (with its ledger row). */
async function openWriter(file: string, migrations: string[], writer: Writer, sh: Shard, ledger: boolean) {
  const db = migratedFile(file, migrations);
  db.exec("BEGIN");
  for (const [k, id] of sh.accounts.entries()) {
    for (const s of (await newAccount(`Log store ${k}`, NOW - 40 * DAY_MS, { account_id: id })).shardStatements)
      db.prepare(s.sql).run(...s.params);
    if (columnsOf(db, "accounts").has("num")) db.prepare("UPDATE accounts SET num = ? WHERE id = ?").run(k + 1, id);
  }
  const jobColumns = columnsOf(db, "cron_jobs");
  for (const [k, j] of sh.jobs.entries()) {
    const ins = jobInsert({ ...j.row, num: k + 1 } as NewJobRow & Record<string, unknown>, jobColumns);
    db.prepare(ins.sql).run(...ins.params);
  }
  const before = new Map(tableRows(db));
  const prep = preparer(db);
  const exec = (sql: string, params: unknown[]) => prep(sql).run(...norm(params as Param[]));
  const app = writer === "app" ? await importAll<App>(["logs/store", "engine/ledger", "db/client"]) : null;
  const drizzle = app?.createDb(nodeD1(db));
  const run = (q: Query) => exec(q.toSQL().sql, q.toSQL().params);
  const write = (i: number, l: LogText) => {
    const [row, { slot, attempt, at }, d] = [rowOf(sh, i), sh.logs[i] as Log, decided(l.status)];
    const [planned, trigger, ids] = [
      slot + attempt * row.retryDelaySeconds * 1000,
      attempt ? "retry" : "schedule",
      [row.id, row.accountId],
    ];
    if (writer === "text")
      exec(TEXT_LOG, [l.id, ...ids, at, l.status, l.code, l.body, l.error, l.ms, attempt, slot, trigger, l.headers, d]);
    const k = logKeyOf(l.id) as { slot: number; hi: number; lo: number };
    const key = [k.slot, k.hi, k.lo, at, ["success", "failure", "error", "timeout"].indexOf(l.status), attempt ? 1 : 0];
    if (writer === "inline")
      exec(INLINE_LOG, [...key, l.code, l.ms, attempt, d && 0, l.error, l.headers, l.body, ...ids]);
    if (ledger && !app) exec(TEXT_RUN, [l.id, ...ids, slot, attempt, planned, planned, planned]);
    if (ledger && !app) exec("UPDATE runs SET state = 'done', lease_until = NULL WHERE id = ?", [l.id]);
    if (!app) return;
    const [owners, times] = [
      { jobId: row.id, accountId: row.accountId },
      { plannedAt: planned, sentAt: planned, now: planned },
    ];
    if (ledger)
      run(app.insertRunStatement(drizzle, { ...owners, slot, attempt, nonce: null, origin: "schedule", ...times }));
    if (ledger) run(app.finishRunStatement(drizzle, { id: l.id, jobId: row.id }));
    const text = { responseBody: l.body, errorMessage: l.error, responseHeaders: l.headers, responseCode: l.code };
    const log = { id: l.id, cronJobId: row.id, accountId: row.accountId, executedAt: at, status: l.status, ...text };
    const more = { responseTimeMs: l.ms, retryAttempt: attempt, scheduledAt: slot, decidedBy: d, trigger };
    for (const q of app.insertLogStatements(drizzle, { ...log, ...more })) run(q);
  };
  return { db, write, before };
}

const tableRows = (db: DatabaseSync) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{
      name: string;
    }>
  ).map(
    (t) => [t.name, Number((db.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n)] as const,
  );

/**
 * Writes every log of the shard (text by `profile`) into each layout, then measures per execution: dbstat of every
 * table that gained rows with its indexes, and the text's average UTF-8 bytes and, in log_bodies, stored bytes.
 */
export type Bytes = Awaited<ReturnType<typeof build>>[number];
export async function build(
  sh: Shard,
  profile: Profile,
  layouts: Array<{ file: string; migrations: string[]; writer: Writer }>,
  ledger = true,
) {
  const writers = await Promise.all(layouts.map((l) => openWriter(l.file, l.migrations, l.writer, sh, ledger)));
  const raw = { response_body: 0, error_message: 0, response_headers: 0 };
  for (let i = 0; i < sh.logs.length; i++) {
    const l = logOf(sh, i, profile);
    for (const [col, text] of [
      ["response_body", l.body],
      ["error_message", l.error],
      ["response_headers", l.headers],
    ] as const)
      raw[col] += text ? Buffer.byteLength(text) : 0;
    for (const w of writers) w.write(i, l);
  }
  const per = (bytes: number) => round(bytes / sh.logs.length, 1);
  return writers.map(({ db, before }) => {
    db.exec("COMMIT");
    const stat = dbstat(db);
    const objectsOf = (t: string) =>
      db.prepare("SELECT name FROM sqlite_master WHERE tbl_name = ? AND type IN ('table', 'index')").all(t) as Array<{
        name: string;
      }>;
    const tables = tableRows(db)
      .filter(([t, rows]) => rows > (before.get(t) ?? 0))
      .map(([table, rows]) => {
        const objects = Object.fromEntries(objectsOf(table).map((o) => [o.name, per(stat.get(o.name) ?? 0)]));
        return { table, rows, per_execution: round(sum(Object.values(objects)), 1), objects };
      });
    const stored = (col: string) =>
      (db.prepare(`SELECT coalesce(sum(length(${col})), 0) AS s FROM log_bodies`).get() as { s: number }).s;
    const bodies = columnsOf(db, "log_bodies").size > 0;
    const text = Object.fromEntries(
      Object.entries(raw).map(([col, n]) => [col, { raw: per(n), stored: bodies ? per(stored(col)) : null }]),
    );
    db.close();
    return {
      executions: sh.logs.length,
      per_execution: round(sum(tables.map((t) => t.per_execution)), 1),
      tables,
      text,
    };
  });
}
