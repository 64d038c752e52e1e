import { eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobNumber } from "../db/numbers";
import { accounts, cronJobs, executionStatuses, logHours, logs, shardState } from "../db/schema";
import { liveJobNumbers } from "./filters";
import type { LogScope } from "./scope";
import { sketchKeySql, sketchMergeSql } from "./sketch";

/** log_hours.hour is floor(executed_at / HOUR): UTC hours. */
export const HOUR = 3_600_000;
/** HOUR as an SQL integer literal: D1 may bind a JS number as REAL, which would make `/` a float division. */
export const HOUR_SQL = sql.raw(String(HOUR));

/**
 * The first hour read wholly from log_hours: hours before the migration watermark (shard_state
 * 'legacy_logs_until') are read from the logs. NULL once the row is gone.
 */
export const firstRolledUpHour: SQL = sql`((SELECT ${shardState.value} FROM ${shardState} WHERE ${shardState.key} = 'legacy_logs_until') + ${sql.raw(String(HOUR - 1))}) / ${HOUR_SQL}`;

/** The end (exclusive, ms) of the logs no rollup holds; NULL when none, so `executed_at < NULL` reads nothing. */
export const legacyLogsEnd: SQL = sql`(${firstRolledUpHour} * ${HOUR_SQL})`;

/**
 * The rollup rows of the scope's jobs: the job's, or the account's live jobs' (their numbers select them, as
 * log_hours has no account column).
 */
export function rollupJobs(db: Db, scope: LogScope): SQL[] {
  const conds: SQL[] = [];
  if (scope.cronJobId) conds.push(eq(logHours.job, jobNumber(scope.cronJobId)));
  if (scope.kind === "account")
    conds.push(sql`${logHours.job} IN (${liveJobNumbers(db, scope.accountId, scope.tags)})`);
  return conds;
}

/**
 * A status condition on the key (job, status, hour): one status, or every status spelt out, so a read of all
 * statuses is four hour ranges of the primary key instead of a walk of every hour of the job.
 */
export const rollupStatus = (status: number | undefined): SQL =>
  status === undefined
    ? inArray(
        logHours.status,
        executionStatuses.map((_, i) => i),
      )
    : eq(logHours.status, status);

/**
 * Hours from `first` (or unbounded) through `last` that the rollups hold: the lower bound is one expression (the
 * later of `first` and the legacy watermark's hour), so SQLite bounds the key range by both.
 */
export function rolledUpHours(first: number | null, last: number | null): SQL[] {
  const conds: SQL[] = [
    first === null
      ? sql`${logHours.hour} >= coalesce(${firstRolledUpHour}, ${Number.MIN_SAFE_INTEGER})`
      : sql`${logHours.hour} >= max(${first}, coalesce(${firstRolledUpHour}, ${first}))`,
  ];
  if (last !== null) conds.push(sql`${logHours.hour} <= ${last}`);
  return conds;
}

/**
 * The hour rollups of the logs matching `where`, as the insert trigger would have kept them: counts per sketch key
 * first, then per (job, status, hour) with the sketch as their JSON object (successful runs only).
 */
function rollupsOf(where: SQL): SQL {
  const k = sql.raw(sketchKeySql('"response_time_ms"'));
  // `WHERE true`: SQLite needs it to tell an upsert's ON CONFLICT from a join after INSERT … SELECT.
  return sql`SELECT job, status, hour, sum(c), sum(s), min(mn), max(mx),
      CASE WHEN status = 0 AND count(k) > 0 THEN json_group_object(k, t) FILTER (WHERE k IS NOT NULL) END
    FROM (
      SELECT "job" AS job, "status" AS status, "executed_at" / ${HOUR_SQL} AS hour,
        CASE WHEN "response_time_ms" IS NOT NULL THEN ${k} END AS k,
        count(*) AS c, count("response_time_ms") AS t, sum("response_time_ms") AS s,
        min("response_time_ms") AS mn, max("response_time_ms") AS mx
      FROM ${logs} WHERE ${where} GROUP BY 1, 2, 3, 4
    ) WHERE true GROUP BY job, status, hour`;
}

/** Adds the logs matching `where` (not yet in any rollup) to their hours' rollups, merging sketches. */
export function addRollupsOf(db: Db, where: SQL) {
  return db
    .insert(logHours)
    .select(rollupsOf(where))
    .onConflictDoUpdate({
      target: [logHours.job, logHours.status, logHours.hour],
      set: {
        n: sql`"n" + excluded."n"`,
        sumMs: sql`coalesce("sum_ms" + excluded."sum_ms", "sum_ms", excluded."sum_ms")`,
        minMs: sql`coalesce(min("min_ms", excluded."min_ms"), "min_ms", excluded."min_ms")`,
        maxMs: sql`coalesce(max("max_ms", excluded."max_ms"), "max_ms", excluded."max_ms")`,
        sketch: sql.raw(sketchMergeSql('"log_hours"."sketch"', 'excluded."sketch"')),
      },
    });
}

/**
 * Rebuilds one hour's rollups of an account's jobs from the logs left in it: after the sweep deleted part of the
 * hour, its max, min and sketch still described the deleted logs. Legacy rows (body NULL) count in no rollup.
 */
export function recountHourStatements(db: Db, accountNum: number, hour: number) {
  const jobs = sql`(SELECT ${cronJobs.num} FROM ${cronJobs} JOIN ${accounts} ON ${accounts.id} = ${cronJobs.accountId} WHERE ${accounts.num} = ${accountNum})`;
  const where = sql`${logs.account} = ${accountNum} AND ${logs.executedAt} >= ${hour * HOUR} AND ${logs.executedAt} < ${(hour + 1) * HOUR} AND ${logs.body} IS NOT NULL`;
  return [
    db.delete(logHours).where(sql`${logHours.hour} = ${hour} AND ${logHours.job} IN ${jobs}`),
    db.insert(logHours).select(rollupsOf(where)),
  ];
}
