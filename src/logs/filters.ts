import { and, eq, gte, lte, type SQL } from "drizzle-orm";
import { type ExecutionStatus, executionLogs } from "../db/schema";
import type { InstantRange } from "../http/dates";

export interface LogFilters {
  status?: ExecutionStatus;
  start?: InstantRange;
  end?: InstantRange;
}

/** WHERE for one job's logs; every shape is served by (job, [status,] executed_at, id) indexes. */
export function jobLogsWhere(cronJobId: string, f: LogFilters): SQL {
  const conds: SQL[] = [eq(executionLogs.cronJobId, cronJobId)];
  if (f.status) conds.push(eq(executionLogs.status, f.status));
  if (f.start) conds.push(gte(executionLogs.executedAt, f.start.start));
  if (f.end) conds.push(lte(executionLogs.executedAt, f.end.end));
  return and(...conds) as SQL;
}
