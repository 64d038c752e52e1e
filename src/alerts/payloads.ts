import type { AlertEvent, CronJobRow, RunReason } from "../db/schema";
import { type AttemptFacts, callbackPayload } from "../lib/callback-payload";
import { formatInstant } from "../lib/dates";
import type { AlertChannel, Slo } from "./schemas";
import type { BurnEvaluation, Objective } from "./slo";

/** What an alert is about: the attempt whose recording fired it, and the numbers its text quotes. */
export interface AlertFacts extends AttemptFacts {
  event: AlertEvent;
  /** The job's failure streak after this run (runs in a row): 0 when it succeeded (recovery, a slow success). */
  consecutiveFailures: number;
  /** For `slow`: the measured time (the run's, or the window's p95) and the threshold, in ms. */
  slow?: { measuredMs: number; thresholdMs: number; measure: "run" | "p95" };
  /** For `late`: when the run was due (its planned start) and the threshold, in seconds. */
  late?: { plannedAt: number; thresholdSeconds: number };
  /** For `dead_lettered`: why the run was closed without an outcome. */
  dead?: Extract<RunReason, "undelivered" | "outcome_unknown">;
  /** For `slo_burn` and `slo_ok`: the objectives and their burn rates at this run. */
  slo?: { slo: Slo; burn: BurnEvaluation };
}

/**
 * What a `skipped` or `missed` alert is about: slots that did not run, so no attempt and no result. A skip is one
 * slot (its ledger row); a span of missed slots is one row for `count` slots from `firstSlot` to `lastSlot`.
 */
export interface ScheduleAlertFacts {
  event: Extract<AlertEvent, "skipped" | "missed">;
  /** The ledger row's execution id (a span's: its first slot's). */
  executionId: string;
  /** When the claim recorded it (epoch ms). */
  executedAt: number;
  firstSlot: number;
  lastSlot: number;
  count: number;
}

export type AnyAlertFacts = AlertFacts | ScheduleAlertFacts;

export const isScheduleAlert = (f: AnyAlertFacts): f is ScheduleAlertFacts =>
  f.event === "skipped" || f.event === "missed";

type Job = Pick<CronJobRow, "id" | "name">;

const times = (burn: number) => `${Number(burn.toFixed(1))}×`;
const percent = (f: number) => `${Number((f * 100).toFixed(3))} %`;
const objectiveLabel = (o: Objective) => (o.kind === "success_rate" ? "success rate" : "latency");

/** "success rate ≥ 99 %", "95 % of successful runs ≤ 500 ms". */
const objectiveText = (o: Objective) =>
  o.kind === "success_rate"
    ? `success rate ≥ ${percent(o.target)}`
    : `${percent(o.target)} of successful runs ≤ ${o.thresholdMs} ms`;

/** The webhook's `slo` object: each objective's burn rates per window and the two rules' thresholds. */
function sloBody(f: NonNullable<AlertFacts["slo"]>) {
  return {
    window_days: f.slo.window_days,
    thresholds: { "1h": f.burn.thresholds["1h"], "6h": f.burn.thresholds["6h"] },
    objectives: f.burn.objectives.map((o) => ({
      objective: o.objective.kind,
      target: o.objective.target,
      ...(o.objective.kind === "latency" ? { latency_ms: o.objective.thresholdMs } : {}),
      burn_rates: o.rates,
      firing: o.firing,
    })),
  };
}

const seconds = (ms: number) => Math.round(ms / 1000);

