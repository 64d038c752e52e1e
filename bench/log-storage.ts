/**
 * Compact log storage (issue 12): bytes per log and rows written per log insert, the schema before the compact
 * logs (migrations 0000–0014: execution_logs with five indexes and its text primary key, log_counts with its
 * account index) against the compact one (all migrations: logs WITHOUT ROWID with two indexes, log_day_counts).
 *
 * - Bytes per log: the same N logs (default 1,000,000, the seed's million, as issue 12 asks; `--logs N`), generated as bench/seed-million.ts does (jobs
 *   from jobInput/buildNewJob over 10 accounts, ids from executionId, outcomes from mockOutcome; retries until a
 *   success) and inserted in executed_at order as the engine writes them, into two SQLite files made by applying
 *   the migration files with node:sqlite; SQLite's `dbstat` gives the pages of every table and index that holds
 *   logs or their counts. Measured once with response bodies NULL (the issue's "excluding the response body"
 *   figure) and once with the mock bodies.
 * Rows written per log insert are D1's own `meta.rows_written`, which only workerd reports (wrangler d1 execute
 * --local does not): test/logs/compact-storage.test.ts measures and asserts them for the compact insert, and
 * bench/ledger-load.ts (section 7 of RESULTS.md) for every engine statement of an execution.
 *
 *   npx tsx bench/log-storage.ts [--logs 1000000]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { newAccount } from "../src/accounts/provision";
import type * as schema from "../src/db/schema";
import { mockOutcome, mulberry32 } from "../src/engine/executors/mock";
import { buildNewJob, type NewJobRow } from "../src/jobs/build";
import { executionId } from "../src/lib/execution-id";
import { logKeyOf } from "../src/logs/log-key";
import { kindOf, statusNumber } from "../src/logs/log-row";
import { commandLine, DAY_MS, isMain, ROOT, round, writeResult } from "./lib/common";
import { SCALE_START } from "./lib/scale-report";
import { jobInput, jobInsert } from "./seed-million";

/** The last migration of the schema before compact logs. */
const OLD_LAST = "0014_";
const ACCOUNTS = 10;
const JOBS = 1000;
const HISTORY_DAYS = 35;

/** Tables and indexes that hold logs or their counts, per schema (dbstat names). */
const OLD_OBJECTS = [
  "execution_logs",
  "sqlite_autoindex_execution_logs_1",
  "execution_logs_job_time_idx",
  "execution_logs_job_status_time_idx",
  "execution_logs_account_time_idx",
  "execution_logs_account_status_time_idx",
  "execution_logs_time_idx",
  "log_counts",
  "sqlite_autoindex_log_counts_1",
  "log_counts_account_day_idx",
];
const COMPACT_OBJECTS = ["logs", "logs_job_time_idx", "logs_account_time_idx", "log_day_counts"];

function migrationFiles(upTo?: string): string[] {
  const all = readdirSync(join(ROOT, "drizzle/shard"))
    .filter((f) => f.endsWith(".sql"))
    .sort();
  return upTo ? all.filter((f) => f.slice(0, 5) <= upTo) : all;
}

function migrate(db: DatabaseSync, files: string[]) {
  for (const f of files) {
    for (const st of readFileSync(join(ROOT, "drizzle/shard", f), "utf8").split("--> statement-breakpoint")) {
      if (st.trim()) db.exec(st);
    }
  }
}

interface Log {
  id: string;
  job: number;
  account: number;
  jobId: string;
  accountId: string;
  slot: number;
  attempt: number;
  executedAt: number;
  status: schema.ExecutionStatus;
  responseCode: number | null;
  responseBody: string | null;
  errorMessage: string | null;
  responseTimeMs: number | null;
}

/** Accounts, jobs and N logs as bench/seed-million.ts makes them, in executed_at order. */
async function generate(n: number, at: number) {
  const r = mulberry32(7);
  const from = at - HISTORY_DAYS * DAY_MS;
  const accounts = [];
  for (let a = 0; a < ACCOUNTS; a++) accounts.push(await newAccount(`Storage bench ${a + 1}`, from - DAY_MS));
  const jobs: NewJobRow[] = [];
  const logs: Log[] = [];
  const perJob = Math.ceil(n / JOBS);
  for (let j = 0; j < JOBS; j++) {
    const account = Math.floor(j / (JOBS / ACCOUNTS));
    const row = buildNewJob(accounts[account]?.account_id ?? "", jobInput(r, j), from);
    jobs.push(row);
    const interval = Math.floor((HISTORY_DAYS * DAY_MS) / perJob);
    let made = 0;
    for (let slot = from; made < perJob && logs.length < n; slot += interval) {
      for (let attempt = 0; attempt <= row.maxRetries && made < perJob && logs.length < n; attempt++) {
        const id = executionId(row.id, slot, attempt);
        const out = mockOutcome({ executionId: id, timeoutSeconds: row.timeoutSeconds, endpointUrl: row.endpointUrl });
        logs.push({
          id,
          job: j + 1,
          account: account + 1,
          jobId: row.id,
          accountId: accounts[account]?.account_id ?? "",
          slot,
          attempt,
          executedAt: slot + attempt * row.retryDelaySeconds * 1000 + (Number.parseInt(id.slice(-3), 36) % 4000),
          status: out.status,
          responseCode: out.responseCode,
          responseBody: out.responseBody,
          errorMessage: out.errorMessage,
          responseTimeMs: out.responseTimeMs,
        });
        made++;
        if (out.status === "success") break;
      }
    }
  }
  logs.sort((a, b) => a.executedAt - b.executedAt || (a.id < b.id ? -1 : 1));
  return { accounts, jobs, logs };
}

