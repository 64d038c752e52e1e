import { and, desc, eq, getTableColumns, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type MonitorPingRow, type MonitorRow, monitorPings, monitors } from "../db/schema";
import type { LogPosition } from "../logs/cursor";
import type { MonitorViewState } from "./schemas";

/** A monitor as created: everything but the number the insert gives it. */
export type NewMonitorRow = Omit<MonitorRow, "num">;

export const liveMonitor = (accountId: string, id: string) =>
  and(eq(monitors.id, id), eq(monitors.accountId, accountId), isNull(monitors.deletedAt)) as SQL;

/** Live monitors of the account: what MAX_MONITORS counts. */
const monitorCount = (accountId: string) =>
  sql`(SELECT count(*) FROM ${monitors} WHERE ${monitors.accountId} = ${accountId} AND ${monitors.deletedAt} IS NULL)`;

export type InsertOutcome = "ok" | "limit" | "slug";

/**
 * Inserts the monitor unless the account has `max` live monitors or one with its slug: one statement, so concurrent
 * creates cannot overshoot. The number is given here (not by the trigger), so `changes` counts this row alone.
 */
export async function insertMonitorWithinLimit(db: Db, row: NewMonitorRow, max: number): Promise<InsertOutcome> {
  const columns = getTableColumns(monitors);
  const keys = Object.keys(row) as Array<keyof NewMonitorRow>;
  const names = sql.raw([...keys.map((k) => `"${columns[k].name}"`), `"${monitors.num.name}"`].join(", "));
  const num = sql`(SELECT coalesce(max(${monitors.num}), 0) + 1 FROM ${monitors})`;
  const values = sql.join([...keys.map((k) => sql`${row[k]}`), num], sql`, `);
  const res = await db.run(
    sql`INSERT INTO ${monitors} (${names}) SELECT ${values} WHERE ${monitorCount(row.accountId)} < ${max} ON CONFLICT DO NOTHING`,
  );
  if (res.meta.changes === 1) return "ok";
  return (await findMonitorBySlug(db, row.accountId, row.slug)) ? "slug" : "limit";
}

export async function findMonitor(db: Db, accountId: string, id: string): Promise<MonitorRow | undefined> {
  const [row] = await db.select().from(monitors).where(liveMonitor(accountId, id)).limit(1);
  return row;
}

export async function findMonitorBySlug(db: Db, accountId: string, slug: string): Promise<MonitorRow | undefined> {
  const [row] = await db
    .select()
    .from(monitors)
    .where(and(eq(monitors.accountId, accountId), eq(monitors.slug, slug), isNull(monitors.deletedAt)))
    .limit(1);
  return row;
}

/** Whether another live monitor of the account has `slug`. */
export async function slugTaken(db: Db, accountId: string, slug: string, exceptId: string): Promise<boolean> {
  const row = await findMonitorBySlug(db, accountId, slug);
  return row !== undefined && row.id !== exceptId;
}

/** Applies `set` to a live monitor; undefined when there is none. */
export async function updateMonitor(
  db: Db,
  accountId: string,
  id: string,
  set: Partial<Record<keyof MonitorRow, unknown>>,
  where?: SQL,
): Promise<MonitorRow | undefined> {
  const [row] = await db
    .update(monitors)
    .set(set as Partial<MonitorRow>)
    .where(and(liveMonitor(accountId, id), where))
    .returning();
  return row;
}

/**
 * Soft delete: the slug is free and pings find nothing at once; config_version moves so a cached copy writes
 * nothing; the sweep removes the pings, then the row.
 */
export async function softDeleteMonitor(db: Db, accountId: string, id: string, now: number): Promise<boolean> {
  const rows = await db
    .update(monitors)
    .set({
      deletedAt: now,
      updatedAt: now,
      downAt: null,
      nextExpectedAt: null,
      configVersion: sql`${monitors.configVersion} + 1`,
    })
    .where(liveMonitor(accountId, id))
    .returning({ id: monitors.id });
  return rows.length === 1;
}