/** One line saying what happened, in plain text (e-mail subject, Slack/Discord title). */
export function alertSummary(job: Job, f: AnyAlertFacts): string {
  const name = `"${job.name}"`;
  if (isScheduleAlert(f)) {
    if (f.event === "skipped")
      return `${name} skipped the run due ${formatInstant(f.firstSlot)}: its previous run was still going`;
    return f.count === 1
      ? `${name} missed the run due ${formatInstant(f.firstSlot)}`
      : `${name} missed ${f.count} runs due ${formatInstant(f.firstSlot)} to ${formatInstant(f.lastSlot)}`;
  }
  switch (f.event) {
    case "failure":
      return `${name} failed ${f.consecutiveFailures} run${f.consecutiveFailures === 1 ? "" : "s"} in a row`;
    case "reminder":
      return `${name} is still failing (${f.consecutiveFailures} runs in a row)`;
    case "recovery":
      return `${name} recovered: its latest run succeeded`;
    case "disabled":
      return `${name} was disabled after ${f.consecutiveFailures} consecutive failed runs`;
    case "test":
      return `${name}: a test alert from edgecron (nothing failed)`;
    case "slow":
      return f.slow?.measure === "p95"
        ? `${name} is slow: p95 response time ${f.slow.measuredMs} ms (threshold ${f.slow.thresholdMs} ms)`
        : `${name} is slow: a run took ${f.slow?.measuredMs} ms (threshold ${f.slow?.thresholdMs} ms)`;
    case "late":
      return `${name} started ${seconds(f.executedAt - (f.late?.plannedAt ?? f.executedAt))} s late (threshold ${f.late?.thresholdSeconds} s)`;
    case "slo_burn": {
      const burning = f.slo?.burn.objectives.find((o) => o.firing.length > 0);
      if (!f.slo || !burning) return `${name} is burning its error budget fast`;
      const rule = burning.firing[0] === "6h" ? (["6h", "30m"] as const) : (["1h", "5m"] as const);
      return `${name} is burning its ${objectiveLabel(burning.objective)} error budget fast: ${times(burning.rates[rule[0]])} over ${rule[0]}, ${times(burning.rates[rule[1]])} over ${rule[1]} (threshold ${times(f.slo.burn.thresholds[rule[0]])})`;
    }
    case "slo_ok":
      return `${name} is no longer burning its error budget fast`;
    case "dead_lettered":
      return f.dead === "undelivered"
        ? `${name}: a run was dead-lettered, never delivered (the endpoint was not called)`
        : `${name}: a run was dead-lettered, its outcome unknown (the endpoint may have been called)`;
    default:
      return `${name}: ${f.event}`;
  }
}

/** The details under the summary, as label/value pairs. */
function details(job: Job, f: AnyAlertFacts): Array<[string, string]> {
  if (isScheduleAlert(f)) {
    return [
      ["Job", `${job.name} (${job.id})`],
      [
        f.count === 1 ? "Slot" : "Slots",
        f.count === 1
          ? formatInstant(f.firstSlot)
          : `${formatInstant(f.firstSlot)} to ${formatInstant(f.lastSlot)} (${f.count})`,
      ],
      ["Reason", f.event === "skipped" ? "overlap (overlap_policy skip)" : "missed"],
      ["Recorded at", formatInstant(f.executedAt)],
      ["Execution id", f.executionId],
    ];
  }
  const rows: Array<[string, string]> = [
    ["Job", `${job.name} (${job.id})`],
    ["Status", f.result.status],
    ["Response code", f.result.responseCode === null ? "none" : String(f.result.responseCode)],
    ["Response time", f.result.responseTimeMs === null ? "none" : `${f.result.responseTimeMs} ms`],
    ["Executed at", formatInstant(f.executedAt)],
    ["Execution id", f.executionId],
  ];
  if (f.late) rows.push(["Due at", formatInstant(f.late.plannedAt)]);
  if (f.dead) rows.push(["Dead-letter reason", f.dead]);
  if (f.slo) {
    for (const o of f.slo.burn.objectives) {
      const r = o.rates;
      rows.push([
        `SLO ${objectiveText(o.objective)} over ${f.slo.slo.window_days} d`,
        `burn rate ${times(r["1h"])} over 1h, ${times(r["5m"])} over 5m, ${times(r["6h"])} over 6h, ${times(r["30m"])} over 30m`,
      ]);
    }
    const t = f.slo.burn.thresholds;
    rows.push(["Burn thresholds", `${times(t["1h"])} (1h and 5m), ${times(t["6h"])} (6h and 30m)`]);
  }
  if (f.result.errorMessage) rows.push(["Error", f.result.errorMessage]);
  if (f.event === "disabled") rows.push(["To re-enable", 'PATCH the job with {"is_active": true}']);
  return rows;
}

/**
 * The signed webhook's body: the callback payload (A1Cron's, src/engine/callbacks.ts) plus `event` and the
 * streak length, so one receiver can take both.
 */
