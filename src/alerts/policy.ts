import type { CronJobRow } from "../db/schema";
import type { AlertPolicy, AlertPolicyInput } from "./schemas";

/** What a job alerts with when `alerts`, or one of its fields, is not given: no channels, so no alert goes out. */
export const ALERT_DEFAULTS: AlertPolicy = {
  channels: [],
  after_consecutive_failures: 1,
  remind_every_minutes: null,
  on_recovery: true,
  slow_run: null,
  auto_disable_after: null,
  on_missed: false,
  on_skipped: false,
  late_after_seconds: null,
  on_dead_lettered: false,
  slo: null,
};
const SLOW_DEFAULTS = { measure: "run", window: 20 } as const;
const SLO_UNSET = { success_rate: null, latency_ms: null, latency_target: null } as const;

/** A job's alert policy with every default applied (a job stored before alerts existed has none: the defaults). */
export function alertPolicy(row: Pick<CronJobRow, "alertPolicy">): AlertPolicy {
  if (!row.alertPolicy) return ALERT_DEFAULTS;
  const stored = JSON.parse(row.alertPolicy) as Partial<AlertPolicy>;
  const slow = stored.slow_run ? { ...SLOW_DEFAULTS, ...stored.slow_run } : null;
  const slo = stored.slo ? { ...SLO_UNSET, ...stored.slo } : null;
  return { ...ALERT_DEFAULTS, ...stored, slow_run: slow, slo };
}

/** The stored policy after a create or update: fields sent replace stored ones (`channels`, `slow_run`, `slo` whole). */
export function mergeAlertPolicy(current: AlertPolicy | undefined, input: AlertPolicyInput): AlertPolicy {
  const merged: AlertPolicy = { ...(current ?? ALERT_DEFAULTS) };
  if (input.channels !== undefined) merged.channels = input.channels;
  if (input.after_consecutive_failures !== undefined)
    merged.after_consecutive_failures = input.after_consecutive_failures;
  if (input.remind_every_minutes !== undefined) merged.remind_every_minutes = input.remind_every_minutes;
  if (input.on_recovery !== undefined) merged.on_recovery = input.on_recovery;
  if (input.auto_disable_after !== undefined) merged.auto_disable_after = input.auto_disable_after;
  if (input.on_missed !== undefined) merged.on_missed = input.on_missed;
  if (input.on_skipped !== undefined) merged.on_skipped = input.on_skipped;
  if (input.late_after_seconds !== undefined) merged.late_after_seconds = input.late_after_seconds;
  if (input.on_dead_lettered !== undefined) merged.on_dead_lettered = input.on_dead_lettered;
  if (input.slo !== undefined)
    merged.slo =
      input.slo === null
        ? null
        : {
            success_rate: input.slo.success_rate ?? null,
            latency_ms: input.slo.latency_ms ?? null,
            latency_target: input.slo.latency_target ?? null,
            window_days: input.slo.window_days,
            burn_alerts: input.slo.burn_alerts,
          };
  if (input.slow_run !== undefined)
    merged.slow_run =
      input.slow_run === null
        ? null
        : {
            threshold_ms: input.slow_run.threshold_ms,
            measure: input.slow_run.measure ?? SLOW_DEFAULTS.measure,
            window: input.slow_run.window ?? SLOW_DEFAULTS.window,
          };
  return merged;
}

/** The column an alerts input writes (create: over the defaults; update: over the stored policy). */
export function alertPolicyColumn(
  current: Pick<CronJobRow, "alertPolicy"> | undefined,
  input: AlertPolicyInput | undefined,
): Partial<Pick<CronJobRow, "alertPolicy" | "alertSloBurnAt">> {
  if (input === undefined) return {};
  const before = current ? alertPolicy(current) : undefined;
  const merged = mergeAlertPolicy(before, input);
  // A changed or removed SLO ends the spell, so a burn under the new objective alerts rather than stays silent.
  const sloChanged = JSON.stringify(before?.slo ?? null) !== JSON.stringify(merged.slo ?? null);
  return { alertPolicy: JSON.stringify(merged), ...(sloChanged ? { alertSloBurnAt: null } : {}) };
}

/**
 * Re-enabling a disabled job starts a new streak: no failures counted, nothing alerted (docs/API-NOTES.md "Alerts").
 */
export const RESET_ALERT_STREAK = {
  consecutiveFailures: 0,
  alertStreakAlertedAt: null,
  alertLastAt: null,
  alertSlowSince: null,
  alertMissedAt: null,
  alertSkippedAt: null,
  alertLateAt: null,
  alertDeadAt: null,
  alertSloBurnAt: null,
} satisfies Partial<CronJobRow>;
