import { alertPolicy } from "../alerts/policy";
import type { CronJobRow, ExecutionStatus } from "../db/schema";
import { formatInstant, formatInstantOrNull } from "../lib/dates";
import { toCronStrings } from "../lib/schedule/cron-string";
import { nextRuns } from "../lib/schedule/next-run";
import type { ScheduleConfig } from "../lib/schedule/schema";
import { presentCompletion } from "./completion";
import { notifyMode } from "./notify";
import { presentPause } from "./pause";
import { jobWarnings } from "./request-checks";
import type { RetryConfig } from "./response.schemas";
import { type HTTP_METHODS, RETRY_DEFAULTS } from "./schemas";
import { successRulesOf } from "./success-rules";

/** How many upcoming runs a job object previews. */
const PREVIEW_RUNS = 3;

/**
 * Row → the A1Cron job object (flattened fields) plus what A1Base's own client reads
 * (nested schedule_config / retry_config / callbacks and the execution counters).
 */
export function serialiseJob(row: CronJobRow) {
  const config = JSON.parse(row.scheduleConfig) as ScheduleConfig;
  const [hours, minutes] = config.time ? config.time.split(":").map(Number) : [null, null];
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    endpoint_url: row.endpointUrl,
    schedule: row.schedule,
    schedules: toCronStrings(config, row.timezone),
    method: row.method as (typeof HTTP_METHODS)[number],
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: row.body,
    secret_headers: JSON.parse(row.secretHeaders) as string[],
    secret_query_params: JSON.parse(row.secretQueryParams) as string[],
    body_is_secret: row.bodyIsSecret,
    is_active: row.isActive,
    ...presentPause(row),
    state: row.state,
    disabled_at: formatInstantOrNull(row.disabledAt),
    disabled_reason: row.disabledReason,
    timezone: row.timezone,
    repeat_type: config.repeat_type ?? null,
    repeat_every: config.repeat_type ? (config.repeat_every ?? 1) : null,
    days_of_week: config.days_of_week ?? null,
    day_of_month: config.day_of_month ?? null,
    hours: config.repeat_type === "hourly" ? null : (hours ?? null),
    minutes: minutes ?? null,
    end_type: config.end_type ?? "never",
    end_date: config.end_date ?? null,
    end_occurrences: config.end_occurrences ?? null,
    max_retries: row.maxRetries,
    retry_delay_seconds: row.retryDelaySeconds,
    timeout_seconds: row.timeoutSeconds,
    success_callback_url: row.successCallbackUrl,
    failure_callback_url: row.failureCallbackUrl,
    tags: JSON.parse(row.tags) as string[],
    request_signature: row.requestSignature,
    jitter_seconds: row.jitterSeconds,
    overlap_policy: row.overlapPolicy,
    catchup: row.catchup,
    max_lateness_seconds: row.maxLatenessSeconds,
    skipped_runs: row.skippedRuns,
    completion: presentCompletion(row),
    alerts: alertPolicy(row),
    next_run_at: formatInstantOrNull(row.nextRunAt),
    next_runs: previewRuns(row, config).map(formatInstant),
    last_run_at: formatInstantOrNull(row.lastRunAt),
    last_run_status: row.lastRunStatus as ExecutionStatus | null,
    consecutive_failures: row.consecutiveFailures,
    total_executions: row.totalExecutions,
    successful_executions: row.successfulExecutions,
    failed_executions: row.failedExecutions,
    schedule_config: config,
    retry_config: { ...RETRY_DEFAULTS, ...(JSON.parse(row.retryConfig) as Partial<RetryConfig>) },
    success_rules: successRulesOf(row),
    callbacks: {
      success_url: row.successCallbackUrl,
      failure_url: row.failureCallbackUrl,
      notify: notifyMode(row),
    },
    warnings: jobWarnings(row),
    created_at: formatInstant(row.createdAt),
    updated_at: formatInstant(row.updatedAt),
  };
}

/** next_run_at followed by the runs after it, so the preview always agrees with the scheduler. */
function previewRuns(row: CronJobRow, config: ScheduleConfig): number[] {
  if (row.nextRunAt === null) return [];
  const schedule = { config, timezone: row.timezone, anchorAt: row.scheduleAnchorAt };
  return [row.nextRunAt, ...nextRuns(schedule, row.nextRunAt, PREVIEW_RUNS - 1, row.occurrences + 1)];
}
