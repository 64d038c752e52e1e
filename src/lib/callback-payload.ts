import type { CronJobRow, ExecutionStatus } from "../db/schema";
import { formatInstant } from "./dates";
import type { ExecutionResult } from "./execution";

export interface CallbackPayload {
  cron_job_id: string;
  cron_job_name: string;
  execution_id: string;
  status: ExecutionStatus;
  executed_at: string;
  response_code: number | null;
  response_time_ms: number | null;
  response_body: string | null;
  error_message: string | null;
  retry_attempt: number;
  next_retry_at: string | null;
}

export interface AttemptFacts {
  executionId: string;
  executedAt: number;
  attempt: number;
  result: ExecutionResult;
  /** When the next attempt runs (epoch ms), or null when this was the final attempt. */
  nextRetryAt: number | null;
}

/** The webhook body (A1Cron's payload): `next_retry_at` is set while a retry is pending. */
export function callbackPayload(job: Pick<CronJobRow, "id" | "name">, a: AttemptFacts): CallbackPayload {
  return {
    cron_job_id: job.id,
    cron_job_name: job.name,
    execution_id: a.executionId,
    status: a.result.status,
    executed_at: formatInstant(a.executedAt),
    response_code: a.result.responseCode,
    response_time_ms: a.result.responseTimeMs,
    response_body: a.result.responseBody,
    error_message: a.result.errorMessage,
    retry_attempt: a.attempt,
    next_retry_at: a.nextRetryAt === null ? null : formatInstant(a.nextRetryAt),
  };
}
