import { eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobNumber } from "../db/numbers";
import { accounts, cronJobs, executionStatuses, logHours, logs, shardState } from "../db/schema";
import { type LogFilters, liveJobNumbers } from "./filters";
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

/** An integer literal in the SQL: D1 may bind a JS number as REAL, and these feed bitwise operators. */
const int = (n: number) => sql.raw(String(Math.trunc(n)));

/**
 * log_hours.flags, what a (job, status, hour) row's logs hold (migration 0031's insert trigger sets them): a log
 * without a response code, a code of each class 1xx–5xx, a code outside 100–599, a log without a response time.
 */
export const LOG_FLAGS = { noCode: 1, otherCode: 64, noTime: 128 } as const;
export const classFlag = (code: number): number => 2 << (Math.floor(code / 100) - 1);

/** The flags of one log, as SQL over its code and time expressions (column references, pasted as is). */
function logFlagsSql(code: string, ms: string): string {
  return (
    `((CASE WHEN ${code} IS NULL THEN ${LOG_FLAGS.noCode} WHEN ${code} BETWEEN 100 AND 599 THEN 2 << (${code} / 100 - 1) ` +
    `ELSE ${LOG_FLAGS.otherCode} END) | (CASE WHEN ${ms} IS NULL THEN ${LOG_FLAGS.noTime} ELSE 0 END))`
  );
}

/**
 * Conditions true of every log_hours row that may hold a log matching the code and latency filters (an
 * unknown row, flags NULL, may). min_ms and max_ms only ever widen while the row lives, so no match is lost.
 */
export function hourMayMatch(f: LogFilters): SQL[] {
  const conds: SQL[] = [];
  if (f.code) {
    const { lo, hi } = f.code;
    conds.push(
      sql`(${logHours.flags} IS NULL OR (${logHours.flags} & ${int(classFlag(lo))} != 0 AND ${logHours.codeMin} <= ${int(hi)} AND ${logHours.codeMax} >= ${int(lo)}))`,
    );
  }
  // A row whose logs have no response time has min_ms and max_ms NULL: it cannot match either bound.
  if (f.minMs !== undefined) conds.push(sql`${logHours.maxMs} >= ${int(f.minMs)}`);
  if (f.maxMs !== undefined) conds.push(sql`${logHours.minMs} <= ${int(f.maxMs)}`);
  return conds;
}

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
  // flags: OR of every log's bits; SQLite has no bitwise aggregate, so one max() per bit.
  const bits = [LOG_FLAGS.noCode, 2, 4, 8, 16, 32, LOG_FLAGS.otherCode, LOG_FLAGS.noTime];
  const orOf = (expr: string) => sql.raw(bits.map((b) => `max(${expr} & ${b})`).join(" | "));
  const logFlags = orOf(logFlagsSql('"response_code"', '"response_time_ms"'));
  const flagsOf = orOf("fl");
  // `WHERE true`: SQLite needs it to tell an upsert's ON CONFLICT from a join after INSERT … SELECT.
  return sql`SELECT job, status, hour, sum(c), sum(s), min(mn), max(mx),
      CASE WHEN status = 0 AND count(k) > 0 THEN json_group_object(k, t) FILTER (WHERE k IS NOT NULL) END,
      ${flagsOf}, min(cmn), max(cmx)
    FROM (
      SELECT "job" AS job, "status" AS status, "executed_at" / ${HOUR_SQL} AS hour,
        CASE WHEN "response_time_ms" IS NOT NULL THEN ${k} END AS k,
        count(*) AS c, count("response_time_ms") AS t, sum("response_time_ms") AS s,
        min("response_time_ms") AS mn, max("response_time_ms") AS mx,
        ${logFlags} AS fl, min("response_code") AS cmn, max("response_code") AS cmx
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
        // NULL (unknown, a row from before migration 0031) stays NULL.
        flags: sql`"flags" | excluded."flags"`,
        codeMin: sql`coalesce(min("code_min", excluded."code_min"), "code_min", excluded."code_min")`,
        codeMax: sql`coalesce(max("code_max", excluded."code_max"), "code_max", excluded."code_max")`,
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
