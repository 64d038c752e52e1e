import { and, eq, gte, isNull, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { cronJobs, type ExecutionStatus, executionLogs } from "../db/schema";
import type { InstantRange } from "../http/dates";

export interface LogFilters {
  status?: ExecutionStatus;
  start?: InstantRange;
  end?: InstantRange;
}

/** Account-wide filters: the log filters plus the jobs they come from. */
export interface AccountLogFilters extends LogFilters {
  cronJobId?: string;
  /** Jobs having any of these tags. */
  tags?: string[];
}

function commonConds(f: LogFilters): SQL[] {
  const conds: SQL[] = [];
  if (f.status) conds.push(eq(executionLogs.status, f.status));
  if (f.start) conds.push(gte(executionLogs.executedAt, f.start.start));
  if (f.end) conds.push(lte(executionLogs.executedAt, f.end.end));
  return conds;
}

/** WHERE for one job's logs; every shape is served by (job, [status,] executed_at, id) indexes. */
export function jobLogsWhere(cronJobId: string, f: LogFilters): SQL {
  return and(eq(executionLogs.cronJobId, cronJobId), ...commonConds(f)) as SQL;
}

/** Ids of the account's live (not deleted) jobs, optionally only those having any of `tags`. */
export function liveJobIds(db: Db, accountId: string, tags?: string[]) {
  const conds: SQL[] = [eq(cronJobs.accountId, accountId), isNull(cronJobs.deletedAt)];
  if (tags && tags.length > 0) {
    const list = sql.join(
      tags.map((t) => sql`${t}`),
      sql`, `,
    );
    conds.push(sql`EXISTS (SELECT 1 FROM json_each(${cronJobs.tags}) WHERE json_each.value IN (${list}))`);
  }
  return db
    .select({ id: cronJobs.id })
    .from(cronJobs)
    .where(and(...conds));
}

/**
 * WHERE for the account's logs of live jobs. The job filter (when given) or the account leads an
 * index; the live-job check is a membership test against the account's job ids, written `+cron_job_id`
 * so SQLite never trades the ordered index walk for an IN loop over jobs (which would need a sort).
 * The account indexes carry cron_job_id, so the check reads no table rows.
 */
export function accountLogsWhere(db: Db, accountId: string, f: AccountLogFilters): SQL {
  const lead = f.cronJobId ? eq(executionLogs.cronJobId, f.cronJobId) : eq(executionLogs.accountId, accountId);
  const live = sql`+${executionLogs.cronJobId} IN (${liveJobIds(db, accountId, f.tags)})`;
  return and(lead, live, ...commonConds(f)) as SQL;
}