/** The SQL condition of a shown state at `now` (src/monitors/present.ts viewState says the same in TypeScript). */
function stateCondition(state: MonitorViewState, now: number): SQL {
  switch (state) {
    case "up":
      return sql`(${monitors.state} = 'up' AND (${monitors.nextExpectedAt} IS NULL OR ${monitors.nextExpectedAt} > ${now}))`;
    case "late":
      return sql`(${monitors.state} = 'up' AND ${monitors.nextExpectedAt} <= ${now})`;
    default:
      return eq(monitors.state, state);
  }
}

export interface ListMonitorsFilter {
  accountId: string;
  limit: number;
  cursor?: LogPosition;
  state?: MonitorViewState;
  tags?: string[];
  now: number;
}

/** A page of live monitors, newest first, keyset by (created_at, id); one more than `limit` says a page follows. */
export async function listMonitors(db: Db, f: ListMonitorsFilter): Promise<MonitorRow[]> {
  const conds: SQL[] = [eq(monitors.accountId, f.accountId), isNull(monitors.deletedAt) as SQL];
  if (f.state) conds.push(stateCondition(f.state, f.now));
  if (f.tags && f.tags.length > 0) {
    const list = sql.join(
      f.tags.map((t) => sql`${t}`),
      sql`, `,
    );
    conds.push(sql`EXISTS (SELECT 1 FROM json_each(${monitors.tags}) WHERE json_each.value IN (${list}))`);
  }
  if (f.cursor) {
    const c = f.cursor;
    conds.push(
      or(lt(monitors.createdAt, c.executedAt), and(eq(monitors.createdAt, c.executedAt), lt(monitors.id, c.id))) as SQL,
    );
  }
  return db
    .select()
    .from(monitors)
    .where(and(...conds))
    .orderBy(desc(monitors.createdAt), desc(monitors.id))
    .limit(f.limit + 1);
}

export type RecentPing = Pick<MonitorPingRow, "id" | "at" | "kind" | "exitStatus">;

/**
 * The last `n` pings of each monitor (by num), newest first, in one statement: per monitor `n` entries of
 * monitor_pings_monitor_time_idx, then their rows by rowid (the Monitors page's strips without a request per row).
 */
export async function recentPings(db: Db, nums: number[], n: number): Promise<Map<number, RecentPing[]>> {
  const byMonitor = new Map<number, RecentPing[]>();
  if (nums.length === 0 || n <= 0) return byMonitor;
  const rows = await db.all<RecentPing & { monitor: number }>(
    sql`SELECT p.id, p.monitor, p.at, p.kind, p.exit_status AS exitStatus FROM json_each(${JSON.stringify(nums)}) AS m JOIN ${monitorPings} AS p ON p.id IN (SELECT q.id FROM ${monitorPings} AS q WHERE q.monitor = m.value ORDER BY q.at DESC, q.id DESC LIMIT ${n}) ORDER BY m.key, p.at DESC, p.id DESC`,
  );
  for (const { monitor, ...ping } of rows) byMonitor.set(monitor, [...(byMonitor.get(monitor) ?? []), ping]);
  return byMonitor;
}

/**
 * A page of a live monitor's pings, newest first, keyset by (at, id) along monitor_pings_monitor_time_idx; null when
 * the monitor is not live. One more than `limit` says a page follows.
 */
export async function listPings(
  db: Db,
  accountId: string,
  monitorId: string,
  limit: number,
  cursor?: LogPosition,
): Promise<MonitorPingRow[] | null> {
  const num = sql`(SELECT ${monitors.num} FROM ${monitors} WHERE ${liveMonitor(accountId, monitorId)})`;
  const after = cursor
    ? or(
        lt(monitorPings.at, cursor.executedAt),
        and(eq(monitorPings.at, cursor.executedAt), lt(monitorPings.id, Number(cursor.id))),
      )
    : undefined;
  const [found, rows] = await db.batch([
    db.select({ id: monitors.id }).from(monitors).where(liveMonitor(accountId, monitorId)),
    db
      .select()
      .from(monitorPings)
      .where(and(sql`${monitorPings.monitor} = ${num}`, after))
      .orderBy(desc(monitorPings.at), desc(monitorPings.id))
      .limit(limit + 1),
  ]);
  return found.length === 0 ? null : rows;
}
