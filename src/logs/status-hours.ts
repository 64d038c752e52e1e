import { and, eq, gt, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { logHours, logs } from "../db/schema";
import type { LogPosition } from "./cursor";
import { type LogFilters, rowConds } from "./filters";
import { newestFirst, oldestFirst, positionKey } from "./keyset";
import { logsOfKeys } from "./late-lookup";
import { statusNumber } from "./log-row";
import { HOUR, HOUR_SQL, hourMayMatch, legacyLogsEnd, rollupJobs, rollupStatus } from "./rollups";
import type { LogScope } from "./scope";

/**
 * Status, response code and latency filters through the hourly rollups: logs_job_time_idx ends with the status and
 * holds neither code nor time, so a plain walk visits every log of the range. log_hours answers a no-match filter
 * alone (no row may match: rollups.ts hourMayMatch) and lets a rare match walk only its hours; a common one keeps
 * the plain walk, which stops once the page is full.
 */

/** The log_hours rows that may hold a match: the status's (or every status's), narrowed by code and latency. */
export const candidateRows = (f: LogFilters): SQL[] => [
  f.status === undefined ? rollupStatus(undefined) : eq(logHours.status, statusNumber(f.status)),
  ...hourMayMatch(f),
];

/** Above these the matching hours are not worth reading one by one: the plain walk finds a page sooner. */
export const MAX_MATCHES = 5000;
export const MAX_HOURS = 1000;
/** Rollup rows read to estimate the range's size; the estimate is a lower bound past it. */
const SIZE_ROWS = 20_000;
/** A sorted match costs about this many index steps (sorter insert and compare). */
const SORT_COST = 4;
/** An integer literal in the SQL: D1 may bind a JS number as REAL. */
const int = (n: number) => sql.raw(String(Math.trunc(n)));

/** What the rollups say about a status filter's range, read before the page in the job check's round trip. */
export interface StatusHours {
  /** Logs of the candidate rows in the hours the range touches (edge hours whole), over at most MAX_HOURS rows. */
  matches: number;
  /** Hours holding the status (at most MAX_HOURS). */
  hours: number;
  /** Logs of any status in those hours: what walking them visits; only read when it decides. */
  walked: number | null;
  /** Logs of any status in the range's hours (a lower bound past SIZE_ROWS rows); only read when it decides. */
  size: number | null;
  /** 1 when the range reaches hours before the legacy watermark, which no rollup holds. */
  legacy: number;
}

export type Walk = "none" | "hours" | "plain";

/** Where a walk may find rows: the filters' range narrowed by a cursor position. */
export interface WalkBounds {
  /** Rows strictly older than this (newest first) or newer than this (oldest first). */
  before?: LogPosition;
  after?: LogPosition;
}

function msRange(f: LogFilters, b: WalkBounds): { s: number | null; e: number | null } {
  const starts = [f.start?.start, b.after?.executedAt].filter((v) => v !== undefined);
  const ends = [f.end?.end, b.before?.executedAt].filter((v) => v !== undefined);
  return { s: starts.length ? Math.max(...starts) : null, e: ends.length ? Math.min(...ends) : null };
}

function hourRange(s: number | null, e: number | null): SQL[] {
  const conds: SQL[] = [];
  if (s !== null) conds.push(gte(logHours.hour, Math.floor(s / HOUR)));
  if (e !== null) conds.push(lte(logHours.hour, Math.floor(e / HOUR)));
  return conds;
}

/**
 * A status filter's rollup summary in one statement: the hours holding the status (≤ MAX_HOURS rows of log_hours)
 * and the legacy flag; for a rare status, also what walking its hours would visit.
 */
export function statusHoursQuery(db: Db, scope: LogScope, f: LogFilters, b: WalkBounds = {}) {
  const { s, e } = msRange(f, b);
  const jobs = rollupJobs(db, scope);
  const statusRows = (select: SQL) => sql`SELECT ${select} FROM ${logHours}
    WHERE ${and(...jobs, ...candidateRows(f), ...hourRange(s, e), gt(logHours.n, 0))} LIMIT ${int(MAX_HOURS)}`;
  const a = (column: string) => sql.raw(`"a"."${column}"`);
  const hourTotal = sql`(SELECT sum(${a("n")}) FROM ${logHours} AS "a" WHERE ${a("job")} = ${logHours.job}
    AND ${a("status")} IN (0, 1, 2, 3) AND ${a("hour")} = ${logHours.hour})`;
  const sizeRows = sql`SELECT ${logHours.n} AS n FROM ${logHours}
    WHERE ${and(...jobs, rollupStatus(undefined), ...hourRange(s, e))} LIMIT ${int(SIZE_ROWS)}`;
  const legacy = s === null ? sql`${legacyLogsEnd} IS NOT NULL` : sql`coalesce(${s} < ${legacyLogsEnd}, 0)`;
  const summary = sql`SELECT coalesce(sum(n), 0) AS matches, count(*) AS hours, ${legacy} AS legacy
    FROM (${statusRows(sql`${logHours.n} AS n`)})`;
  // CASE runs the costlier subqueries only when the choice depends on them (a few, rare matches).
  const rare = sql`legacy = 0 AND matches BETWEEN 1 AND ${int(MAX_MATCHES - 1)} AND hours < ${int(MAX_HOURS)}`;
  return db
    .select({
      matches: sql<number>`matches`.mapWith(Number),
      hours: sql<number>`hours`.mapWith(Number),
      walked: sql<
        number | null
      >`CASE WHEN ${rare} THEN (SELECT sum(t) FROM (${statusRows(sql`${hourTotal} AS t`)})) END`,
      size: sql<number | null>`CASE WHEN ${rare} THEN (SELECT coalesce(sum(n), 0) FROM (${sizeRows})) END`,
      legacy: sql<number>`legacy`.mapWith(Number),
    })
    .from(sql`(${summary})`);
}

/**
 * How to walk a status filter: "none" when no hour holds the status (an empty page; no legacy hours in range),
 * "hours" when walking only the hours holding it (plus sorting the matches) visits fewer entries than the plain
 * walk would to fill `need` rows (offset + limit; Infinity for an export), else "plain".
 */
export function chooseWalk(h: StatusHours, need: number): Walk {
  if (h.legacy) return "plain";
  if (h.matches === 0) return "none";
  if (h.matches >= MAX_MATCHES || h.hours >= MAX_HOURS || h.walked === null || h.size === null) return "plain";
  // The plain walk visits the range at the status's density until `need` matches, or all of it.
  const plain = h.matches <= need ? h.size : (need * h.size) / h.matches;
  return h.walked + SORT_COST * h.matches <= plain ? "hours" : "plain";
}

/**
 * A late row lookup (late-lookup.ts) of a status filter's logs that walks only the hours holding the status:
 * for each such hour of log_hours (outer loop: CROSS JOIN keeps it outer), its slice of logs_job_time_idx, bounded
 * by one expression on each side so SQLite ranges over that hour alone. The position is a plain filter
 * (`+executed_at` keeps it out of the range). Every log of the status is in an hour log_hours holds, outside the
 * legacy window (chooseWalk never picks this then), so the rows, their order and offsets are the plain walk's.
 */
export function hoursLookup(
  db: Db,
  scope: LogScope,
  f: LogFilters,
  o: WalkBounds & { order: "newest" | "oldest"; limit: number; offset?: number },
) {
  const { s, e } = msRange(f, o);
  const hourStart = sql`${logHours.hour} * ${HOUR_SQL}`;
  const lower = s === null ? hourStart : sql`max(${hourStart}, ${s})`;
  const upper = e === null ? sql`${hourStart} + ${int(HOUR - 1)}` : sql`min(${hourStart} + ${int(HOUR - 1)}, ${e})`;
  const keyColumns = sql`(+${logs.executedAt}, ${logs.slot}, ${logs.idHi}, ${logs.idLo})`;
  const position = o.before
    ? sql`${keyColumns} < ${positionKey(o.before)}`
    : o.after
      ? sql`${keyColumns} > ${positionKey(o.after)}`
      : undefined;
  const order = o.order === "newest" ? newestFirst : oldestFirst;
  const keys = db
    .select({ slot: logs.slot, idHi: logs.idHi, idLo: logs.idLo })
    .from(logHours)
    .crossJoin(logs)
    .where(
      and(
        ...rollupJobs(db, scope),
        ...candidateRows(f),
        ...hourRange(s, e),
        gt(logHours.n, 0),
        eq(logs.job, logHours.job),
        sql`${logs.executedAt} >= ${lower}`,
        sql`${logs.executedAt} <= ${upper}`,
        eq(logs.status, logHours.status),
        ...rowConds(f),
        position,
      ),
    )
    .orderBy(...order)
    .limit(o.limit)
    .offset(o.offset ?? 0);
  return logsOfKeys(db, keys, order);
}
