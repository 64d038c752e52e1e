import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { monitorPings, monitors } from "../db/schema";

/** Where the pings sweep stands: chunks walk monitors in number order, so the whole sweep is one pass. */
export interface PingsSweep {
  fromNum: number;
}

export const newPingsSweep = (): PingsSweep => ({ fromNum: 0 });

/**
 * Deletes up to `limit` pings received before `cutoff`, monitor by monitor from `state.fromNum`, each a range of
 * monitor_pings_monitor_time_idx, deleted monitors included. Returns how many went.
 */
export async function deleteExpiredPings(db: Db, cutoff: number, limit: number, state: PingsSweep): Promise<number> {
  const chunk = sql`SELECT ${monitorPings.id} AS id, ${monitorPings.monitor} AS monitor FROM ${monitors} JOIN ${monitorPings} ON ${monitorPings.monitor} = ${monitors.num} WHERE ${monitors.num} >= ${state.fromNum} AND ${monitorPings.at} < ${cutoff} ORDER BY ${monitors.num} LIMIT ${limit}`;
  // The chunk's last monitor first: the next chunk starts there (it may have pings past this chunk's limit).
  const [last] = await db.all<{ n: number | null }>(sql`SELECT max(monitor) AS n FROM (${chunk})`);
  const deleted = await db.run(
    sql`DELETE FROM ${monitorPings} WHERE ${monitorPings.id} IN (SELECT id FROM (${chunk}))`,
  );
  if (last?.n !== null && last?.n !== undefined) state.fromNum = last.n;
  // No trigger writes on monitor_pings, so `changes` is exactly the pings deleted.
  return deleted.meta.changes;
}

/**
 * Removes monitors deleted before `cutoff` once none of their pings is left (pings stop at the delete, so the
 * pings sweep has taken them): the row outlives its last ping, and its number is not reused before.
 */
export async function purgeDeletedMonitors(db: Db, cutoff: number, limit: number): Promise<number> {
  const res = await db.run(
    sql`DELETE FROM ${monitors} WHERE ${monitors.id} IN (SELECT ${monitors.id} FROM ${monitors} WHERE ${monitors.deletedAt} < ${cutoff} AND NOT EXISTS (SELECT 1 FROM ${monitorPings} WHERE ${monitorPings.monitor} = ${monitors.num}) LIMIT ${limit})`,
  );
  return res.meta.changes;
}