type Generated = Awaited<ReturnType<typeof generate>>;

/** One schema's file seeded with the logs (bodies kept or NULL); dbstat bytes of the log objects. */
function measureBytes(g: Generated, compact: boolean, bodies: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "edgecron-log-storage-"));
  const db = new DatabaseSync(join(dir, "db.sqlite"));
  try {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF");
    migrate(db, migrationFiles(compact ? undefined : OLD_LAST));
    db.exec("BEGIN");
    for (const a of g.accounts) for (const s of a.shardStatements) db.prepare(s.sql).run(...s.params);
    for (const [i, job] of g.jobs.entries()) {
      const ins = jobInsert({ ...job, ...(compact ? { num: i + 1 } : {}) } as NewJobRow & Record<string, unknown>);
      db.prepare(ins.sql).run(...ins.params);
    }
    if (compact) {
      for (const [i, a] of g.accounts.entries())
        db.prepare("UPDATE accounts SET num = ? WHERE id = ?").run(i + 1, a.account_id);
    }
    const insert = compact
      ? db.prepare(
          `INSERT INTO logs (slot, id_hi, id_lo, job, account, executed_at, status, kind, response_code, response_time_ms,
             retry_attempt, decided_by, error_message, response_headers, response_body)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        )
      : db.prepare(
          `INSERT INTO execution_logs (id, cron_job_id, account_id, executed_at, status, response_code, response_body,
             error_message, response_time_ms, retry_attempt, scheduled_at, "trigger", response_headers, decided_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        );
    for (const l of g.logs) {
      const body = bodies ? l.responseBody : null;
      const trigger = l.attempt > 0 ? "retry" : "schedule";
      const decided = l.status === "success" || l.status === "failure" ? "status_codes" : null;
      if (compact) {
        const k = logKeyOf(l.id);
        if (!k) throw new Error(`no key for ${l.id}`);
        insert.run(
          k.slot,
          k.hi,
          k.lo,
          l.job,
          l.account,
          l.executedAt,
          statusNumber(l.status),
          kindOf(trigger, true),
          l.responseCode,
          l.responseTimeMs,
          l.attempt,
          decided === null ? null : 0,
          l.errorMessage,
          null,
          body,
        );
      } else {
        insert.run(
          l.id,
          l.jobId,
          l.accountId,
          l.executedAt,
          l.status,
          l.responseCode,
          body,
          l.errorMessage,
          l.responseTimeMs,
          l.attempt,
          l.slot,
          trigger,
          null,
          decided,
        );
      }
    }
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const objects = compact ? COMPACT_OBJECTS : OLD_OBJECTS;
    const rows = db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name").all() as Array<{
      name: string;
      bytes: number;
    }>;
    const per: Record<string, number> = {};
    for (const o of objects) per[o] = rows.find((r) => r.name === o)?.bytes ?? 0;
    const total = Object.values(per).reduce((s, b) => s + b, 0);
    const tables = compact ? ["logs", "log_day_counts"] : ["execution_logs", "log_counts"];
    const indexBytes = Object.entries(per)
      .filter(([name]) => !tables.includes(name))
      .reduce((s, [, b]) => s + b, 0);
    const bodyBytes = bodies ? g.logs.reduce((s, l) => s + (l.responseBody?.length ?? 0), 0) : 0;
    return {
      bytes: total,
      bytes_per_log: round(total / g.logs.length, 1),
      index_share: round(indexBytes / total, 3),
      body_bytes_per_log: round(bodyBytes / g.logs.length, 1),
      objects: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, round(v / g.logs.length, 1)])),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface LogStorageResult {
  command: string;
  logs: number;
  bytes: {
    old: ReturnType<typeof measureBytes>;
    compact: ReturnType<typeof measureBytes>;
    old_with_bodies: ReturnType<typeof measureBytes>;
    compact_with_bodies: ReturnType<typeof measureBytes>;
  };
}

const START = "<!-- log-storage:start -->";
const END = "<!-- log-storage:end -->";

