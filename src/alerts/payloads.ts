import type { AlertEvent, CronJobRow } from "../db/schema";
import { type AttemptFacts, callbackPayload } from "../lib/callback-payload";
import { formatInstant } from "../lib/dates";
import type { AlertChannel } from "./schemas";

/** What an alert is about: the attempt whose recording fired it, and the numbers its text quotes. */
export interface AlertFacts extends AttemptFacts {
  event: AlertEvent;
  /** The job's failure streak after this run (runs in a row): 0 when it succeeded (recovery, a slow success). */
  consecutiveFailures: number;
  /** For `slow`: the measured time (the run's, or the window's p95) and the threshold, in ms. */
  slow?: { measuredMs: number; thresholdMs: number; measure: "run" | "p95" };
}

type Job = Pick<CronJobRow, "id" | "name">;

/** One line saying what happened, in plain text (e-mail subject, Slack/Discord title). */
export function alertSummary(job: Job, f: AlertFacts): string {
  const name = `"${job.name}"`;
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
  }
}

/** The details under the summary, as label/value pairs. */
function details(job: Job, f: AlertFacts): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ["Job", `${job.name} (${job.id})`],
    ["Status", f.result.status],
    ["Response code", f.result.responseCode === null ? "none" : String(f.result.responseCode)],
    ["Response time", f.result.responseTimeMs === null ? "none" : `${f.result.responseTimeMs} ms`],
    ["Executed at", formatInstant(f.executedAt)],
    ["Execution id", f.executionId],
  ];
  if (f.result.errorMessage) rows.push(["Error", f.result.errorMessage]);
  if (f.event === "disabled") rows.push(["To re-enable", 'PATCH the job with {"is_active": true}']);
  return rows;
}

/**
 * The signed webhook's body: the callback payload (A1Cron's, src/engine/callbacks.ts) plus `event` and the
 * streak length, so one receiver can take both.
 */
export function webhookAlertBody(job: Job, f: AlertFacts) {
  return {
    event: f.event,
    ...callbackPayload(job, f),
    consecutive_failures: f.consecutiveFailures,
    ...(f.slow
      ? { slow: { measure: f.slow.measure, measured_ms: f.slow.measuredMs, threshold_ms: f.slow.thresholdMs } }
      : {}),
    summary: alertSummary(job, f),
  };
}

/** Slack mrkdwn escaping: `&`, `<`, `>` are control characters there (Slack "Formatting text"). */
const slackEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A Slack incoming-webhook message: `text` (the notification) and one section block with the details. */
export function slackAlertBody(job: Job, f: AlertFacts) {
  const summary = slackEscape(alertSummary(job, f));
  const fields = details(job, f).map(([k, v]) => `*${k}:* ${slackEscape(v)}`);
  return {
    text: `edgecron: ${summary}`,
    blocks: [{ type: "section", text: { type: "mrkdwn", text: `*${summary}*\n${fields.join("\n")}` } }],
  };
}

/** Discord embed colours per event: red, orange, green, yellow, grey, blue. */
const DISCORD_COLORS: Record<AlertEvent, number> = {
  failure: 0xd93025,
  reminder: 0xf29900,
  recovery: 0x188038,
  slow: 0xf9ab00,
  disabled: 0x5f6368,
  test: 0x1a73e8,
};

/**
 * A Discord webhook message: one embed (title, colour, fields). `allowed_mentions.parse: []` so a job name
 * containing `@everyone` pings no one (Discord "Execute Webhook").
 */
export function discordAlertBody(job: Job, f: AlertFacts) {
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
export function emailAlertContent(job: Job, f: AlertFacts): { subject: string; text: string } {
  const summary = alertSummary(job, f);
  const lines = details(job, f).map(([k, v]) => `${k}: ${v}`);
  return { subject: `[edgecron] ${summary}`, text: `${summary}\n\n${lines.join("\n")}\n` };
}

/** What a delivery to `channel` sends, serialised once when the alert fires so every attempt sends the same bytes. */
export function channelPayload(channel: AlertChannel, job: Job, f: AlertFacts): string {
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