export function webhookAlertBody(job: Job, f: AnyAlertFacts) {
  if (isScheduleAlert(f)) {
    // Slots that did not run: no attempt, so the run fields of the callback payload do not apply.
    return {
      event: f.event,
      cron_job_id: job.id,
      cron_job_name: job.name,
      execution_id: f.executionId,
      reason: f.event === "skipped" ? "overlap" : "missed",
      first_slot: formatInstant(f.firstSlot),
      last_slot: formatInstant(f.lastSlot),
      count: f.count,
      recorded_at: formatInstant(f.executedAt),
      summary: alertSummary(job, f),
    };
  }
  return {
    event: f.event,
    ...callbackPayload(job, f),
    consecutive_failures: f.consecutiveFailures,
    ...(f.slow
      ? { slow: { measure: f.slow.measure, measured_ms: f.slow.measuredMs, threshold_ms: f.slow.thresholdMs } }
      : {}),
    ...(f.late
      ? {
          late: {
            planned_at: formatInstant(f.late.plannedAt),
            late_by_seconds: seconds(f.executedAt - f.late.plannedAt),
            threshold_seconds: f.late.thresholdSeconds,
          },
        }
      : {}),
    ...(f.dead ? { dead_letter_reason: f.dead } : {}),
    ...(f.slo ? { slo: sloBody(f.slo) } : {}),
    summary: alertSummary(job, f),
  };
}

/** Slack mrkdwn escaping: `&`, `<`, `>` are control characters there (Slack "Formatting text"). */
const slackEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A Slack incoming-webhook message: `text` (the notification) and one section block with the details. */
export function slackAlertBody(job: Job, f: AnyAlertFacts) {
  const summary = slackEscape(alertSummary(job, f));
  const fields = details(job, f).map(([k, v]) => `*${k}:* ${slackEscape(v)}`);
  return {
    text: `edgecron: ${summary}`,
    blocks: [{ type: "section", text: { type: "mrkdwn", text: `*${summary}*\n${fields.join("\n")}` } }],
  };
}

/** Discord embed colours per event: red, orange, green, yellow, grey, blue; schedule health orange or red. */
const DISCORD_COLORS: Record<AlertEvent, number> = {
  failure: 0xd93025,
  reminder: 0xf29900,
  recovery: 0x188038,
  slow: 0xf9ab00,
  disabled: 0x5f6368,
  test: 0x1a73e8,
  missed: 0xf29900,
  skipped: 0xf29900,
  late: 0xf9ab00,
  dead_lettered: 0xd93025,
  slo_burn: 0xd93025,
  slo_ok: 0x188038,
};

/**
 * A Discord webhook message: one embed (title, colour, fields). `allowed_mentions.parse: []` so a job name
 * containing `@everyone` pings no one (Discord "Execute Webhook").
 */
export function discordAlertBody(job: Job, f: AnyAlertFacts) {
  return {
    username: "edgecron",
    allowed_mentions: { parse: [] as string[] },
    embeds: [
      {
        title: alertSummary(job, f).slice(0, 256),
        color: DISCORD_COLORS[f.event],
        timestamp: formatInstant(f.executedAt),
        fields: details(job, f).map(([name, value]) => ({ name, value: value.slice(0, 1024), inline: false })),
      },
    ],
  };
}

/** An alert e-mail's subject and plain-text body. */
export function emailAlertContent(job: Job, f: AnyAlertFacts): { subject: string; text: string } {
  const summary = alertSummary(job, f);
  const lines = details(job, f).map(([k, v]) => `${k}: ${v}`);
  return { subject: `[edgecron] ${summary}`, text: `${summary}\n\n${lines.join("\n")}\n` };
}

/** What a delivery to `channel` sends, serialised once when the alert fires so every attempt sends the same bytes. */
export function channelPayload(channel: AlertChannel, job: Job, f: AnyAlertFacts): string {
  switch (channel.type) {
    case "webhook":
      return JSON.stringify(webhookAlertBody(job, f));
    case "slack":
      return JSON.stringify(slackAlertBody(job, f));
    case "discord":
      return JSON.stringify(discordAlertBody(job, f));
    case "email":
      return JSON.stringify(emailAlertContent(job, f));
  }
}

export const channelTarget = (c: AlertChannel) => (c.type === "email" ? c.to : c.url);
