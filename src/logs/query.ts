import { and, count, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client";
import { cronJobs, type ExecutionLogRow, executionLogs } from "../db/schema";
import { jobLogsWhere, type LogFilters } from "./filters";

export interface LogsPageRequest extends LogFilters {
  accountId: string;
  cronJobId: string;
  page: number;
  limit: number;
}

export interface LogsPage {
  rows: ExecutionLogRow[];
  totalItems: number;
}

/**
 * The job check, the page and its count in one D1 round trip.
 * Returns null when the job is not a live job of this account.
 */
export async function findJobLogsPage(db: Db, q: LogsPageRequest): Promise<LogsPage | null> {
  const where = jobLogsWhere(q.cronJobId, q);
  const [job, rows, total] = await db.batch([
    db
      .select({ id: cronJobs.id })
      .from(cronJobs)
      .where(and(eq(cronJobs.id, q.cronJobId), eq(cronJobs.accountId, q.accountId), isNull(cronJobs.deletedAt))),
    db
      .select()
      .from(executionLogs)
      .where(where)
      .orderBy(desc(executionLogs.executedAt), desc(executionLogs.id))
      .limit(q.limit)
      .offset((q.page - 1) * q.limit),
    db.select({ n: count() }).from(executionLogs).where(where),
  ]);
  if (job.length === 0) return null;
  return { rows, totalItems: total[0]?.n ?? 0 };
}
