import type { MonitorPingRow, MonitorRow } from "../db/schema";
import { pingKinds, pingMethods } from "../db/schema";
import { decodeText } from "../lib/codec";
import { formatInstant, formatInstantOrNull } from "../lib/dates";
import { monitorAlerts } from "./alerts";
import type { MonitorViewState } from "./schemas";

/** What read-only API keys see in place of the account's ping key (README "Monitors"). */
export const MASKED_PING_KEY = "<ping_key>";

/** The state shown at `now`: `up` past next_expected_at is `late` (src/monitors/repository.ts filters the same). */
export function viewState(row: Pick<MonitorRow, "state" | "nextExpectedAt">, now: number): MonitorViewState {
  if (row.state === "up" && row.nextExpectedAt !== null && row.nextExpectedAt <= now) return "late";
  return row.state;
}

/** `<origin>/ping/<key>/<slug>`: the URL a job pings, with the key or its mask. */
export const pingUrl = (origin: string, key: string, slug: string) => `${origin}/ping/${key}/${slug}`;

/** The monitor object of every response; `pingKey` is the account's key, or MASKED_PING_KEY for read-only keys. */
export function presentMonitor(row: MonitorRow, now: number, origin: string, pingKey: string) {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    period_seconds: row.periodSeconds,
    cron: row.cron,
    timezone: row.timezone,
    grace_seconds: row.graceSeconds,
    tags: JSON.parse(row.tags) as string[],
    alerts: monitorAlerts(row),
    state: viewState(row, now),
    last_ping_at: formatInstantOrNull(row.lastPingAt),
    last_start_at: formatInstantOrNull(row.lastStartAt),
    last_duration_ms: row.lastDurationMs,
    next_expected_at: formatInstantOrNull(row.nextExpectedAt),
    down_at: formatInstantOrNull(row.downAt),
    ping_url: pingUrl(origin, pingKey, row.slug),
    created_at: formatInstant(row.createdAt),
    updated_at: formatInstant(row.updatedAt),
  };
}

/** A ping in a list's `recent_pings`: what a strip of the last pings draws. */
export function presentRecentPing(p: Pick<MonitorPingRow, "id" | "at" | "kind" | "exitStatus">) {
  return { id: p.id, kind: pingKinds[p.kind] ?? "log", exit_status: p.exitStatus, received_at: formatInstant(p.at) };
}

export function presentPing(row: MonitorPingRow) {
  return {
    id: row.id,
    kind: pingKinds[row.kind] ?? "log",
    exit_status: row.exitStatus,
    method: pingMethods[row.method] ?? "GET",
    rid: row.rid,
    duration_ms: row.durationMs,
    received_at: formatInstant(row.at),
    body: decodeText(row.body),
  };
}
