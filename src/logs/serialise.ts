import type { ExecutionLogRow } from "../db/schema";
import { formatInstant } from "../lib/dates";
import type { StatsFigures } from "./stats";

/** Row → the contract's execution log object (`execution_id` mirrors `id` for A1Base's client). */
export function serialiseLog(row: ExecutionLogRow) {
  return {
    id: row.id,
    execution_id: row.id,
    cron_job_id: row.cronJobId,
    executed_at: formatInstant(row.executedAt),
    status: row.status,
    response_code: row.responseCode,
    response_body: row.responseBody,
    error_message: row.errorMessage,
    response_time_ms: row.responseTimeMs,
    retry_attempt: row.retryAttempt,
    scheduled_at: row.scheduledAt === null ? null : formatInstant(row.scheduledAt),
    trigger: row.trigger,
    response_headers: row.responseHeaders === null ? null : (JSON.parse(row.responseHeaders) as Record<string, string>),
    decided_by: row.decidedBy,
  };
}

export type SerialisedLog = ReturnType<typeof serialiseLog>;

/** Stats figures → the wire shape: success_rate derived, response times nested. */
export function serialiseFigures(f: StatsFigures) {
  return {
    total: f.total,
    success: f.success,
    failure: f.failure,
    error: f.error,
    timeout: f.timeout,
    success_rate: f.total === 0 ? null : f.success / f.total,
    response_time_ms: { p50: f.p50, p95: f.p95, p99: f.p99, max: f.max },
  };
}