/** Section 8 of bench/RESULTS.md from a result. */
export function logStorageSection(r: LogStorageResult): string {
  const { old, compact, old_with_bodies: oldB, compact_with_bodies: compactB } = r.bytes;
  const row = (name: string, o: number | undefined, c: number | undefined) =>
    `| ${name} | ${o === undefined ? "" : o.toFixed(1)} | ${c === undefined ? "" : c.toFixed(1)} |`;
  const lines = [
    START,
    "## 8. Compact log storage — `npx tsx bench/log-storage.ts`",
    "",
    `**Scenario.** The same ${r.logs.toLocaleString("en")} logs (1,000 jobs of 10 accounts, 35 days, ids from executionId, ` +
      "outcomes from mockOutcome, retries until a success; inserted in executed_at order as the engine writes them) in the " +
      "schema before issue 12's compact logs (migrations 0000–0014) and in the compact one (all migrations), each a SQLite " +
      "file made from the migration files; bytes are SQLite `dbstat` pages of every table and index holding logs or " +
      "their counts, divided by the logs.",
    "",
    "| bytes per log | before (execution_logs) | compact (logs) |",
    "| --- | ---: | ---: |",
    row("**without response bodies** (issue 12 target ≤ 200)", old.bytes_per_log, compact.bytes_per_log),
    row(
      `with the mock bodies (${old.body_bytes_per_log || oldB.body_bytes_per_log} B average)`,
      oldB.bytes_per_log,
      compactB.bytes_per_log,
    ),
    row("% of those bytes in indexes (without bodies)", old.index_share * 100, compact.index_share * 100),
    "",
    "Per object, without bodies (bytes per log):",
    "",
    "| object | bytes per log |",
    "| --- | ---: |",
    ...Object.entries(old.objects).map(([k, v]) => `| before: ${k} | ${v.toFixed(1)} |`),
    ...Object.entries(compact.objects).map(([k, v]) => `| compact: ${k} | ${v.toFixed(1)} |`),
    "",
    "**Rows written by a log insert** (D1 `meta.rows_written`, workerd's counter): **4** in the compact schema — the " +
      "row, its two index entries and the trigger's log_day_counts upsert, whether the count row is new or updated; " +
      "0 for a redelivered log (test/logs/compact-storage.test.ts asserts ≤ 4 and 0). Before: 10 for a job's first log " +
      "of a UTC day and status, 8 after it (section 7, `record: log`).",
    "",
    "**Reading.** The execution id is stored as three integers (slot, id_hi, id_lo) instead of 30 characters, and the " +
      "job and account as small integers instead of 36-character UUIDs, in the row and in each of the two remaining " +
      "indexes; the table is WITHOUT ROWID, so its primary key is the row itself. Response bodies cost more than their " +
      "length in the compact table: its key (the slot) is not the insertion order for retries (their slot is minutes " +
      "older than their executed_at), so pages split and are fuller on average in the rowid table, which always appends.",
    END,
  ];
  return lines.join("\n");
}

/** The markdown with section 8 replaced (or inserted before section 9, else before "## Reproduce"). */
export function spliceLogStorage(markdown: string, r: LogStorageResult): string {
  const text = logStorageSection(r);
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start >= 0 && end > start) return markdown.slice(0, start) + text + markdown.slice(end + END.length);
  // Before section 9 when it is there, so the sections stay in order.
  const scaleAt = markdown.indexOf(SCALE_START);
  const at = scaleAt >= 0 ? scaleAt : markdown.indexOf("## Reproduce");
  return at >= 0 ? `${markdown.slice(0, at)}${text}\n\n${markdown.slice(at)}` : `${markdown}\n${text}\n`;
}

async function main() {
  const i = process.argv.indexOf("--logs");
  const n = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
  const at = Date.UTC(2026, 0, 15);
  const g = await generate(n, at);
  console.log(`generated ${g.logs.length.toLocaleString("en")} logs of ${g.jobs.length} jobs`);
  const bytes = {
    old: measureBytes(g, false, false),
    compact: measureBytes(g, true, false),
    old_with_bodies: measureBytes(g, false, true),
    compact_with_bodies: measureBytes(g, true, true),
  };
  console.log(
    `bytes per log without bodies: ${bytes.old.bytes_per_log} → ${bytes.compact.bytes_per_log}; ` +
      `with bodies: ${bytes.old_with_bodies.bytes_per_log} → ${bytes.compact_with_bodies.bytes_per_log}`,
  );
  const result: LogStorageResult = {
    command: commandLine(import.meta.filename),
    logs: g.logs.length,
    bytes,
  };
  writeResult("log-storage", result);
  const file = join(ROOT, "bench/RESULTS.md");
  if (existsSync(file)) writeFileSync(file, spliceLogStorage(readFileSync(file, "utf8"), result));
}

if (isMain(import.meta.filename)) await main();
