import { and, desc, eq, getTableColumns, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  type CalendarRow,
  calendars,
  cronJobs,
  type MaintenanceWindowRow,
  maintenanceWindows,
  monitors,
} from "../db/schema";
import type { Position } from "./cursor";

/** Inserts `row` unless the account has `max` rows in `table`: one statement, so concurrent creates cannot overshoot. */
async function insertWithinLimit(
  db: Db,
  table: typeof calendars | typeof maintenanceWindows,
  row: Record<string, unknown>,
  max: number,
): Promise<boolean> {
  const cols = getTableColumns(table) as Record<string, { name: string }>;
  const keys = Object.keys(row);
  const names = sql.raw(keys.map((k) => `"${(cols[k] as { name: string }).name}"`).join(", "));
  const values = sql.join(
    keys.map((k) => sql`${row[k]}`),
    sql`, `,
  );
  const count = sql`(SELECT count(*) FROM ${table} WHERE ${table.accountId} = ${row.accountId as string})`;
  const res = await db.run(sql`INSERT INTO ${table} (${names}) SELECT ${values} WHERE ${count} < ${max}`);
  return res.meta.changes === 1;
}

export const insertCalendar = (db: Db, row: CalendarRow, max: number) => insertWithinLimit(db, calendars, row, max);
export const insertWindow = (db: Db, row: MaintenanceWindowRow, max: number) =>
  insertWithinLimit(db, maintenanceWindows, row, max);

const calendarWhere = (accountId: string, id: string) => and(eq(calendars.id, id), eq(calendars.accountId, accountId));
const windowWhere = (accountId: string, id: string) =>
  and(eq(maintenanceWindows.id, id), eq(maintenanceWindows.accountId, accountId));

export async function findCalendar(db: Db, accountId: string, id: string): Promise<CalendarRow | undefined> {
  const [row] = await db.select().from(calendars).where(calendarWhere(accountId, id)).limit(1);
  return row;
}

export async function findWindow(db: Db, accountId: string, id: string): Promise<MaintenanceWindowRow | undefined> {
  const [row] = await db.select().from(maintenanceWindows).where(windowWhere(accountId, id)).limit(1);
  return row;
}

export async function updateCalendar(db: Db, accountId: string, id: string, set: Partial<CalendarRow>) {
  const [row] = await db.update(calendars).set(set).where(calendarWhere(accountId, id)).returning();
  return row;
}

export async function updateWindow(db: Db, accountId: string, id: string, set: Partial<MaintenanceWindowRow>) {
  const [row] = await db.update(maintenanceWindows).set(set).where(windowWhere(accountId, id)).returning();
  return row;
}

/** A keyset page (created_at, id) newest first; one more row than `limit` says a page follows. */
function keyset(table: typeof calendars | typeof maintenanceWindows, cursor?: Position): SQL | undefined {
  if (!cursor) return undefined;
  return or(
    lt(table.createdAt, cursor.createdAt),
    and(eq(table.createdAt, cursor.createdAt), lt(table.id, cursor.id)),
  ) as SQL;
}

export function listCalendars(db: Db, accountId: string, limit: number, cursor?: Position) {
  return db
    .select()
    .from(calendars)
    .where(and(eq(calendars.accountId, accountId), keyset(calendars, cursor)))
    .orderBy(desc(calendars.createdAt), desc(calendars.id))
    .limit(limit + 1);
}

export function listWindows(db: Db, accountId: string, limit: number, cursor?: Position) {
  return db
    .select()
    .from(maintenanceWindows)
    .where(and(eq(maintenanceWindows.accountId, accountId), keyset(maintenanceWindows, cursor)))
    .orderBy(desc(maintenanceWindows.createdAt), desc(maintenanceWindows.id))
    .limit(limit + 1);
}

/** The live jobs whose schedule_config.exclude_calendars names the calendar (at most `limit`). */
export async function jobsReferencing(db: Db, accountId: string, calendarId: string, limit = 20) {
  return db
    .select({ id: cronJobs.id, name: cronJobs.name })
    .from(cronJobs)
    .where(
      and(
        eq(cronJobs.accountId, accountId),
        sql`${cronJobs.deletedAt} IS NULL`,
        sql`EXISTS (SELECT 1 FROM json_each(${cronJobs.scheduleConfig}, '$.exclude_calendars') WHERE json_each.value = ${calendarId})`,
      ),
    )
    .orderBy(cronJobs.createdAt)
    .limit(limit);
}

/**
 * Deletes the calendar unless a live job references it, in one statement (a job saved between a check and the
 * delete cannot be left pointing at nothing by this request). Returns whether it went.
 */
export async function deleteCalendarUnreferenced(db: Db, accountId: string, id: string): Promise<boolean> {
  const res = await db.run(
    sql`DELETE FROM ${calendars} WHERE ${calendarWhere(accountId, id)} AND NOT EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.accountId} = ${accountId} AND ${cronJobs.deletedAt} IS NULL AND EXISTS (SELECT 1 FROM json_each(${cronJobs.scheduleConfig}, '$.exclude_calendars') WHERE json_each.value = ${id}))`,
  );
  return res.meta.changes === 1;
}

export async function deleteWindow(db: Db, accountId: string, id: string): Promise<boolean> {
  const res = await db.run(sql`DELETE FROM ${maintenanceWindows} WHERE ${windowWhere(accountId, id)}`);
  return res.meta.changes === 1;
}

/** Every calendar and window of the accounts: one batch (D1 counts it as one query). */
export async function loadAccountsConfig(db: Db, accountIds: string[]) {
  const [cals, wins] = await db.batch([
    db.select().from(calendars).where(inArray(calendars.accountId, accountIds)),
    db.select().from(maintenanceWindows).where(inArray(maintenanceWindows.accountId, accountIds)),
  ]);
  return { calendars: cals, windows: wins };
}

/** The account's calendars among `ids` (to check a job's exclude_calendars). */
export function calendarsAmong(db: Db, accountId: string, ids: string[]) {
  return db
    .select()
    .from(calendars)
    .where(and(eq(calendars.accountId, accountId), inArray(calendars.id, ids)));
}

/**
 * Which of `jobIds` and `monitorIds` are live (not deleted) jobs and monitors of the account: one statement, the
 * lists bound as one JSON parameter each (D1 binds at most 100).
 */
export async function liveScopeIds(db: Db, accountId: string, jobIds: string[], monitorIds: string[]) {
  const rows = await db.all<{ kind: "job" | "monitor"; id: string }>(
    sql`SELECT 'job' AS kind, ${cronJobs.id} AS id FROM ${cronJobs} WHERE ${cronJobs.accountId} = ${accountId} AND ${cronJobs.deletedAt} IS NULL AND ${cronJobs.id} IN (SELECT value FROM json_each(${JSON.stringify(jobIds)})) UNION ALL SELECT 'monitor', ${monitors.id} FROM ${monitors} WHERE ${monitors.accountId} = ${accountId} AND ${monitors.deletedAt} IS NULL AND ${monitors.id} IN (SELECT value FROM json_each(${JSON.stringify(monitorIds)}))`,
  );
  return {
    jobs: new Set(rows.filter((r) => r.kind === "job").map((r) => r.id)),
    monitors: new Set(rows.filter((r) => r.kind === "monitor").map((r) => r.id)),
  };
}
