/**
 * Seeds the bench's own local D1 (bench/.state, never the developer's .wrangler/state) with 1,000,000
 * execution logs over 35 days across 1,000 jobs of 10 accounts, one job holding 200,000.
 *
 * Migrations are applied by wrangler itself (`wrangler d1 migrations apply --local --persist-to bench/.state`);
 * the rows are then bulk-inserted with Node's built-in node:sqlite (DatabaseSync) into the SQLite file
 * wrangler created under bench/.state/v3/d1/ — the same file `wrangler dev --persist-to bench/.state` serves —
 * in one transaction with prepared statements. Bodies, statuses and ids come from the engine's own
 * mockOutcome / executionId; accounts from newAccount's statements; jobs from buildNewJob.
 *
 *   npx tsx bench/seed-million.ts
 */
import { rmSync } from "node:fs";
import { mockOutcome, mulberry32 } from "../src/engine/executors/mock";
import { buildNewJob, type NewJobRow } from "../src/jobs/build";
import { CreateJobSchema } from "../src/jobs/schemas";
import { executionId } from "../src/lib/execution-id";
import { logKeyOf } from "../src/logs/log-key";
import { kindOf, statusNumber } from "../src/logs/log-row";
import {
  type BenchAccount,
  commandLine,
  DAY_MS,
  d1File,
  isMain,
  migrateBench,
  now,
  openDb,
  round,
  STATE_DIR,
  writeMeta,
  writeResult,
} from "./lib/common";

export const TOTAL_LOGS = 1_000_000;
export const BIG_JOB_LOGS = 200_000;
const ACCOUNTS = 10;
const JOBS_PER_ACCOUNT = 100;
const HISTORY_DAYS = 35;

const SCHEDULES = [
  { repeat_type: "hourly", repeat_every: 1, time: "00:15", end_type: "never" },
  { repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" },
  { repeat_type: "weeks", repeat_every: 1, time: "06:30", days_of_week: ["1", "3", "5"], end_type: "never" },
  { cron: "*/5 * * * *" },
  { cron: "*/15 9-17 * * 1-5" },
  { cron: "* * * * *" },
] as const;
const TIMEZONES = ["UTC", "America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney"];
const METHODS = ["GET", "POST", "PUT"] as const;

/** snake_case column of a NewJobRow key, as the drizzle schema names them. */
const column = (key: string) => key.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);

export function jobInput(r: () => number, i: number, opts: { callbacks?: boolean } = {}) {
  const schedule = SCHEDULES[i % SCHEDULES.length] as (typeof SCHEDULES)[number];
  const maxRetries = Math.floor(r() * 4);
  return CreateJobSchema.parse({
    name: `Bench job ${i}`,
    description: i % 3 === 0 ? "Synthetic job for the benchmarks" : undefined,
    endpoint_url: `https://api${i % 7}.example.com/hooks/${i}`,
    method: METHODS[i % METHODS.length],
    headers: i % 2 === 0 ? { Authorization: "Bearer bench-token", "Content-Type": "application/json" } : undefined,
    body: i % 2 === 0 ? JSON.stringify({ job: i }) : undefined,
    timezone: TIMEZONES[i % TIMEZONES.length],
    schedule_config: schedule,
    tags: i % 4 === 0 ? ["bench", `group-${i % 10}`] : ["bench"],
    retry_config: { max_retries: maxRetries, retry_delay_seconds: [30, 60, 120][i % 3], timeout_seconds: 30 },
    ...(opts.callbacks && i % 5 === 0 ? { callbacks: { failure_url: "https://hooks.example.com/failed" } } : {}),
  });
}

/**
 * INSERT for a NewJobRow (booleans stored as 0/1, as D1 does); with `columns`, only the keys whose column the
 * table has (a row built by a newer src/ than the migrated database).
 */
