import { and, eq, gte, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobNumber } from "../db/numbers";
import { logs } from "../db/schema";
import type { LogPosition } from "./cursor";
import { type LogFilters, liveJobNumbers, rowConds } from "./filters";
import { newestFirst, olderThan } from "./keyset";
import { logsOfKeys } from "./late-lookup";
import { statusNumber } from "./log-row";
import type { LogScope } from "./scope";

/**
 * Code and latency filters through logs_job_code_idx (job, code, latency, time, status), visiting matching logs
 * only: a code or class is one key range per job; a latency bound alone one per (job, code), the codes found by a
 * skip-scan (one seek each), the last (NULL) one standing for the logs without a code.
 */

/** Fewer matches than this are paged from the code index and sorted; more, by the time-ordered walk. */
export const RARE_MATCHES = 5000;

/** The scope's job numbers as a one-column subquery (`num`): the job, or the account's live jobs. */
function scopeJobs(db: Db, scope: LogScope): SQL {
  if (scope.kind === "job") return sql`SELECT ${jobNumber(scope.cronJobId)} AS num`;
  const live = liveJobNumbers(db, scope.accountId, scope.tags);
  return scope.cronJobId
    ? sql`SELECT num FROM (${live}) WHERE num = ${jobNumber(scope.cronJobId)}`
    : sql`SELECT num FROM (${live})`;
}

/** Conditions on the code index's key columns: `code` on response_code (a key range), `ms` on response_time_ms. */
interface Keys {
  code?: SQL;
  ms: SQL[];
}

function keysOf(f: LogFilters): Keys {
  const conds = rowConds(f, false);
  return f.code ? { code: conds[0], ms: conds.slice(1) } : { ms: conds };
}

/**
 * What a code-only or latency-only filter leaves out of its status and time range, as key ranges (a log without a
 * code or a response time is one of them); null when the filter has both.
 */
function leftOutKeys(f: LogFilters): Keys[] | null {
  const { responseCode: code, responseTimeMs: ms } = logs;
  if (f.code && (f.minMs !== undefined || f.maxMs !== undefined)) return null;
  if (f.code) {
    const ranges = [sql`${code} < ${f.code.lo}`, sql`${code} > ${f.code.hi}`, sql`${code} IS NULL`];
    return ranges.map((c) => ({ code: c, ms: [] }));
  }
  const out: Keys[] = [{ ms: [sql`${ms} IS NULL`] }];
  if (f.minMs !== undefined) out.push({ ms: [sql`${ms} < ${f.minMs}`] });
  if (f.maxMs !== undefined) out.push({ ms: [sql`${ms} > ${f.maxMs}`] });
  return out;
}

/** `SELECT <columns>` of the logs in `scope` within `f`'s status and time and `keys`, through the code index. */
function matching(db: Db, scope: LogScope, f: LogFilters, keys: Keys, columns: SQL, extra?: SQL): SQL {
  const conds = [
    f.status ? eq(logs.status, statusNumber(f.status)) : undefined,
    f.start ? gte(logs.executedAt, f.start.start) : undefined,
    f.end ? lte(logs.executedAt, f.end.end) : undefined,
    ...keys.ms,
    extra,
  ];
  const byCode = sql.raw(`"logs" INDEXED BY "logs_job_code_idx"`);
  if (keys.code)
    return sql`SELECT ${columns} FROM ${byCode} WHERE ${and(sql`${logs.job} IN (${scopeJobs(db, scope)})`, keys.code, ...conds)}`;
  const next = (job: string, after: string) =>
    sql.raw(
      `(SELECT min("l"."response_code") FROM "logs" AS "l" INDEXED BY "logs_job_code_idx" WHERE "l"."job" = ${job}${after})`,
    );
  return sql`WITH RECURSIVE codes(job, code) AS (
      SELECT j.num, ${next('"j"."num"', "")} FROM (${scopeJobs(db, scope)}) AS j
      UNION ALL
      SELECT c.job, ${next('"c"."job"', ' AND "l"."response_code" > "c"."code"')} FROM codes AS c WHERE c.code IS NOT NULL)
    SELECT ${columns} FROM codes AS c CROSS JOIN ${byCode}
    WHERE ${and(sql`${logs.job} = c.job AND ${logs.responseCode} IS c.code`, ...conds)}`;
}

const countOf = (db: Db, scope: LogScope, f: LogFilters, keys: Keys): SQL =>
  sql`(${matching(db, scope, f, keys, sql`count(*)`)})`;

/** The exact number of logs matching a code or latency filter, as a scalar subquery: a visit per match. */
export const indexCount = (db: Db, scope: LogScope, f: LogFilters): SQL => countOf(db, scope, f, keysOf(f));

/** At most `limit` + 1 of them, counted: tells none, rare (paged by codeLookup) or common (the time walk). */
export const probeCount = (db: Db, scope: LogScope, f: LogFilters, limit: number, extra?: SQL): SQL =>
  sql`(SELECT count(*) FROM (${matching(db, scope, f, keysOf(f), sql`1`, extra)} LIMIT ${sql.raw(String(limit + 1))}))`;

/** The number of logs a code-only or latency-only filter leaves out of its status and time range; null for both. */
export function leftOutCount(db: Db, scope: LogScope, f: LogFilters): SQL | null {
  const keys = leftOutKeys(f);
  if (!keys) return null;
  return sql`(${sql.join(
    keys.map((k) => countOf(db, scope, f, k)),
    sql` + `,
  )})`;
}

/**
 * A page of a rare filter's logs, newest first: their keys from the code index, sorted (fewer than RARE_MATCHES),
 * then the rows by primary key (late-lookup.ts).
 */
export function codeLookup(
  db: Db,
  scope: LogScope,
  f: LogFilters,
  o: { before?: LogPosition; limit: number; offset?: number },
) {
  const { filters, keyset } = o.before ? olderThan(f, o.before) : { filters: f, keyset: undefined };
  const order = sql.join(
    newestFirst.map((c) => sql`${c}`),
    sql`, `,
  );
  const keys = sql`${matching(db, scope, filters, keysOf(filters), sql`${logs.slot}, ${logs.idHi}, ${logs.idLo}`, keyset)}
    ORDER BY ${order} LIMIT ${sql.raw(String(o.limit))} OFFSET ${sql.raw(String(o.offset ?? 0))}`;
  return logsOfKeys(db, keys, newestFirst);
}
