import { type SQL, sql } from "drizzle-orm";
import { channelTarget } from "../alerts/payloads";
import type { AlertChannel } from "../alerts/schemas";
import type { Db } from "../db/client";
import { insertWhere } from "../db/insert-where";
import { type MonitorAlertEvent, type MonitorRow, outbox } from "../db/schema";
import { insertDeliveryStatement } from "../deliveries/store";
import { formatInstant, formatInstantOrNull } from "../lib/dates";
import type { AlertMessage, OutboxEntry } from "../lib/messages";
import type { MonitorAlerts } from "./schemas";

/** Why a monitor went down, or that it came back. */
export type MonitorAlertReason = "missed" | "start_timeout" | "fail" | "success";

/** What a monitor's alert says: the transition, when, why, and the times its text quotes. */
export interface MonitorAlertFacts {
  event: MonitorAlertEvent;
  reason: MonitorAlertReason;
  /** When the monitor changed state (epoch ms): the ping's time, or the deadline it missed. */
  at: number;
  exitStatus: number | null;
  lastPingAt: number | null;
  /** The open start that timed out (start_timeout). */
  startedAt: number | null;
}

export type AlertedMonitor = Pick<MonitorRow, "id" | "accountId" | "name" | "slug" | "alertPolicy">;

/** A statement of a batch (drizzle query builder). */
type Statement = Parameters<Db["batch"]>[0][number];

const DEFAULTS: MonitorAlerts = { channels: [], on_recovery: true };

/** The stored alerts with defaults applied (null: none). */
export function monitorAlerts(row: Pick<MonitorRow, "alertPolicy">): MonitorAlerts {
  return row.alertPolicy ? { ...DEFAULTS, ...(JSON.parse(row.alertPolicy) as Partial<MonitorAlerts>) } : DEFAULTS;
}

/** The stored alerts after a create or update: fields sent replace stored ones (`channels` whole). */
export function mergeMonitorAlerts(current: MonitorAlerts | undefined, input: Partial<MonitorAlerts>): MonitorAlerts {
  return {
    channels: input.channels ?? current?.channels ?? DEFAULTS.channels,
    on_recovery: input.on_recovery ?? current?.on_recovery ?? DEFAULTS.on_recovery,
  };
}

/** Whether `event` goes anywhere: `up` only with on_recovery. */
export function alertsFor(row: Pick<MonitorRow, "alertPolicy">, event: MonitorAlertEvent): AlertChannel[] {
  const alerts = monitorAlerts(row);
  return event === "up" && !alerts.on_recovery ? [] : alerts.channels;
}

/** One line saying what happened (e-mail subject, Slack/Discord title). */
export function monitorAlertSummary(m: Pick<MonitorRow, "name">, f: MonitorAlertFacts): string {
  const name = `"${m.name}"`;
  switch (f.reason) {
    case "missed":
      return `${name} is down: no success ping by ${formatInstant(f.at)}`;
    case "start_timeout":
      return `${name} is down: the run started ${formatInstant(f.startedAt ?? f.at)} did not end within its grace`;
    case "fail":
      return f.exitStatus === null
        ? `${name} is down: it reported a failure`
        : `${name} is down: it exited with status ${f.exitStatus}`;
    case "success":
      return `${name} is up again`;
  }
}

function details(m: AlertedMonitor, f: MonitorAlertFacts): Array<[string, string]> {
  return [
    ["Monitor", `${m.name} (${m.id})`],
    ["Slug", m.slug],
    ["State", f.event],
    ["At", formatInstant(f.at)],
    ["Last ping", formatInstantOrNull(f.lastPingAt) ?? "never"],
  ];
}

const slackEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** What a delivery to `channel` sends, serialised once so every attempt sends the same bytes (as jobs' alerts). */
export function monitorChannelPayload(channel: AlertChannel, m: AlertedMonitor, f: MonitorAlertFacts): string {
  const summary = monitorAlertSummary(m, f);
  const rows = details(m, f);
  switch (channel.type) {
    case "webhook":
      return JSON.stringify({
        event: f.event,
        monitor: { id: m.id, name: m.name, slug: m.slug },
        reason: f.reason,
        at: formatInstant(f.at),
        exit_status: f.exitStatus,
        last_ping_at: formatInstantOrNull(f.lastPingAt),
        summary,
      });
    case "slack":
      return JSON.stringify({
        text: `edgecron: ${slackEscape(summary)}`,
        blocks: [
          {
            type: "section",
            text: {
              type: "mrkdwn",
              text: `*${slackEscape(summary)}*\n${rows.map(([k, v]) => `*${k}:* ${slackEscape(v)}`).join("\n")}`,
            },
          },
        ],
      });
    case "discord":
      // allowed_mentions: a monitor named "@everyone" pings no one (Discord "Execute Webhook").
      return JSON.stringify({
        username: "edgecron",
        allowed_mentions: { parse: [] },
        embeds: [
          {
            title: summary.slice(0, 256),
            color: f.event === "down" ? 0xd93025 : 0x188038,
            timestamp: formatInstant(f.at),
            fields: rows.map(([name, value]) => ({ name, value: value.slice(0, 1024), inline: false })),
          },
        ],
      });
    case "email":
      return JSON.stringify({
        subject: `[edgecron] ${summary}`,
        text: `${summary}\n\n${rows.map(([k, v]) => `${k}: ${v}`).join("\n")}\n`,
      });
  }
}

/**
 * One alert's delivery rows and outbox entries on every channel, fired at `now`, written only where `condition`
 * holds (it reads the monitor before the batch's UPDATE). Ids are `<monitor id>:<transition>:alert:<event>:<channel index>`, the
 * transition naming this state change alone, so a repeated batch or an overlapping tick cannot write two.
 */
export function monitorAlertPlan(
  db: Db,
  m: AlertedMonitor,
  f: MonitorAlertFacts,
  transition: string,
  condition: SQL,
  now: number,
): { statements: Statement[]; entries: OutboxEntry[] } {
  const channels = alertsFor(m, f.event);
  const statements: Statement[] = [];
  const entries: OutboxEntry[] = [];
  channels.forEach((channel, i) => {
    const id = `${m.id}:${transition}:alert:${f.event}:${i}`;
    const message: AlertMessage = { type: "alert", accountId: m.accountId, deliveryId: id, attempt: 0 };
    statements.push(
      insertDeliveryStatement(
        db,
        {
          id,
          accountId: m.accountId,
          source: "monitor",
          sourceId: m.id,
          executionId: null,
          kind: "alert",
          event: f.event,
          channel: channel.type,
          target: channelTarget(channel),
          payload: monitorChannelPayload(channel, m, f),
          firedAt: now,
        },
        condition,
      ),
      insertWhere(
        db,
        outbox,
        { id, accountId: m.accountId, message: JSON.stringify(message), createdAt: now },
        sql`${condition}`,
      ),
    );
    entries.push({ id, accountId: m.accountId, message });
  });
  return { statements, entries };
}
