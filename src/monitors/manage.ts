import { type SQL, sql } from "drizzle-orm";
import type { ControlDb, Db } from "../db/client";
import { type MonitorRow, monitors } from "../db/schema";
import { type FieldError, refuseFields } from "../lib/field-error";
import { normaliseCron } from "../lib/schedule/cron";
import type { KeyringStatus } from "../lib/secrets/keyring";
import { mergeMonitorAlerts, monitorAlerts } from "./alerts";
import { monitorConfigs, newMonitorState } from "./ping";
import { addMonitorRoute, ensurePingKey, removeMonitorRoute } from "./ping-key";
import {
  findMonitor,
  insertMonitorWithinLimit,
  type NewMonitorRow,
  slugTaken,
  softDeleteMonitor,
  updateMonitor,
} from "./repository";
import { type MonitorSchedule, nextExpectedAt } from "./schedule";
import {
  type CreateMonitorInput,
  DEFAULT_GRACE_SECONDS,
  DEFAULT_PERIOD_SECONDS,
  type UpdateMonitorInput,
} from "./schemas";
import { openSecrets, resolveChannelTokens, sealAlerts } from "./secrets";

/** What creating and changing monitors needs: the account's shard, the control plane, the master keys, a clock. */
export interface MonitorDeps {
  db: Db;
  control: ControlDb;
  ring: KeyringStatus;
  now: number;
}

/** A slug from a name, as Healthchecks derives one: lower-case ASCII words joined by hyphens. */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100)
    .replace(/-+$/, "");
  return slug || "monitor";
}

export type Changed = { ok: true; row: MonitorRow } | { ok: false; reason: "not-found" | "slug" | "limit" };

/** D1 reports a unique index's refusal in its message: a slug taken by a concurrent write. */
const slugConflict = (err: unknown) => String((err as Error)?.message ?? err).includes("UNIQUE constraint failed");

/**
 * Creates a monitor (state `new`) within MAX_MONITORS. Its control-plane route is written first, so a
 * `/ping/{uuid}` finds it as soon as it exists, and the account gets its ping key with its first monitor.
 */
export async function createMonitor(
  d: MonitorDeps,
  accountId: string,
  input: CreateMonitorInput,
  maxMonitors: number,
  found: FieldError[] = [],
): Promise<Changed> {
  const id = crypto.randomUUID();
  const alerts = mergeMonitorAlerts(undefined, input.alerts ?? {});
  const tokens = resolveChannelTokens(alerts.channels, null);
  refuseFields([...found, ...tokens.errors]);
  const sealed = await sealAlerts(d.ring, { id, accountId }, { ...alerts, channels: tokens.channels });
  const schedule: MonitorSchedule =
    input.cron !== undefined
      ? { periodSeconds: null, cron: normaliseCron(input.cron), timezone: input.timezone ?? "UTC" }
      : { periodSeconds: input.period_seconds ?? DEFAULT_PERIOD_SECONDS, cron: null, timezone: "UTC" };
  const row: NewMonitorRow = {
    id,
    accountId,
    name: input.name,
    slug: input.slug ?? slugify(input.name),
    ...schedule,
    graceSeconds: input.grace_seconds ?? DEFAULT_GRACE_SECONDS,
    tags: JSON.stringify(input.tags ?? []),
    ...sealed,
    ...newMonitorState(d.now),
  };
  await ensurePingKey(d.control, d.ring, accountId, d.now);
  await addMonitorRoute(d.control, id, accountId);
  let outcome: Awaited<ReturnType<typeof insertMonitorWithinLimit>>;
  try {
    outcome = await insertMonitorWithinLimit(d.db, row, maxMonitors);
  } catch (err) {
    if (!slugConflict(err)) throw err;
    outcome = "slug";
  }
  if (outcome !== "ok") {
    await removeMonitorRoute(d.control, id);
    return { ok: false, reason: outcome };
  }
  const created = await findMonitor(d.db, accountId, id);
  return created ? { ok: true, row: created } : { ok: false, reason: "not-found" };
}

/**
 * The new deadline after a schedule or grace change, from `now` (README "Monitors"), in SQL over the row the UPDATE
 * sees: only an `up` monitor has one; an open start still inside its grace keeps its own if sooner.
 */
function restartedPeriod(schedule: MonitorSchedule, graceSeconds: number, now: number): Record<string, SQL> {
  const next = nextExpectedAt(schedule, now);
  const g = graceSeconds * 1000;
  const open = sql`CASE WHEN ${monitors.openStartAt} IS NOT NULL AND ${monitors.openStartAt} + ${g} > ${now} THEN ${monitors.openStartAt} + ${g} END`;
  const deadline = next === null ? open : sql`CASE WHEN ${open} < ${next + g} THEN ${open} ELSE ${next + g} END`;
  return {
    nextExpectedAt: sql`CASE WHEN ${monitors.state} IN ('up', 'down') THEN ${next} ELSE ${monitors.nextExpectedAt} END`,
    downAt: sql`CASE WHEN ${monitors.state} = 'up' THEN ${deadline} ELSE ${monitors.downAt} END`,
  };
}

