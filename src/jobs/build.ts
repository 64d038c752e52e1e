import type { CronJobRow } from "../db/schema";
import { toCronString } from "../schedule/cron-string";
import { nextRunAt } from "../schedule/next-run";
import type { CreateJobInput, UpdateJobInput } from "../schemas/jobs";
import { CallbacksSchema, RetryConfigSchema } from "../schemas/jobs";
import type { ScheduleConfig } from "../schemas/schedule";

export type NewJobRow = Omit<
  CronJobRow,
  | "lastRunAt"
  | "lastRunStatus"
  | "consecutiveFailures"
  | "occurrences"
  | "totalExecutions"
  | "successfulExecutions"
  | "failedExecutions"
  | "deletedAt"
>;

/** The next run for a live job; paused jobs have none until they are resumed. */
export function computeNextRun(
  row: Pick<CronJobRow, "scheduleConfig" | "timezone" | "scheduleAnchorAt" | "isActive" | "occurrences">,
  after: number,
): number | null {
  if (!row.isActive) return null;
  const config = JSON.parse(row.scheduleConfig) as ScheduleConfig;
  return nextRunAt({ config, timezone: row.timezone, anchorAt: row.scheduleAnchorAt }, after, row.occurrences);
}

function retryColumns(retry: ReturnType<typeof RetryConfigSchema.parse>) {
  return {
    maxRetries: retry.max_retries,
    retryDelaySeconds: retry.retry_delay_seconds,
    timeoutSeconds: retry.timeout_seconds,
    retryConfig: JSON.stringify(retry),
  };
}

function callbackColumns(cb: ReturnType<typeof CallbacksSchema.parse>) {
  return {
    successCallbackUrl: cb.success_url ?? null,
    failureCallbackUrl: cb.failure_url ?? null,
    callbacks: JSON.stringify(cb),
  };
}

export function buildNewJob(accountId: string, input: CreateJobInput, now: number): NewJobRow {
  const isActive = input.is_active ?? true;
  const scheduleConfig = JSON.stringify(input.schedule_config);
  const row = {
    id: crypto.randomUUID(),
    accountId,
    name: input.name,
    description: input.description ?? null,
    endpointUrl: input.endpoint_url,
    method: input.method,
    headers: JSON.stringify(input.headers ?? {}),
    body: input.body ?? null,
    timezone: input.timezone,
    schedule: toCronString(input.schedule_config),
    scheduleConfig,
    scheduleAnchorAt: now,
    isActive,
    ...retryColumns(RetryConfigSchema.parse(input.retry_config ?? {})),
    ...callbackColumns(CallbacksSchema.parse(input.callbacks ?? {})),
    tags: JSON.stringify(input.tags ?? []),
    createdAt: now,
    updatedAt: now,
  };
  return {
    ...row,
    nextRunAt: computeNextRun({ ...row, occurrences: 0 }, now),
  };
}

/**
 * The columns an update changes. headers, tags and schedule_config replace the stored value whole;
 * retry_config and callbacks merge field by field. A new schedule or timezone restarts the period
 * count (anchor) and the occurrence count; any schedule, timezone or is_active change recomputes next_run_at.
 */
export function buildUpdate(current: CronJobRow, input: UpdateJobInput, now: number): Partial<CronJobRow> {
  const set: Partial<CronJobRow> = { updatedAt: now };
  if (input.name !== undefined) set.name = input.name;
  if (input.description !== undefined) set.description = input.description;
  if (input.endpoint_url !== undefined) set.endpointUrl = input.endpoint_url;
  if (input.method !== undefined) set.method = input.method;
  if (input.headers !== undefined) set.headers = JSON.stringify(input.headers);
  if (input.body !== undefined) set.body = input.body;
  if (input.tags !== undefined) set.tags = JSON.stringify(input.tags);
  if (input.retry_config !== undefined) {
    const merged = { ...JSON.parse(current.retryConfig), ...stripUndefined(input.retry_config) };
    Object.assign(set, retryColumns(RetryConfigSchema.parse(merged)));
  }
  if (input.callbacks !== undefined) {
    const merged = { ...JSON.parse(current.callbacks), ...stripUndefined(input.callbacks) };
    Object.assign(set, callbackColumns(CallbacksSchema.parse(merged)));
  }
  const scheduleChanged = input.schedule_config !== undefined || input.timezone !== undefined;
  if (input.schedule_config !== undefined) {
    set.scheduleConfig = JSON.stringify(input.schedule_config);
    set.schedule = toCronString(input.schedule_config);
  }
  if (input.timezone !== undefined) set.timezone = input.timezone;
  if (scheduleChanged) {
    set.scheduleAnchorAt = now;
    set.occurrences = 0;
  }
  if (input.is_active !== undefined) set.isActive = input.is_active;
  if (scheduleChanged || (input.is_active !== undefined && input.is_active !== current.isActive)) {
    set.nextRunAt = computeNextRun({ ...current, ...set }, now);
  }
  return set;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
