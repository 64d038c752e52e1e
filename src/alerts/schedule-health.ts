import { and, eq, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type AlertEvent, cronJobs, type RunReason, type RunRow } from "../db/schema";
import type { AlertPolicy } from "./schemas";

/**
 * Schedule-health alerts (docs/API-NOTES.md "Alerts"): `missed`, `skipped`, `late` and `dead_lettered`, each
 * opted into by the job's alert policy. Like `slow`, each alerts once per spell, and like a failure streak, the
 * spell reminds every remind_every_minutes while it lasts. The job row keeps each spell's latest alert
 * (alert_<event>_at, null outside a spell), so the conditions are SQL on the row as the batch finds it: a
 * duplicate batch finds the spell alerted and fires nothing.
 *
 * Spells end in the recording batch of an attempt that is not so: a scheduled first attempt that started in time
 * ends `late`, one recorded (not dead) ends `skipped` and `missed`, and any attempt not dead ends `dead_lettered`.
 */
export type HealthEvent = Extract<AlertEvent, "missed" | "skipped" | "late" | "dead_lettered">;

const SPELL = {
  missed: cronJobs.alertMissedAt,
  skipped: cronJobs.alertSkippedAt,
  late: cronJobs.alertLateAt,
  dead_lettered: cronJobs.alertDeadAt,
} as const;
const SPELL_KEY = {
  missed: "alertMissedAt",
  skipped: "alertSkippedAt",
  late: "alertLateAt",
  dead_lettered: "alertDeadAt",
} as const;

/** Whether the policy opts into `event` (and has a channel to send it on). */
export function healthOptedIn(policy: AlertPolicy, event: HealthEvent): boolean {
  if (policy.channels.length === 0) return false;
  switch (event) {
    case "missed":
      return policy.on_missed;
    case "skipped":
      return policy.on_skipped;
    case "late":
      return policy.late_after_seconds !== null;
    case "dead_lettered":
      return policy.on_dead_lettered;
  }
}

/** SQL on the job row: an occurrence at `at` alerts, as no spell is open or its latest alert is a reminder old. */
export function spellFires(event: HealthEvent, at: number, policy: AlertPolicy): SQL {
  const col = SPELL[event];
  const R = policy.remind_every_minutes;
  return R === null ? sql`(${col} IS NULL)` : sql`(${col} IS NULL OR ${col} <= ${at - R * 60_000})`;
}

/**
 * The one UPDATE of the job's spells after a batch's occurrences (`fired`) and ends (`ended`): it must follow the
 * statements reading the spells. `guard` holds where the batch's own writes do (no log yet, the claim won). Null
 * when there is nothing to change; it writes the row only when a spell opens, reminds or closes.
 */
export function spellUpdate(
  db: Db,
  jobId: string,
  at: number,
  policy: AlertPolicy,
  change: { fired: readonly HealthEvent[]; ended: readonly HealthEvent[] },
  guard: SQL,
) {
  if (change.fired.length === 0 && change.ended.length === 0) return null;
  const set: Partial<Record<(typeof SPELL_KEY)[HealthEvent], SQL>> = {};
  const changes: SQL[] = [];
  for (const e of change.fired) {
    const fires = spellFires(e, at, policy);
    set[SPELL_KEY[e]] = sql`CASE WHEN ${fires} THEN ${at} ELSE ${SPELL[e]} END`;
    changes.push(fires);
  }
  for (const e of change.ended) {
    set[SPELL_KEY[e]] = sql`NULL`;
    changes.push(sql`${SPELL[e]} IS NOT NULL`);
  }
  return db
    .update(cronJobs)
    .set(set)
    .where(and(eq(cronJobs.id, jobId), guard, or(...changes)));
}

/** What a recorded attempt says about the job's schedule health, for the events the policy opts into. */
export interface AttemptHealth {
  /** `late` (with when it was due) and `dead_lettered` (with why), when this attempt is so. */
  occurs: Array<
    | { event: "late"; late: { plannedAt: number; thresholdSeconds: number } }
    | { event: "dead_lettered"; dead: Extract<RunReason, "undelivered" | "outcome_unknown"> }
  >;
  ended: HealthEvent[];
}

export function attemptHealth(
  policy: AlertPolicy,
  run: Pick<RunRow, "origin" | "attempt" | "plannedAt">,
  executedAt: number,
  dead: Extract<RunReason, "undelivered" | "outcome_unknown"> | null,
): AttemptHealth {
  const out: AttemptHealth = { occurs: [], ended: [] };
  // A slot's first attempt: retries and manual runs are not due at a slot.
  const slotStart = run.origin === "schedule" && run.attempt === 0;
  const L = policy.late_after_seconds;
  if (slotStart && L !== null && healthOptedIn(policy, "late")) {
    // Late against the planned start (slot plus jitter), so a job's own jitter is never lateness.
    if (executedAt - run.plannedAt > L * 1000)
      out.occurs.push({ event: "late", late: { plannedAt: run.plannedAt, thresholdSeconds: L } });
    else out.ended.push("late");
  }
  if (healthOptedIn(policy, "dead_lettered")) {
    if (dead) out.occurs.push({ event: "dead_lettered", dead });
    else out.ended.push("dead_lettered");
  }
  if (slotStart && !dead) {
    if (healthOptedIn(policy, "skipped")) out.ended.push("skipped");
    if (healthOptedIn(policy, "missed")) out.ended.push("missed");
  }
  return out;
}
