import type { ExportSelector, LogsSelector } from "../client.js";
import type { ExecutionStatus } from "../types.js";

/** The logs/export filters of the command line: a job id, or the account's logs narrowed by tags. */
export interface LogsArgs {
  jobId?: string;
  status?: ExecutionStatus;
  start_date?: string;
  end_date?: string;
  tags?: string;
  /** `500` or a class such as `5xx`. */
  response_code?: string;
  min_response_time_ms?: number;
  max_response_time_ms?: number;
  /** The text search (one job's logs only; not in exports). */
  q?: string;
}

/** Only the filters given (an absent one is left out of the query, not sent empty); exports take all but `q`. */
export function exportSelector(a: LogsArgs): ExportSelector {
  const common = {
    ...(a.status ? { status: a.status } : {}),
    ...(a.start_date ? { start_date: a.start_date } : {}),
    ...(a.end_date ? { end_date: a.end_date } : {}),
    ...(a.response_code ? { response_code: a.response_code } : {}),
    ...(a.min_response_time_ms === undefined ? {} : { min_response_time_ms: a.min_response_time_ms }),
    ...(a.max_response_time_ms === undefined ? {} : { max_response_time_ms: a.max_response_time_ms }),
  };
  if (a.jobId) return { jobId: a.jobId, ...common };
  return { ...common, ...(a.tags ? { tags: a.tags } : {}) };
}

/** The logs pages' filters: the export's plus `q`. */
export function selector(a: LogsArgs): LogsSelector {
  const s = exportSelector(a);
  return a.q !== undefined && s.jobId ? { ...s, q: a.q } : s;
}
