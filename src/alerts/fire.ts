import { and, desc, eq, isNotNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobNumber } from "../db/numbers";
import {
  type AlertEvent,
  type CronJobRow,
  cronJobs,
  executionStatuses,
  logs,
  type RunReason,
  type RunRow,
} from "../db/schema";
import { insertDeliveryStatement, type NewDelivery } from "../deliveries/store";
import type { AttemptFacts } from "../lib/callback-payload";
import type { AlertMessage, ConditionalEntry, OutboxEntry } from "../lib/messages";
import {
  type AlertFacts,
  type AnyAlertFacts,
  channelPayload,
  channelTarget,
  type ScheduleAlertFacts,
} from "./payloads";
import { alertPolicy } from "./policy";
import { attemptHealth, healthOptedIn, spellFires, spellUpdate } from "./schedule-health";
import type { AlertChannel, AlertPolicy } from "./schemas";
import { type BurnReader, evaluateSlo } from "./slo";

/** A statement of the recording batch (drizzle query builder). */
type Statement = Parameters<Db["batch"]>[0][number];

/** The alert side of an attempt's recording: outbox entries (with conditions) and the batch statements. */
export interface AlertPlan {
  entries: ConditionalEntry[];
  /**
   * Recording-batch statements, after the outbox and before the job's UPDATE so conditions read the old job row:
   * delivery rows, then one UPDATE of the alert state (and `disabled` at auto_disable_after).
   */
  statements: (newer: SQL, logMissing: SQL) => Statement[];
}

const NONE: AlertPlan = { entries: [], statements: () => [] };

/** p95 by nearest rank (the smallest value with at least 95 % of the sample at or below it). */
export function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
}

/**
 * Whether this attempt makes the job slow: `run` by its response time, `p95` over the last `window` logs with
 * one, this attempt and retries included. Undefined without a rule or a response time.
 */
async function slowness(db: Db, job: CronJobRow, policy: AlertPolicy, facts: AttemptFacts) {
  const rule = policy.slow_run;
  const ms = facts.result.responseTimeMs;
  if (!rule || ms === null) return undefined;
  let measuredMs = ms;
  if (rule.measure === "p95") {
    // One job's logs newest first: the logs_job_time_idx range, reading the rows for their response times.
    const rows = await db
      .select({ ms: logs.responseTimeMs })
      .from(logs)
      .where(and(eq(logs.job, jobNumber(job.id)), isNotNull(logs.responseTimeMs)))
      .orderBy(desc(logs.executedAt))
      .limit(rule.window - 1);
    measuredMs = p95([ms, ...rows.map((r) => r.ms ?? 0)]);
  }
  return { slow: measuredMs > rule.threshold_ms, measuredMs, thresholdMs: rule.threshold_ms, measure: rule.measure };
}

/** The job's disabled_reason, naming the streak as the row counts it (F + 1), like the `disabled` alert. */
const disabledReason = (failures: SQL) =>
  sql`'Disabled after ' || ${failures} || (CASE WHEN ${failures} = 1 THEN ' failed run' ELSE ' consecutive failed runs' END) || ' (alerts.auto_disable_after)'`;

/**
 * What the recording of one attempt does for alerts (docs/API-NOTES.md "Alerts"). Only a run's final outcome counts (no
 * retry follows), like `consecutive_failures`, and only one newer than the job's last outcome (the `newer` condition).
 * Every condition reads the job row before this attempt's UPDATE, where `consecutive_failures` is the streak before it
 * (F):
 *
 * - failure: F + 1 = after_consecutive_failures — exactly one recording per streak sees it;
 * - reminder: F + 1 > after_consecutive_failures, the streak was alerted, and its last alert is at least
 *   remind_every_minutes old (reminders ride on recorded failures: a job that stops running stops reminding);
 * - disabled: F + 1 ≥ auto_disable_after while active — the job becomes `disabled` in the same batch; it takes
 *   the place of a failure alert or reminder of the same run;
 * - recovery: a success while the streak was alerted (on_recovery);
 * - slow: the slow_run rule holds and the job was not slow already; a run that is not slow ends the slow spell.
 *
 * Delivery rows and outbox entries have deterministic ids (`<execution id>:alert:<event>:<channel index>`) and,
 * like every follow-up, are written only by the recording that writes the log, so a redelivered run fires nothing.
 */
