import { inlineStatement, type NewAccount, newAccount } from "../../src/accounts/provision";
import { mockOutcome } from "../../src/engine/executors/mock";
import { buildNewJob, type NewJobRow } from "../../src/jobs/build";
import { CreateJobSchema } from "../../src/jobs/schemas";
import { sealJob } from "../../src/jobs/secrets";
import { judge } from "../../src/jobs/success-rules";
import { executionId } from "../../src/lib/execution-id";
import { nextRunAt } from "../../src/lib/schedule/next-run";
import type { Keyring } from "../../src/lib/secrets/keyring";
import type { Statement } from "../../src/shards/sql-runner";
import { DEMO } from "./demo-account";

/**
 * Where the demo jobs point: `.invalid` (RFC 6761) names never resolve, so no demo job or callback reaches a public
 * host even under `npm start -- --executor http` (there they end as `error`: the name does not resolve).
 */
const DEMO_HOST = "demo.edgecron.invalid";

export { DEMO };

const DAY = 86_400_000;
const HISTORY_DAYS = 35;

const DEMO_JOBS = [
  {
    id: "00000000-0000-4000-8000-0000000a0001",
    input: {
      name: "Daily Report Generator",
      description: "Generates the daily sales report",
      endpoint_url: `https://reports.${DEMO_HOST}/generate`,
      method: "POST",
      headers: { Authorization: "Bearer demo-token", "Content-Type": "application/json" },
      body: '{"report_type":"daily"}',
      timezone: "America/New_York",
      schedule_config: { repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" },
      tags: ["reports", "daily"],
      retry_config: { max_retries: 3, retry_delay_seconds: 60, timeout_seconds: 30 },
      callbacks: { failure_url: `https://alerts.${DEMO_HOST}/cron-failed` },
    },
  },
  {
    id: "00000000-0000-4000-8000-0000000a0002",
    input: {
      name: "Hourly Inventory Sync",
      endpoint_url: `https://inventory.${DEMO_HOST}/sync`,
      method: "PUT",
      timezone: "Europe/London",
      schedule_config: { repeat_type: "hourly", repeat_every: 1, time: "00:15", end_type: "never" },
      tags: ["sync"],
      retry_config: { max_retries: 1, retry_delay_seconds: 120, timeout_seconds: 20 },
    },
  },
  {
    id: "00000000-0000-4000-8000-0000000a0003",
    input: {
      name: "Uptime Ping",
      endpoint_url: `https://status.${DEMO_HOST}/ping`,
      method: "GET",
      timezone: "UTC",
      schedule_config: { cron: "*/10 * * * *" },
      tags: ["monitoring"],
      retry_config: { max_retries: 0, timeout_seconds: 10 },
    },
  },
] as const;

function insertLogsSql(rows: Array<Record<string, string | number | null>>): Statement[] {
  const cols = Object.keys(rows[0] ?? {});
  const out: Statement[] = [];
  // Large multi-row INSERTs keep the file short; wrangler runs them against local SQLite.
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    out.push({
      // Into the execution_logs view (migration 0018): it stores each log compactly and skips an id already stored.
      sql: `INSERT INTO execution_logs (${cols.join(", ")}) VALUES ${chunk.map(() => `(${cols.map(() => "?").join(", ")})`).join(", ")}`,
      params: chunk.flatMap((r) => cols.map((c) => r[c] ?? null)),
    });
  }
  return out;
}

/**
 * SQL that provisions the demo account, its jobs and ~35 days of history. Every id is fixed or
 * derived, and every insert is `ON CONFLICT DO NOTHING`: running it again adds only new slots.
 * `statements` are the same SQL one by one (`sql` joins them), for a caller without a file to run. The jobs' secrets
 * are sealed with `keyring`, the master keys of the Worker that will read them.
 */
