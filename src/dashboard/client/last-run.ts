/**
 * The job page's last-run line, pure. last_run_* follow final outcomes only (docs/API-NOTES.md "Retries and
 * callbacks"), so the newest log tells that a run with retries left is still in flight.
 */
import type { ExecutionLog, Job } from "./types";

/** The engine's cap on any wait between attempts (src/engine/retry.ts MAX_RETRY_DELAY_SECONDS). */
const MAX_RETRY_DELAY_SECONDS = 3600;

export type LastRun =
  | { kind: "never" }
  | { kind: "final"; at: string; status: string | null }
  /** A run whose newest attempt failed with retries left: `attempt` of `of` is next, at `nextAt` (ISO). */
  | { kind: "retrying"; attempt: number; of: number; nextAt: string | null; previous: LastRun }
  /** A run whose newest attempt failed with retries left while the job is paused or disabled: they are skipped. */
  | { kind: "stopped"; attempt: number; of: number; state: "paused" | "disabled"; previous: LastRun }
  /** Executions recorded but no final outcome and nothing to say when the next attempt is. */
  | { kind: "running" };

type JobFields = Pick<
  Job,
  | "state"
  | "last_run_at"
  | "last_run_status"
  | "total_executions"
  | "max_retries"
  | "retry_delay_seconds"
  | "retry_config"
>;
type LogFields = Pick<ExecutionLog, "executed_at" | "status" | "retry_attempt" | "response_code" | "response_headers">;

/** The engine's wait after failed attempt `attempt` (0-based), mirroring src/engine/retry.ts. */
export function retryDelaySeconds(job: JobFields, log: LogFields): number {
  const header = log.response_headers?.["retry-after"];
  if ((log.response_code === 429 || log.response_code === 503) && header !== undefined) {
    const seconds = /^\d+$/.test(header.trim())
      ? Number(header)
      : (Date.parse(header) - Date.parse(log.executed_at)) / 1000;
    if (Number.isFinite(seconds)) return Math.min(Math.max(0, Math.ceil(seconds)), MAX_RETRY_DELAY_SECONDS);
  }
  const exponential = (job.retry_config as { backoff?: unknown }).backoff === "exponential";
  const delay = exponential ? job.retry_delay_seconds * 2 ** log.retry_attempt : job.retry_delay_seconds;
  return Math.min(delay, MAX_RETRY_DELAY_SECONDS);
}

/** The last run as the job page shows it; `latest` is the job's newest log (null when it has none). */
export function lastRun(job: JobFields, latest: LogFields | null): LastRun {
  const final: LastRun = job.last_run_at
    ? { kind: "final", at: job.last_run_at, status: job.last_run_status }
    : { kind: "never" };
  // A log newer than the last final outcome is an attempt of a run that has not ended.
  const newer = latest && (!job.last_run_at || Date.parse(latest.executed_at) > Date.parse(job.last_run_at));
  if (latest && newer && latest.status !== "success" && latest.retry_attempt < job.max_retries) {
    const of = job.max_retries + 1;
    // Pending retries of a paused or disabled job are skipped (docs/API-NOTES.md "Job states").
    if (job.state === "paused" || job.state === "disabled") {
      return { kind: "stopped", attempt: latest.retry_attempt + 1, of, state: job.state, previous: final };
    }
    const next = Date.parse(latest.executed_at) + retryDelaySeconds(job, latest) * 1000;
    return {
      kind: "retrying",
      attempt: latest.retry_attempt + 2,
      of,
      nextAt: Number.isFinite(next) ? new Date(next).toISOString() : null,
      previous: final,
    };
  }
  if (!job.last_run_at && job.total_executions > 0) return { kind: "running" };
  return final;
}