async function finalOutcomePlan(db: Db, job: CronJobRow, policy: AlertPolicy, facts: AttemptFacts): Promise<AlertPlan> {
  if (facts.nextRetryAt !== null) return NONE;
  // Nothing to send and nothing to disable: no reads, no writes (most jobs).
  if (policy.channels.length === 0 && policy.auto_disable_after === null) return NONE;
  const ok = facts.result.status === "success";
  const slow = await slowness(db, job, policy, facts);
  const executedAt = facts.executedAt;
  const failures = sql`(${cronJobs.consecutiveFailures} + 1)`;
  const N = policy.after_consecutive_failures;
  const M = policy.auto_disable_after;
  const R = policy.remind_every_minutes;

  const disabling = !ok && M !== null ? sql`(${failures} >= ${M} AND ${cronJobs.state} = 'active')` : sql`0`;
  const conditions: Array<[AlertEvent, SQL]> = [];
  if (!ok) {
    if (M !== null) conditions.push(["disabled", disabling]);
    if (N !== null) conditions.push(["failure", sql`(${failures} = ${N} AND NOT ${disabling})`]);
    if (N !== null && R !== null)
      conditions.push([
        "reminder",
        sql`(${failures} > ${N} AND ${cronJobs.alertStreakAlertedAt} IS NOT NULL AND ${cronJobs.alertLastAt} <= ${executedAt - R * 60_000} AND NOT ${disabling})`,
      ]);
  } else if (policy.on_recovery) {
    conditions.push(["recovery", sql`(${cronJobs.alertStreakAlertedAt} IS NOT NULL)`]);
  }
  if (slow?.slow) conditions.push(["slow", sql`(${cronJobs.alertSlowSince} IS NULL)`]);

  const streak = job.consecutiveFailures + 1;
  const factsOf = (event: AlertEvent): AlertFacts => ({
    ...facts,
    event,
    // The streak this run leaves: 0 after a success (a recovery, a slow success), else F + 1.
    consecutiveFailures: event === "failure" ? (N ?? streak) : ok ? 0 : streak,
    ...(event === "slow" && slow ? { slow } : {}),
  });
  const onJob = (cond: SQL, newer: SQL) =>
    sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${job.id} AND ${newer} AND ${cond})`;

  const fired = conditions.flatMap(([event, cond]) =>
    policy.channels.map((channel, i) => {
      const { delivery, message } = alertDelivery(job, channel, i, factsOf(event));
      return {
        entry: { entry: { id: delivery.id, accountId: job.accountId, message }, when: (n: SQL) => onJob(cond, n) },
        delivery,
        cond,
      };
    }),
  );

  // The alert state after this run, from the row before it (an UPDATE's SET reads the old row throughout).
  const alertedNow = sql.join(
    conditions.filter(([e]) => e !== "recovery" && e !== "slow").map(([, c]) => c),
    sql` OR `,
  );
  const anyAlert = conditions.some(([e]) => e !== "recovery" && e !== "slow") ? sql`(${alertedNow})` : sql`0`;
  const state = ok
    ? { alertStreakAlertedAt: sql`NULL`, alertLastAt: sql`NULL` }
    : {
        alertStreakAlertedAt: sql`CASE WHEN ${anyAlert} THEN COALESCE(${cronJobs.alertStreakAlertedAt}, ${executedAt}) ELSE ${cronJobs.alertStreakAlertedAt} END`,
        alertLastAt: sql`CASE WHEN ${anyAlert} THEN ${executedAt} ELSE ${cronJobs.alertLastAt} END`,
        state: sql`CASE WHEN ${disabling} THEN 'disabled' ELSE ${cronJobs.state} END`,
        isActive: sql`CASE WHEN ${disabling} THEN 0 ELSE ${cronJobs.isActive} END`,
        nextRunAt: sql`CASE WHEN ${disabling} THEN NULL ELSE ${cronJobs.nextRunAt} END`,
        disabledAt: sql`CASE WHEN ${disabling} THEN ${executedAt} ELSE ${cronJobs.disabledAt} END`,
        disabledReason: sql`CASE WHEN ${disabling} THEN ${disabledReason(failures)} ELSE ${cronJobs.disabledReason} END`,
      };
  const slowState =
    slow === undefined
      ? {}
      : { alertSlowSince: slow.slow ? sql`COALESCE(${cronJobs.alertSlowSince}, ${executedAt})` : sql`NULL` };
  // Only when something changes, so a healthy run of a job without alerts writes no extra row (D1 bills rows
  // written; the recording batch already writes the job row once).
  const changes = [
    ok ? sql`(${cronJobs.alertStreakAlertedAt} IS NOT NULL OR ${cronJobs.alertLastAt} IS NOT NULL)` : anyAlert,
    ...(slow === undefined
      ? []
      : [slow.slow ? sql`${cronJobs.alertSlowSince} IS NULL` : sql`${cronJobs.alertSlowSince} IS NOT NULL`]),
  ];

  return {
    entries: fired.map((f) => f.entry),
    statements: (newer, logMissing) => [
      ...fired.map((f) => insertDeliveryStatement(db, f.delivery, sql`${logMissing} AND ${onJob(f.cond, newer)}`)),
      db
        .update(cronJobs)
        .set({ ...state, ...slowState })
        .where(and(eq(cronJobs.id, job.id), logMissing, newer, sql`(${sql.join(changes, sql` OR `)})`)),
    ],
  };
}

/** One channel's delivery row of an alert and its queue message; the id is deterministic per execution and event. */
export function alertDelivery(
  job: Pick<CronJobRow, "id" | "accountId" | "name">,
  channel: AlertChannel,
  index: number,
  facts: AnyAlertFacts,
): { delivery: NewDelivery; message: AlertMessage } {
  const id = `${facts.executionId}:alert:${facts.event}:${index}`;
  return {
    delivery: {
      id,
      accountId: job.accountId,
      source: "job",
      sourceId: job.id,
      executionId: facts.executionId,
      kind: "alert",
      event: facts.event,
      channel: channel.type,
      target: channelTarget(channel),
      payload: channelPayload(channel, job, facts),
      firedAt: facts.executedAt,
    },
    message: { type: "alert", accountId: job.accountId, deliveryId: id, attempt: 0 },
  };
}

/**
 * What alertPlan needs of an attempt beyond its facts: its ledger row, why it is dead when it is, and the read of
 * an SLO's burn (src/logs/slo.ts, given by the engine: the log store sits beside alerts, not below them).
 */
export interface AlertContext {
  run: Pick<RunRow, "origin" | "attempt" | "plannedAt">;
  dead: Extract<RunReason, "undelivered" | "outcome_unknown"> | null;
  readBurn?: BurnReader;
}

/**
 * The alerts of one attempt's recording: its final outcome's (finalOutcomePlan, above) and its schedule health's
 * (src/alerts/schedule-health.ts: `late`, `dead_lettered`, and the spells it ends), which any attempt may fire.
 */
export async function alertPlan(
  db: Db,
  job: CronJobRow,
  facts: AttemptFacts,
  ctx: AlertContext | null = null,
): Promise<AlertPlan> {
  const policy = alertPolicy(job);
  const outcome = await finalOutcomePlan(db, job, policy, facts);
  const health = ctx ? healthPlan(db, job, policy, facts, ctx) : NONE;
  const slo = ctx?.readBurn ? await sloPlan(db, job, policy, facts, ctx.readBurn) : NONE;
  const plans = [outcome, health, slo].filter((p) => p !== NONE);
  if (plans.length <= 1) return plans[0] ?? NONE;
  return {
    entries: plans.flatMap((p) => p.entries),
    statements: (newer, logMissing) => plans.flatMap((p) => p.statements(newer, logMissing)),
  };
}

/**
 * `slo_burn` when the SLO's error budget burns fast at this attempt (src/alerts/slo.ts), once per burn spell, and
 * `slo_ok` when an attempt finds it no longer burning. Every attempt counts in the SLO, so every recording
 * evaluates it: one read, and only for a job with burn_alerts and a channel. The spell is the job row's
 * alert_slo_burn_at, so a duplicate or concurrent recording finds it already changed and fires nothing.
 */
async function sloPlan(
  db: Db,
  job: CronJobRow,
  policy: AlertPolicy,
  facts: AttemptFacts,
  read: BurnReader,
): Promise<AlertPlan> {
  const slo = policy.slo;
  if (!slo?.burn_alerts || policy.channels.length === 0) return NONE;
  const { status, responseTimeMs } = facts.result;
  const burn = await evaluateSlo(read, job.id, slo, {
    at: facts.executedAt,
    status: executionStatuses.indexOf(status),
    ms: responseTimeMs,
  });
  const col = cronJobs.alertSloBurnAt;
  const cond = onJobRow(job.id, burn.burning ? sql`${col} IS NULL` : sql`${col} IS NOT NULL`);
  const f: AlertFacts = {
    ...facts,
    event: burn.burning ? "slo_burn" : "slo_ok",
    consecutiveFailures: status === "success" ? 0 : job.consecutiveFailures + 1,
    slo: { slo, burn },
  };
  const fired = policy.channels.map((channel, i) => alertDelivery(job, channel, i, f));
  return {
    entries: fired.map((d) => ({
      entry: { id: d.delivery.id, accountId: job.accountId, message: d.message },
      when: () => cond,
    })),
    statements: (_newer, logMissing) => [
      ...fired.map((d) => insertDeliveryStatement(db, d.delivery, sql`${logMissing} AND ${cond}`)),
      db
        .update(cronJobs)
        .set({ alertSloBurnAt: burn.burning ? facts.executedAt : null })
        .where(and(eq(cronJobs.id, job.id), logMissing, burn.burning ? sql`${col} IS NULL` : sql`${col} IS NOT NULL`)),
    ],
  };
}

/** `cond` on the job's row, for a statement that does not read it (an INSERT … SELECT … WHERE). */
const onJobRow = (jobId: string, cond: SQL) =>
  sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${jobId} AND ${cond})`;

