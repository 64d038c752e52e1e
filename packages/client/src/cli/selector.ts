import type { LogsSelector } from "../client.js";
import type { ExecutionStatus } from "../types.js";

/** The logs/export filters of the command line: a job id, or the account's logs narrowed by tags. */
export interface LogsArgs {
  jobId?: string;
  status?: ExecutionStatus;
  start_date?: string;
  end_date?: string;
  tags?: string;
}

/** Only the filters given (an absent one is left out of the query, not sent empty). */
export function selector(a: LogsArgs): LogsSelector {
  const common = {
    ...(a.status ? { status: a.status } : {}),
    ...(a.start_date ? { start_date: a.start_date } : {}),
    ...(a.end_date ? { end_date: a.end_date } : {}),
  };
  if (a.jobId) return { jobId: a.jobId, ...common };
  return { ...common, ...(a.tags ? { tags: a.tags } : {}) };
}
