import { and, eq, gte, isNull, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountNumber, jobNumber } from "../db/numbers";
import { cronJobs, type ExecutionStatus, logs } from "../db/schema";
import type { InstantRange } from "../lib/dates";
import { statusNumber } from "./log-row";

export interface LogFilters {
  status?: ExecutionStatus;
  start?: InstantRange;
  end?: InstantRange;
  /** response_code within [lo, hi]: one code, or a class such as 500–599. */
  code?: CodeRange;
  /** response_time_ms at least / at most; a log without a response time matches neither. */
  minMs?: number;
  maxMs?: number;
}

export interface CodeRange {
  lo: number;
  hi: number;
}

/** Filters on code and latency: time-ordered walks test them in the index; totals count logs_job_code_idx. */
export const hasRowFilters = (f: LogFilters): boolean =>
  f.code !== undefined || f.minMs !== undefined || f.maxMs !== undefined;

/**
 * The code and latency conditions of `f` on `logs`. `walk`: written `+column`, so SQLite keeps a time-ordered walk
 * (tested in the time index) rather than trading it for a code-ordered range and a sort.
 */
export function rowConds(f: LogFilters, walk = true): SQL[] {
  const col = (c: typeof logs.responseCode | typeof logs.responseTimeMs) => (walk ? sql`+${c}` : sql`${c}`);
  const conds: SQL[] = [];
  if (f.code) conds.push(sql`${col(logs.responseCode)} BETWEEN ${f.code.lo} AND ${f.code.hi}`);
  if (f.minMs !== undefined) conds.push(sql`${col(logs.responseTimeMs)} >= ${f.minMs}`);
  if (f.maxMs !== undefined) conds.push(sql`${col(logs.responseTimeMs)} <= ${f.maxMs}`);
  return conds;
}

/** Account-wide filters: the log filters plus the jobs they come from. */
export interface AccountLogFilters extends LogFilters {
  cronJobId?: string;
  /** Jobs having any of these tags. */
  tags?: string[];
}

function commonConds(f: LogFilters): SQL[] {
  const conds: SQL[] = [];
  if (f.status) conds.push(eq(logs.status, statusNumber(f.status)));
  if (f.start) conds.push(gte(logs.executedAt, f.start.start));
  if (f.end) conds.push(lte(logs.executedAt, f.end.end));
  return [...conds, ...rowConds(f)];
}

/** WHERE for one job's logs; logs_job_time_idx (job, executed_at, id, status) serves every shape, status included. */
export function jobLogsWhere(cronJobId: string, f: LogFilters): SQL {
  return and(eq(logs.job, jobNumber(cronJobId)), ...commonConds(f)) as SQL;
}

/** Numbers (cron_jobs.num) of the account's live (not deleted) jobs, optionally only those having any of `tags`. */
export function liveJobNumbers(db: Db, accountId: string, tags?: string[]) {
  const conds: SQL[] = [eq(cronJobs.accountId, accountId), isNull(cronJobs.deletedAt)];
  if (tags && tags.length > 0) {
    // The tags as one JSON parameter: a count repeats this subquery per range, and D1 binds ≤ 100 parameters.
    conds.push(
      sql`EXISTS (SELECT 1 FROM json_each(${cronJobs.tags}) AS t WHERE t.value IN (SELECT w.value FROM json_each(${JSON.stringify(tags)}) AS w))`,
    );
  }
  return db
    .select({ num: cronJobs.num })
    .from(cronJobs)
    .where(and(...conds));
}

/**
 * WHERE for the account's logs of live jobs. The job filter (when given) or the account (by their numbers) leads
 * an index; the live-job check is a membership test against the account's job numbers, written `+job` so SQLite
 * never trades the ordered index walk for an IN loop over jobs (which would need a sort). logs_account_time_idx
 * carries the job number and status, so the check and a status filter read no table rows.
 */
export function accountLogsWhere(db: Db, accountId: string, f: AccountLogFilters): SQL {
  const lead = f.cronJobId ? eq(logs.job, jobNumber(f.cronJobId)) : eq(logs.account, accountNumber(accountId));
  const live = sql`+${logs.job} IN (${liveJobNumbers(db, accountId, f.tags)})`;
  return and(lead, live, ...commonConds(f)) as SQL;
}