/** `late` and `dead_lettered` of this attempt, and the spells it ends, in its recording batch. */
function healthPlan(db: Db, job: CronJobRow, policy: AlertPolicy, facts: AttemptFacts, ctx: AlertContext): AlertPlan {
  const health = attemptHealth(policy, ctx.run, facts.executedAt, ctx.dead);
  if (health.occurs.length === 0 && health.ended.length === 0) return NONE;
  const ok = facts.result.status === "success";
  const fired = health.occurs.flatMap((o) => {
    const cond = onJobRow(job.id, spellFires(o.event, facts.executedAt, policy));
    const f: AlertFacts = {
      ...facts,
      event: o.event,
      consecutiveFailures: ok ? 0 : job.consecutiveFailures + 1,
      ...(o.event === "late" ? { late: o.late } : { dead: o.dead }),
    };
    return policy.channels.map((channel, i) => {
      const { delivery, message } = alertDelivery(job, channel, i, f);
      return { entry: { id: delivery.id, accountId: job.accountId, message }, delivery, cond };
    });
  });
  return {
    entries: fired.map((f) => ({ entry: f.entry, when: () => f.cond })),
    statements: (_newer, logMissing) => {
      const change = { fired: health.occurs.map((o) => o.event), ended: health.ended };
      const update = spellUpdate(db, job.id, facts.executedAt, policy, change, logMissing);
      return [
        ...fired.map((f) => insertDeliveryStatement(db, f.delivery, sql`${logMissing} AND ${f.cond}`)),
        ...(update ? [update] : []),
      ];
    },
  };
}