export async function demoSeedSql(
  now: number,
  keyring: Keyring,
): Promise<{ account: NewAccount; sql: string; statements: string[]; logs: number }> {
  const account = await newAccount("Demo (local only)", now, DEMO);
  // The shard's part: its account row, the jobs and their history. provisionAccount adds the control plane's.
  const statements: Statement[] = [...account.shardStatements];
  const logs: Array<Record<string, string | number | null>> = [];
  const from = now - HISTORY_DAYS * DAY;
  const streaks: Statement[] = [];
  for (const demo of DEMO_JOBS) {
    const input = CreateJobSchema.parse(demo.input);
    const built: NewJobRow = { ...buildNewJob(DEMO.account_id, input, from), id: demo.id };
    // History covers slots up to now; the engine takes over from the next one, so the two never overlap.
    built.nextRunAt = nextRunAt({ config: input.schedule_config, timezone: built.timezone, anchorAt: from }, now);
    built.updatedAt = now;
    // Sealed as the API would store it.
    const row = await sealJob({ ok: true, keyring }, built);
    const cols = Object.keys(row) as Array<keyof typeof row>;
    statements.push({
      sql: `INSERT INTO cron_jobs (${cols.map((c) => c.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`)).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})
        ON CONFLICT(id) DO UPDATE SET next_run_at = excluded.next_run_at
        WHERE cron_jobs.is_active = 1 AND cron_jobs.deleted_at IS NULL AND cron_jobs.next_run_at < excluded.next_run_at`,
      params: cols.map((c) => {
        const v = row[c];
        return typeof v === "boolean" ? Number(v) : v;
      }),
    });
    // A local D1 seeded before the demo hosts moved to .invalid still points at example.com: move it too.
    statements.push({
      sql: `UPDATE cron_jobs SET endpoint_url = ?, success_callback_url = ?, failure_callback_url = ?, callbacks = ?
        WHERE id = ? AND (endpoint_url LIKE '%.example.com/%' OR failure_callback_url LIKE '%.example.com/%')`,
      params: [row.endpointUrl, row.successCallbackUrl, row.failureCallbackUrl, row.callbacks, row.id],
    });
    const schedule = { config: input.schedule_config, timezone: row.timezone, anchorAt: from };
    const slots: number[] = [];
    for (let t = nextRunAt(schedule, from); t !== null && t <= now; t = nextRunAt(schedule, t)) slots.push(t);
    // Final outcomes in a row that failed, as the engine counts them (src/engine/record.ts): 0 after a success.
    let streak = 0;
    let lastSlot: number | null = null;
    for (const slot of slots) {
      let final: string | null = null;
      for (let attempt = 0; attempt <= row.maxRetries; attempt++) {
        const id = executionId(row.id, slot, attempt);
        // What the engine records: the mock executor's outcome judged by the job's success rules (src/engine/run.ts).
        const outcome = judge(
          row,
          mockOutcome({ executionId: id, timeoutSeconds: row.timeoutSeconds, endpointUrl: built.endpointUrl }),
        );
        const executedAt = slot + attempt * row.retryDelaySeconds * 1000 + (Number.parseInt(id.slice(-3), 36) % 4000);
        if (executedAt > now) break;
        logs.push({
          id,
          cron_job_id: row.id,
          account_id: DEMO.account_id,
          executed_at: executedAt,
          status: outcome.status,
          response_code: outcome.responseCode,
          response_body: outcome.responseBody,
          error_message: outcome.errorMessage,
          response_time_ms: outcome.responseTimeMs,
          retry_attempt: attempt,
          scheduled_at: slot,
          trigger: attempt > 0 ? "retry" : "schedule",
          decided_by: outcome.decidedBy ?? null,
        });
        final = outcome.status;
        if (outcome.status === "success") break;
      }
      if (final === null) continue;
      streak = final === "success" ? 0 : streak + 1;
      lastSlot = slot;
    }
    streaks.push({
      sql: "UPDATE cron_jobs SET consecutive_failures = ?, last_outcome_slot = ? WHERE id = ?",
      params: [streak, lastSlot, row.id],
    });
  }
  statements.push(...insertLogsSql(logs));
  // The demo history is written in bulk, so its counters are derived once here as src/engine/record.ts keeps them
  // live: failed counts every non-success, error and timeout also their own.
  statements.push({
    sql: `UPDATE cron_jobs SET
      total_executions = (SELECT count(*) FROM execution_logs l WHERE l.cron_job_id = cron_jobs.id),
      successful_executions = (SELECT count(*) FROM execution_logs l WHERE l.cron_job_id = cron_jobs.id AND l.status = 'success'),
      failed_executions = (SELECT count(*) FROM execution_logs l WHERE l.cron_job_id = cron_jobs.id AND l.status <> 'success'),
      error_executions = (SELECT count(*) FROM execution_logs l WHERE l.cron_job_id = cron_jobs.id AND l.status = 'error'),
      timeout_executions = (SELECT count(*) FROM execution_logs l WHERE l.cron_job_id = cron_jobs.id AND l.status = 'timeout'),
      last_run_at = (SELECT max(executed_at) FROM execution_logs l WHERE l.cron_job_id = cron_jobs.id),
      last_run_status = (SELECT status FROM execution_logs l WHERE l.cron_job_id = cron_jobs.id ORDER BY executed_at DESC, id DESC LIMIT 1)
      WHERE account_id = ?`,
    params: [DEMO.account_id],
  });
  statements.push(...streaks);
  const inlined = statements.map(inlineStatement);
  return { account, sql: inlined.map((s) => `${s};`).join("\n"), statements: inlined, logs: logs.length };
}