/** Applies a PATCH: fields sent replace stored ones; a new schedule or grace restarts the period from now. */
export async function changeMonitor(
  d: MonitorDeps,
  accountId: string,
  id: string,
  input: UpdateMonitorInput,
  found: FieldError[] = [],
): Promise<Changed> {
  const row = await findMonitor(d.db, accountId, id);
  if (!row) return { ok: false, reason: "not-found" };
  const errors: FieldError[] = [...found];
  const set: Record<string, unknown> = { updatedAt: d.now, configVersion: sql`${monitors.configVersion} + 1` };
  if (input.name !== undefined) set.name = input.name;
  if (input.slug !== undefined && input.slug !== row.slug) {
    if (await slugTaken(d.db, accountId, input.slug, id)) return { ok: false, reason: "slug" };
    set.slug = input.slug;
  }
  let schedule: MonitorSchedule = row;
  if (input.period_seconds !== undefined) {
    schedule = { periodSeconds: input.period_seconds, cron: null, timezone: "UTC" };
  } else if (input.cron !== undefined) {
    schedule = { periodSeconds: null, cron: normaliseCron(input.cron), timezone: input.timezone ?? row.timezone };
  } else if (input.timezone !== undefined) {
    if (row.cron === null)
      errors.push({ field: "timezone", in: "body", message: "only applies with cron (this monitor has a period)" });
    schedule = { ...row, timezone: input.timezone };
  }
  const grace = input.grace_seconds ?? row.graceSeconds;
  if (schedule !== row || input.grace_seconds !== undefined) {
    Object.assign(set, schedule, { graceSeconds: grace }, restartedPeriod(schedule, grace, d.now));
  }
  if (input.tags !== undefined) set.tags = JSON.stringify(input.tags);
  if (input.alerts !== undefined) {
    const merged = mergeMonitorAlerts(monitorAlerts(row), input.alerts);
    const tokens = resolveChannelTokens(merged.channels, await openSecrets(d.ring, row));
    errors.push(...tokens.errors);
    refuseFields(errors);
    Object.assign(set, await sealAlerts(d.ring, row, { ...merged, channels: tokens.channels }));
  }
  refuseFields(errors);
  try {
    const updated = await updateMonitor(d.db, accountId, id, set);
    forget(row);
    return updated ? { ok: true, row: updated } : { ok: false, reason: "not-found" };
  } catch (err) {
    if (slugConflict(err)) return { ok: false, reason: "slug" };
    throw err;
  }
}

/** This isolate's cached configuration of the monitor, by slug and by id (others expire or fail their batch). */
function forget(row: Pick<MonitorRow, "accountId" | "id" | "slug">) {
  monitorConfigs.delete(`${row.accountId}\n${row.slug}`);
  monitorConfigs.delete(`${row.accountId}\n#${row.id}`);
}

/** Pauses: no deadline until resumed; pings are still recorded (README "Monitors"). */
export async function pauseMonitor(d: MonitorDeps, accountId: string, id: string) {
  return updateMonitor(d.db, accountId, id, {
    state: "paused",
    stateChangedAt: sql`CASE WHEN ${monitors.state} <> 'paused' THEN ${d.now} ELSE ${monitors.stateChangedAt} END`,
    nextExpectedAt: null,
    downAt: null,
    updatedAt: d.now,
  });
}

/** Resumes a paused monitor as `new`: it waits for its next ping, as Healthchecks' resume does. */
export async function resumeMonitor(d: MonitorDeps, accountId: string, id: string) {
  return updateMonitor(d.db, accountId, id, {
    state: sql`CASE WHEN ${monitors.state} = 'paused' THEN 'new' ELSE ${monitors.state} END`,
    stateChangedAt: sql`CASE WHEN ${monitors.state} = 'paused' THEN ${d.now} ELSE ${monitors.stateChangedAt} END`,
    updatedAt: d.now,
  });
}

/** Soft-deletes the monitor and removes its ping route; false when there is none. */
export async function deleteMonitor(d: MonitorDeps, accountId: string, id: string): Promise<boolean> {
  const row = await findMonitor(d.db, accountId, id);
  if (!row || !(await softDeleteMonitor(d.db, accountId, id, d.now))) return false;
  await removeMonitorRoute(d.control, id);
  forget(row);
  return true;
}
