import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { Db } from "../db/client";
import { cronJobs } from "../db/schema";
import { accountLogsWhere, jobLogsWhere, type LogFilters } from "./filters";

/**
 * Which logs a request reads: one job's (`/logs/{cron_job_id}`), or the account's (`/logs`), where
 * only live jobs count and `cronJobId` / `tags` narrow the jobs.
 */
export type LogScope =
  | { kind: "job"; accountId: string; cronJobId: string }
  | { kind: "account"; accountId: string; cronJobId?: string; tags?: string[] };

export function scopeWhere(db: Db, scope: LogScope, f: LogFilters): SQL {
  return scope.kind === "job"
    ? jobLogsWhere(scope.cronJobId, f)
    : accountLogsWhere(db, scope.accountId, { ...f, cronJobId: scope.cronJobId, tags: scope.tags });
}

/** Runs `queries` in one D1 batch after checking the scope's job is live in the account; null if not (404). */
export async function batchInScope<T extends readonly [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]>(
  db: Db,
  scope: LogScope,
  queries: T,
): Promise<BatchResponse<T> | null> {
  const jobId = scope.cronJobId;
  if (jobId === undefined) return db.batch(queries);
  const check = db
    .select({ id: cronJobs.id })
    .from(cronJobs)
    .where(and(eq(cronJobs.id, jobId), eq(cronJobs.accountId, scope.accountId), isNull(cronJobs.deletedAt)));
  const [job, ...rest] = await db.batch([check, ...queries]);
  return job.length === 0 ? null : (rest as unknown as BatchResponse<T>);
}