/** A claim's `skipped` or `missed` alert, for its batch after the ledger row it is about (src/engine/dispatch.ts). */
export interface ScheduleAlertPlan {
  /** Outbox entries, each to be written where `when` holds. */
  entries: Array<{ entry: OutboxEntry; when: SQL }>;
  /** Delivery rows, then the spell's UPDATE: after the outbox entries, which read the spell as it was. */
  statements: Statement[];
}

/**
 * The alert of a claim that skipped a slot or recorded missed ones, if the policy opts in: one delivery per
 * channel where `occurred` (SQL: the claim wrote that ledger row) holds and the spell fires.
 */
export function scheduleAlertPlan(
  db: Db,
  job: Pick<CronJobRow, "id" | "accountId" | "name" | "alertPolicy">,
  facts: ScheduleAlertFacts,
  occurred: SQL,
): ScheduleAlertPlan | null {
  const policy = alertPolicy(job);
  if (!healthOptedIn(policy, facts.event)) return null;
  const when = sql`(${occurred} AND ${onJobRow(job.id, spellFires(facts.event, facts.executedAt, policy))})`;
  const fired = policy.channels.map((channel, i) => alertDelivery(job, channel, i, facts));
  const update = spellUpdate(db, job.id, facts.executedAt, policy, { fired: [facts.event], ended: [] }, occurred);
  return {
    entries: fired.map((f) => ({ entry: { id: f.delivery.id, accountId: job.accountId, message: f.message }, when })),
    statements: [...fired.map((f) => insertDeliveryStatement(db, f.delivery, when)), ...(update ? [update] : [])],
  };
}
