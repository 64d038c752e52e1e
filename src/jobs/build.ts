import { alertPolicyColumn, RESET_ALERT_STREAK } from "../alerts/policy";
import type { CronJobRow } from "../db/schema";
import { refuseFields } from "../lib/field-error";
import { toCronString } from "../lib/schedule/cron-string";
import { completionColumns } from "./completion";
import { storedNotify } from "./notify";
import { pauseColumns, pauseErrors, requestedUntil } from "./pause";
import type { CALLBACK_NOTIFY_INPUT } from "./response.schemas";
import { endedScheduleError, pastRunAtError } from "./schedule-end";
import { requestedState, ScheduleEndedError, stateColumns } from "./state";

type CallbackNotifyInput = (typeof CALLBACK_NOTIFY_INPUT)[number];

import { nextRunAt } from "../lib/schedule/next-run";
import type { ScheduleConfig } from "../lib/schedule/schema";
import type { Callbacks, RetryConfig } from "./response.schemas";
import type { CreateJobInput, UpdateJobInput } from "./schemas";
import { CALLBACK_DEFAULTS, RETRY_DEFAULTS } from "./schemas";
import { successRulesOf } from "./success-rules";
import { SUCCESS_RULE_DEFAULTS, type SuccessRules } from "./success-rules.schemas";

export type NewJobRow = Omit<
  CronJobRow,
  | "lastRunAt"
  | "lastRunStatus"
  | "consecutiveFailures"
  | "occurrences"
  | "totalExecutions"
  | "successfulExecutions"
  | "failedExecutions"
  | "errorExecutions"
  | "timeoutExecutions"
  | "deletedAt"
  | "lastClaimedSlot"
  | "lastOutcomeSlot"
  // The open missed span (src/engine/catchup.ts): the claims keep it.
  | "missedFrom"
  // Assigned by the database on insert (migration 0016).
  | "num"
  // Set when the row is sealed (src/jobs/secrets.ts).
  | "secrets"
  | "skippedRuns"
  | "skippedPaused"
  | "skippedMissed"
  | "skippedCalendar"
  | "skippedMaintenance"
  | "alertStreakAlertedAt"
  | "alertLastAt"
  | "alertSlowSince"
  | "alertMissedAt"
  | "alertSkippedAt"
  | "alertLateAt"
  | "alertDeadAt"
  | "alertSloBurnAt"
  // Set by the recording batch that disables the job (src/alerts/fire.ts).
  | "disabledAt"
  | "disabledReason"
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

function retryColumns(retry: RetryConfig) {
  return {
    maxRetries: retry.max_retries,
    retryDelaySeconds: retry.retry_delay_seconds,
    timeoutSeconds: retry.timeout_seconds,
    retryConfig: JSON.stringify(retry),
  };
}

function callbackColumns(given: Omit<Callbacks, "notify"> & { notify: CallbackNotifyInput }) {
  const cb: Callbacks = { ...given, notify: storedNotify(given.notify) };
  return {
    successCallbackUrl: cb.success_url ?? null,
    failureCallbackUrl: cb.failure_url ?? null,
    callbacks: JSON.stringify(cb),
  };
}

/** success_rules as stored: JSON of the whole set, defaults applied (src/jobs/success-rules.ts reads it). */
function successRulesColumn(rules: SuccessRules): string {
  return JSON.stringify(rules);
}

/** A new job's pause columns before its request applies. */
const NOT_PAUSED = { state: "active", pausedUntil: null, pauseReason: null, pausedAt: null } as const;

export function buildNewJob(accountId: string, input: CreateJobInput, now: number): NewJobRow {
  const state = input.is_active === false || requestedUntil(input) ? "paused" : "active";
  refuseFields([
    endedScheduleError(input.schedule_config, input.timezone, now),
    pastRunAtError(input.schedule_config, now),
    ...pauseErrors(input, now, state),
  ]);
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
    secretHeaders: JSON.stringify(input.secret_headers ?? []),
    secretQueryParams: JSON.stringify(input.secret_query_params ?? []),
    bodyIsSecret: input.body_is_secret ?? false,
    timezone: input.timezone,
    schedule: toCronString(input.schedule_config, input.timezone),
    scheduleConfig,
    scheduleAnchorAt: now,
    ...stateColumns(state),
    pausedUntil: null,
    pauseReason: null,
    pausedAt: null,
    ...pauseColumns(NOT_PAUSED, state, input, now),
    ...retryColumns({ ...RETRY_DEFAULTS, ...stripUndefined(input.retry_config ?? {}) }),
    ...callbackColumns({ ...CALLBACK_DEFAULTS, ...stripUndefined(input.callbacks ?? {}) }),
    tags: JSON.stringify(input.tags ?? []),
    requestSignature: input.request_signature ?? true,
    jitterSeconds: input.jitter_seconds ?? 0,
    overlapPolicy: input.overlap_policy ?? "allow",
    catchup: input.catchup ?? "latest",
    maxLatenessSeconds: input.max_lateness_seconds ?? null,
    completionMode: null,
    completionTimeoutSeconds: null,
    ...completionColumns(input),
    alertPolicy: alertPolicyColumn(undefined, input.alerts).alertPolicy ?? null,
    successRules: successRulesColumn({ ...SUCCESS_RULE_DEFAULTS, ...stripUndefined(input.success_rules ?? {}) }),
    createdAt: now,
    updatedAt: now,
  };
  return {
    ...row,
    nextRunAt: computeNextRun({ ...row, occurrences: 0 }, now),
  };
}

/**
 * Columns an update changes: headers, tags and schedule_config replace whole; retry_config and callbacks merge.
 * A new schedule or timezone restarts the counts; any schedule, timezone or is_active change recomputes next_run_at.
 */
