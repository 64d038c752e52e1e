/**
 * Seeds the bench's own D1 (bench/.state) with 1,000,000 logs over 35 days, 1,000 jobs of 10 accounts, one job of
 * 200,000: migrations by wrangler, rows by node:sqlite with the engine's executionId and mockOutcome.
 *   npx tsx bench/seed-million.ts [--smoke]
 */
import { rmSync } from "node:fs";
import { mockOutcome, mulberry32 } from "../src/engine/executors/mock";
import { buildNewJob } from "../src/jobs/build";
import { executionId } from "../src/lib/execution-id";
import { logKeyOf } from "../src/logs/log-key";
import { kindOf, statusNumber } from "../src/logs/log-row";
import * as h from "./lib/harness";
import { insertAccounts, jobInput, jobInsert } from "./lib/seed";

const [LOGS, BIG_JOB_LOGS, ACCOUNTS, JOBS_PER_ACCOUNT] = h.size([1_000_000, 200_000, 10, 100], [2_000, 400, 2, 10]);
const t0 = h.now();
rmSync(h.STATE_DIR, { recursive: true, force: true });
await h.migrateBench(h.STATE_DIR);
const tMigrated = h.now();
const db = h.openDb(h.d1File());
db.exec("PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY; BEGIN");
const seededAt = Date.now();
const from = seededAt - 35 * h.DAY_MS;
const r = mulberry32(7);
const accounts = await insertAccounts(db, ACCOUNTS, "Bench account", from - h.DAY_MS);

// Quotas: the big job's, then the rest with a skewed spread, remainders one by one.
const jobs = ACCOUNTS * JOBS_PER_ACCOUNT;
const weights = Array.from({ length: jobs - 1 }, () => 0.1 + r() ** 2 * 3);
const wsum = weights.reduce((s, w) => s + w, 0);
const quotas = [BIG_JOB_LOGS, ...weights.map((w) => Math.floor(((LOGS - BIG_JOB_LOGS) * w) / wsum))];
for (let i = 1, left = LOGS - quotas.reduce((s, q) => s + q, 0); left > 0; i = (i % (jobs - 1)) + 1, left--)
  quotas[i] = (quotas[i] as number) + 1;

// Legacy inline text (body NULL), as rows written before log_bodies; the insert trigger keeps the hourly rollup.
const insertLog = db.prepare(
  `INSERT INTO logs (slot, id_hi, id_lo, job, account, executed_at, status, kind, response_code, response_body,
     error_message, response_time_ms, retry_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const num = (table: string, id: string) =>
  (db.prepare(`SELECT num FROM ${table} WHERE id = ?`).get(id) as { num: number }).num;
const statusMix: Record<string, number> = {};
let bigJob = { id: "", accountId: "", logs: 0 };
for (let j = 0; j < jobs; j++) {
  const account = accounts[Math.floor(j / JOBS_PER_ACCOUNT)] as h.BenchAccount;
  const row = buildNewJob(account.account_id, jobInput(r, j), from - Math.floor(r() * 30) * h.DAY_MS);
  const ins = jobInsert({ ...row, nextRunAt: seededAt + 365 * h.DAY_MS, updatedAt: seededAt });
  db.prepare(ins.sql).run(...ins.params);
  const [jobNum, accountNum] = [num("cron_jobs", row.id), num("accounts", account.account_id)];
  const quota = quotas[j] as number;
  // Slots spaced so the quota fills the 35 days (the big job runs every ≈ 19 s); later passes interleave.
  const interval = (seededAt - from) / Math.ceil(quota / ([1, 1.2, 1.24, 1.248][row.maxRetries] ?? 1.25));
  const last = { at: 0, status: null as string | null, failures: 0, success: 0, n: 0 };
  for (let pass = 0; last.n < quota && pass < 8; pass++) {
    const offset = pass === 0 ? 0 : interval / 2 ** pass;
    for (let slot = Math.floor(from + offset); slot <= seededAt && last.n < quota; slot = Math.floor(slot + interval)) {
      for (let attempt = 0; attempt <= row.maxRetries && last.n < quota; attempt++) {
        const id = executionId(row.id, slot, attempt);
        const o = mockOutcome({ executionId: id, timeoutSeconds: row.timeoutSeconds, endpointUrl: row.endpointUrl });
        const at = slot + attempt * row.retryDelaySeconds * 1000 + (Number.parseInt(id.slice(-3), 36) % 4000);
        if (at > seededAt) break;
        const k = logKeyOf(id) as { slot: number; hi: number; lo: number };
        const kind = kindOf(attempt > 0 ? "retry" : "schedule", true);
        const text = [o.responseCode, o.responseBody, o.errorMessage, o.responseTimeMs] as const;
        insertLog.run(k.slot, k.hi, k.lo, jobNum, accountNum, at, statusNumber(o.status), kind, ...text, attempt);
        last.n++;
        statusMix[o.status] = (statusMix[o.status] ?? 0) + 1;
        if (at >= last.at) Object.assign(last, { at, status: o.status });
        last.failures = o.status === "success" ? 0 : last.failures + 1;
        if (o.status === "success" && ++last.success) break;
      }
    }
  }
  if (last.n !== quota) throw new Error(`job ${j}: produced ${last.n} logs, wanted ${quota}`);
  db.prepare(
    `UPDATE cron_jobs SET last_run_at = ?, last_run_status = ?, consecutive_failures = ?, total_executions = ?,
       successful_executions = ?, failed_executions = ? WHERE id = ?`,
  ).run(last.at || null, last.status, last.failures, last.n, last.success, last.n - last.success, row.id);
  if (j === 0) bigJob = { id: row.id, accountId: account.account_id, logs: last.n };
}
// No ANALYZE: the planner sees what the migrations alone give the Worker.
db.exec("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
db.close();
const loadMs = h.now() - tMigrated;
h.writeMeta({ seededAt, accounts, bigJob });
const result = { logs: LOGS, jobs, accounts: ACCOUNTS, big_job_logs: bigJob.logs, status_mix: statusMix };
const ms = {
  migrations_ms: Math.round(tMigrated - t0),
  load_ms: Math.round(loadMs),
  rows_per_s: Math.round(LOGS / (loadMs / 1000)),
};
h.writeResult("seed", { ...result, ...ms }, [h.figures("Seed", { ...result, ...ms })]);
