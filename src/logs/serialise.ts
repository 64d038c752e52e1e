import type { ExecutionLogRow } from "../db/schema";
import { formatInstant } from "../http/dates";

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
  };
}