export function buildUpdate(current: CronJobRow, input: UpdateJobInput, now: number): Partial<CronJobRow> {
  const set: Partial<CronJobRow> = { updatedAt: now };
  if (input.name !== undefined) set.name = input.name;
  if (input.description !== undefined) set.description = input.description;
  if (input.endpoint_url !== undefined) set.endpointUrl = input.endpoint_url;
  if (input.method !== undefined) set.method = input.method;
  if (input.headers !== undefined) set.headers = JSON.stringify(input.headers);
  if (input.body !== undefined) set.body = input.body;
  if (input.secret_headers !== undefined) set.secretHeaders = JSON.stringify(input.secret_headers);
  if (input.secret_query_params !== undefined) set.secretQueryParams = JSON.stringify(input.secret_query_params);
  if (input.body_is_secret !== undefined) set.bodyIsSecret = input.body_is_secret;
  if (input.tags !== undefined) set.tags = JSON.stringify(input.tags);
  if (input.request_signature !== undefined) set.requestSignature = input.request_signature;
  if (input.jitter_seconds !== undefined) set.jitterSeconds = input.jitter_seconds;
  if (input.overlap_policy !== undefined) set.overlapPolicy = input.overlap_policy;
  if (input.catchup !== undefined) set.catchup = input.catchup;
  if (input.max_lateness_seconds !== undefined) set.maxLatenessSeconds = input.max_lateness_seconds;
  Object.assign(set, completionColumns(input));
  Object.assign(set, alertPolicyColumn(current, input.alerts));
  if (input.retry_config !== undefined) {
    const stored = JSON.parse(current.retryConfig) as Partial<RetryConfig>;
    Object.assign(set, retryColumns({ ...RETRY_DEFAULTS, ...stored, ...stripUndefined(input.retry_config) }));
  }
  if (input.success_rules !== undefined) {
    const merged = { ...successRulesOf(current), ...stripUndefined(input.success_rules) };
    set.successRules = successRulesColumn(merged);
  }
  if (input.callbacks !== undefined) {
    const stored = JSON.parse(current.callbacks) as Partial<Callbacks>;
    Object.assign(set, callbackColumns({ ...CALLBACK_DEFAULTS, ...stored, ...stripUndefined(input.callbacks) }));
  }
  // Sending the schedule or timezone the job already has (a client echoing the job object) changes nothing.
  // exclude_calendars alone is no new schedule: the slots, their anchor and their count stay.
  const storedConfig = JSON.parse(current.scheduleConfig) as ScheduleConfig;
  const newSchedule =
    input.schedule_config !== undefined &&
    !sameJson(withoutExclusions(input.schedule_config), withoutExclusions(storedConfig));
  if (
    input.schedule_config !== undefined &&
    !newSchedule &&
    !sameJson(input.schedule_config.exclude_calendars ?? [], storedConfig.exclude_calendars ?? [])
  )
    set.scheduleConfig = JSON.stringify(input.schedule_config);
  const newTimezone = input.timezone !== undefined && input.timezone !== current.timezone;
  const scheduleChanged = newSchedule || newTimezone;
  if (newSchedule && input.schedule_config) set.scheduleConfig = JSON.stringify(input.schedule_config);
  if (newTimezone) set.timezone = input.timezone;
  if (scheduleChanged) {
    const config = input.schedule_config ?? (JSON.parse(current.scheduleConfig) as ScheduleConfig);
    const timezone = input.timezone ?? current.timezone;
    refuseFields([endedScheduleError(config, timezone, now), pastRunAtError(config, now)]);
    // A one-off's pinned cron string depends on the zone too.
    set.schedule = toCronString(config, timezone);
    set.scheduleAnchorAt = now;
    set.occurrences = 0;
  }
  // An echoed is_active with no new schedule changes nothing, not even completed → paused. A new paused_until
  // pauses, as is_active: false does.
  const until = requestedUntil(input);
  const isActive =
    until !== undefined && until !== null && until !== current.pausedUntil
      ? false
      : input.is_active === current.isActive && !scheduleChanged
        ? undefined
        : input.is_active;
  const state = requestedState(current.state, isActive, scheduleChanged);
  refuseFields(pauseErrors(input, now, state, current.pausedUntil));
  if (state !== current.state) Object.assign(set, stateColumns(state));
  Object.assign(set, pauseColumns(current, state, input, now));
  // A new schedule during a pause: the paused span counts the new schedule's slots, from now.
  if (scheduleChanged && state === "paused" && current.state === "paused") set.pausedAt = now;
  // Re-enabling a job the alert policy disabled starts a new failure streak (docs/API-NOTES.md "Alerts").
  if (current.state === "disabled" && state === "active") Object.assign(set, RESET_ALERT_STREAK);
  // disabled_at / disabled_reason describe the disabled state only: leaving it clears them.
  if (current.state === "disabled" && state !== "disabled")
    Object.assign(set, { disabledAt: null, disabledReason: null });
  if (scheduleChanged || state !== current.state) {
    set.nextRunAt = computeNextRun({ ...current, ...set }, now);
    // Slots skipped while paused or under the old schedule are not missed: the next missed slot starts a new span.
    set.missedFrom = null;
    // Resuming a job whose schedule has no run left (it ended while paused) would leave it active for ever.
    if (current.state !== "active" && state === "active" && set.nextRunAt === null) throw new ScheduleEndedError();
  }
  return set;
}

const withoutExclusions = (c: ScheduleConfig) => ({ ...c, exclude_calendars: undefined });

/** Deep equality of two JSON values, key order ignored (a stored config and a re-parsed echo of it). */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
