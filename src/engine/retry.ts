import type { CronJobRow } from "../db/schema";
import type { ExecutionResult } from "../lib/execution";

/** Longest wait between attempts, whatever backoff or Retry-After asks for (Queues allow up to 12 h). */
export const MAX_RETRY_DELAY_SECONDS = 3600;

/**
 * Seconds before the attempt after `attempt`: the job's retry_delay_seconds, doubled per attempt with
 * `backoff: "exponential"`, or the endpoint's Retry-After on 429/503 — always capped.
 */
export function retryDelaySeconds(
  job: Pick<CronJobRow, "retryDelaySeconds" | "retryConfig">,
  attempt: number,
  result: Pick<ExecutionResult, "retryAfterSeconds">,
): number {
  if (result.retryAfterSeconds !== null && result.retryAfterSeconds >= 0) {
    return Math.min(Math.ceil(result.retryAfterSeconds), MAX_RETRY_DELAY_SECONDS);
  }
  const backoff = (JSON.parse(job.retryConfig) as { backoff?: string }).backoff;
  const delay = backoff === "exponential" ? job.retryDelaySeconds * 2 ** attempt : job.retryDelaySeconds;
  return Math.min(delay, MAX_RETRY_DELAY_SECONDS);
}
