import { inArray, sql } from "drizzle-orm";
import { createDb, type Db } from "../../src/db/client";
import { cronJobs, logBodies, logs } from "../../src/db/schema";
import { logText } from "../../src/logs/late-lookup";
import { logColumns, toExecutionLogRow } from "../../src/logs/log-row";

/** A log as the `execution_logs` view's row (snake_case), with its text decoded. */
export interface StoredLog {
  id: string;
  cron_job_id: string;
  account_id: string;
  executed_at: number;
  status: string;
  response_code: number | null;
  response_body: string | null;
  error_message: string | null;
  response_time_ms: number | null;
  retry_attempt: number;
  scheduled_at: number | null;
  trigger: string;
  response_headers: string | null;
  decided_by: string | null;
}

const isDb = (x: D1Database | D1DatabaseSession | Db): x is Db => typeof (x as Db).select === "function";

/**
 * Every log of these jobs, shaped like the view's rows, ordered by executed_at then id. Read with the API's own
 * columns and decoder (src/logs/store.ts findLog): the view shows compressed text as NULL (migration 0027).
 */
export async function storedLogs(
  d1OrDb: D1Database | D1DatabaseSession | Db,
  cronJobIds: readonly string[],
): Promise<StoredLog[]> {
  if (cronJobIds.length === 0) return [];
  const db = isDb(d1OrDb) ? d1OrDb : createDb(d1OrDb);
  const jobNums = db
    .select({ num: cronJobs.num })
    .from(cronJobs)
    .where(inArray(cronJobs.id, [...cronJobIds]));
  const rows = await db
    .select({
      ...logColumns,
      accountId: sql<string>`(SELECT "accounts"."id" FROM "accounts" WHERE "accounts"."num" = "logs"."account")`,
    })
    .from(logs)
    .leftJoin(logBodies, logText())
    .where(inArray(logs.job, jobNums));
  return rows
    .map((r) => toExecutionLogRow(r, r.accountId))
    .map((l) => ({
      id: l.id,
      cron_job_id: l.cronJobId,
      account_id: l.accountId,
      executed_at: l.executedAt,
      status: l.status,
      response_code: l.responseCode,
      response_body: l.responseBody,
      error_message: l.errorMessage,
      response_time_ms: l.responseTimeMs,
      retry_attempt: l.retryAttempt,
      scheduled_at: l.scheduledAt,
      trigger: l.trigger,
      response_headers: l.responseHeaders,
      decided_by: l.decidedBy,
    }))
    .sort((a, b) => a.executed_at - b.executed_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