export function jobInsert(row: NewJobRow & Record<string, unknown>, columns?: Set<string>) {
  const keys = Object.keys(row).filter((k) => !columns || columns.has(column(k)));
  return {
    sql: `INSERT INTO cron_jobs (${keys.map(column).join(", ")}) VALUES (${keys.map(() => "?").join(", ")})`,
    params: keys.map((k) => {
      const v = row[k];
      return typeof v === "boolean" ? Number(v) : (v as string | number | null);
    }),
  };
}

// Accounts live in two databases now (control plane + shard): bench/lib/accounts.ts writes both.
import { insertAccounts, removeAccounts } from "./lib/accounts";

export { insertAccounts, removeAccounts };

async function main() {
  const t0 = now();
  rmSync(STATE_DIR, { recursive: true, force: true });
  // The control plane and every shard of wrangler.toml; the seeded accounts, jobs and logs go to SHARD_0.
  await migrateBench(STATE_DIR);
  const tMigrated = now();
  const file = d1File();
  const db = openDb(file);
  // Bulk-load settings for this connection only; the file stays in WAL mode, as wrangler made it.
  db.exec("PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY");

  const seededAt = Date.now();
  const from = seededAt - HISTORY_DAYS * DAY_MS;
  const span = seededAt - from;
  const r = mulberry32(7);

  db.exec("BEGIN");
  const accounts = await insertAccounts(db, ACCOUNTS, "Bench account", from - DAY_MS);

  // Row quotas: the big job holds 200,000; the 999 others share 800,000 with a skewed spread.
  const jobsTotal = ACCOUNTS * JOBS_PER_ACCOUNT;
  const weights = Array.from({ length: jobsTotal - 1 }, () => 0.1 + r() ** 2 * 3);
  const wsum = weights.reduce((s, w) => s + w, 0);
  const rest = TOTAL_LOGS - BIG_JOB_LOGS;
  const quotas = [BIG_JOB_LOGS, ...weights.map((w) => Math.floor((rest * w) / wsum))];
  for (
    let i = 1, left = TOTAL_LOGS - quotas.reduce((s, q) => s + q, 0);
    left > 0;
    i = (i % (jobsTotal - 1)) + 1, left--
  ) {
    quotas[i] = (quotas[i] as number) + 1;
  }

  // Straight into the compact log table (migration 0016): the key from the id, numbers for job, account, status
  // and kind, as src/logs/store.ts writes them; its insert trigger keeps log_day_counts.
  const insertLog = db.prepare(
    `INSERT INTO logs (slot, id_hi, id_lo, job, account, executed_at, status, kind, response_code, response_body,
       error_message, response_time_ms, retry_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const numberOf = (table: "accounts" | "cron_jobs", id: string) =>
    (db.prepare(`SELECT num FROM ${table} WHERE id = ?`).get(id) as { num: number }).num;
  const farFuture = seededAt + 365 * DAY_MS;
  let logs = 0;
  let bigJob = { id: "", accountId: "", logs: 0 };
  const statusCount: Record<string, number> = {};
  let insertMs = 0;

  for (let j = 0; j < jobsTotal; j++) {
    const account = accounts[Math.floor(j / JOBS_PER_ACCOUNT)] as BenchAccount;
    const input = jobInput(r, j);
    const created = from - Math.floor(r() * 30) * DAY_MS;
    const row = buildNewJob(account.account_id, input, created);
    const quota = quotas[j] as number;
    // The job first (its insert trigger numbers it), its counters once its logs are in.
    const ins = jobInsert({ ...row, nextRunAt: farFuture, updatedAt: seededAt }); // never due unless a bench makes it so
    db.prepare(ins.sql).run(...ins.params);
    const jobNum = numberOf("cron_jobs", row.id);
    const accountNum = numberOf("accounts", account.account_id);
    // Synthetic slot spacing so the job's quota fills the 35 days (the big job runs every ~19 s).
    const perSlot = [1, 1.2, 1.24, 1.248][row.maxRetries] ?? 1.25;
    const interval = span / Math.ceil(quota / perSlot);
    let n = 0;
    let success = 0;
    let lastAt = 0;
    let lastStatus: string | null = null;
    let consecutive = 0;
    const t = now();
    // Pass 0 lays slots at from + k·interval; later passes (rarely needed) interleave at half offsets.
    for (let pass = 0; n < quota && pass < 8; pass++) {
      const offset = pass === 0 ? 0 : interval / 2 ** pass;
      for (let slot = Math.floor(from + offset); slot <= seededAt && n < quota; slot = Math.floor(slot + interval)) {
        for (let attempt = 0; attempt <= row.maxRetries && n < quota; attempt++) {
          const id = executionId(row.id, slot, attempt);
          const out = mockOutcome({
            executionId: id,
            timeoutSeconds: row.timeoutSeconds,
            endpointUrl: row.endpointUrl,
          });
          const executedAt = slot + attempt * row.retryDelaySeconds * 1000 + (Number.parseInt(id.slice(-3), 36) % 4000);
          if (executedAt > seededAt) break;
          const key = logKeyOf(id);
          if (!key) throw new Error(`not an execution id: ${id}`);
          insertLog.run(
            key.slot,
            key.hi,
            key.lo,
            jobNum,
            accountNum,
            executedAt,
            statusNumber(out.status),
            kindOf(attempt > 0 ? "retry" : "schedule", true),
            out.responseCode,
            out.responseBody,
            out.errorMessage,
            out.responseTimeMs,
            attempt,
          );
          n++;
          statusCount[out.status] = (statusCount[out.status] ?? 0) + 1;
          if (out.status === "success") success++;
          if (executedAt >= lastAt) {
            lastAt = executedAt;
            lastStatus = out.status;
          }
          consecutive = out.status === "success" ? 0 : consecutive + 1;
          if (out.status === "success") break;
        }
      }
    }
    insertMs += now() - t;
    if (n !== quota) throw new Error(`job ${j}: produced ${n} logs, wanted ${quota}`);
    logs += n;
    db.prepare(
      `UPDATE cron_jobs SET last_run_at = ?, last_run_status = ?, consecutive_failures = ?, total_executions = ?,
         successful_executions = ?, failed_executions = ? WHERE id = ?`,
    ).run(lastAt || null, lastStatus, consecutive, n, success, n - success, row.id);
    if (j === 0) bigJob = { id: row.id, accountId: account.account_id, logs: n };
    if (j % 100 === 99) process.stdout.write(`\r  ${logs.toLocaleString("en")} logs, ${j + 1} jobs…`);
  }
  const tCommit = now();
  db.exec("COMMIT");
  const commitMs = now() - tCommit;
  const triggers = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'logs'").all() as Array<{
      name: string;
    }>
  ).map((r) => r.name);
  // No ANALYZE: the planner sees what the migrations alone give the Worker.
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  const tDone = now();
  process.stdout.write("\n");

  writeMeta({ seededAt, historyFrom: from, accounts, bigJob, jobs: jobsTotal, logs });
  const totalMs = tDone - t0;
  const loadMs = tDone - tMigrated;
  const result = {
    command: commandLine(import.meta.filename),
    file,
    accounts: ACCOUNTS,
    jobs: jobsTotal,
    logs,
    big_job_logs: bigJob.logs,
    triggers_fired_on_insert: triggers.filter((t) => /insert/i.test(t)),
    status_mix: statusCount,
    migrate_ms: round(tMigrated - t0, 0),
    generate_and_insert_ms: round(insertMs, 0),
    commit_ms: round(commitMs, 0),
    load_ms: round(loadMs, 0),
    total_ms: round(totalMs, 0),
    rows_per_s: round(logs / (loadMs / 1000), 0),
  };
  writeResult("seed", result);
  console.log(
    `seeded ${logs.toLocaleString("en")} logs (${jobsTotal} jobs, ${ACCOUNTS} accounts; big job ${bigJob.id} holds ` +
      `${bigJob.logs.toLocaleString("en")}) in ${(loadMs / 1000).toFixed(1)} s after migrations → ` +
      `${result.rows_per_s.toLocaleString("en")} rows/s (status mix ${JSON.stringify(statusCount)})`,
  );
}

if (isMain(import.meta.filename)) await main();
