import { eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { executionStatuses, logHours, shardState } from "../db/schema";
import { liveJobNumbers } from "./filters";
import type { LogScope } from "./scope";
import { jobNumber } from "./store";

/** log_hours.hour is floor(executed_at / HOUR): UTC hours. */
export const HOUR = 3_600_000;
/** HOUR as an SQL integer literal: D1 may bind a JS number as REAL, which would make `/` a float division. */
export const HOUR_SQL = sql.raw(String(HOUR));

/**
 * The first hour wholly read from log_hours, as a scalar subquery: hours starting before the store migration's
 * watermark (shard_state 'legacy_logs_until') hold logs no rollup has, so they are read from the logs. NULL once
 * the migration is done and the row is gone: every hour is in the rollups.
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
