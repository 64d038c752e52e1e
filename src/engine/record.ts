import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { cronJobs, executionLogs } from "../db/schema";
import type { ExecutionResult } from "./executors/types";

export interface ExecutionRecord {
  executionId: string;
  jobId: string;
  accountId: string;
  executedAt: number;
  attempt: number;
  result: ExecutionResult;
  /** True when no retry follows: only then does the run's outcome update last_run_* and consecutive_failures. */
  final: boolean;
}

/**
 * Records one attempt: the log row and the job's counters in one atomic D1 batch. The UPDATE runs first and only
 * when the log does not exist yet, and the INSERT ignores a duplicate id, so a redelivered message changes nothing
 * and the counters can never drift from the log. Returns whether this call inserted the log.
 */
export async function recordExecution(db: Db, r: ExecutionRecord): Promise<boolean> {
  const ok = r.result.status === "success";
  const outcome = r.final
    ? {
        lastRunAt: r.executedAt,
        lastRunStatus: r.result.status,
        consecutiveFailures: ok ? sql`0` : sql`${cronJobs.consecutiveFailures} + 1`,
        // An active job without a next run has just run its last scheduled slot (end_type on/after).
        isActive: sql`CASE WHEN ${cronJobs.nextRunAt} IS NULL THEN 0 ELSE ${cronJobs.isActive} END`,
      }
    : {};
  const [updated] = await db.batch([
    db
      .update(cronJobs)
      .set({
        totalExecutions: sql`${cronJobs.totalExecutions} + 1`,
        successfulExecutions: sql`${cronJobs.successfulExecutions} + ${ok ? 1 : 0}`,
        failedExecutions: sql`${cronJobs.failedExecutions} + ${ok ? 0 : 1}`,
        ...outcome,
      })
      .where(
        and(
          eq(cronJobs.id, r.jobId),
          sql`NOT EXISTS (SELECT 1 FROM ${executionLogs} WHERE ${executionLogs.id} = ${r.executionId})`,
        ),
      )
      .returning({ id: cronJobs.id }),
    db
      .insert(executionLogs)
      .values({
        id: r.executionId,
        cronJobId: r.jobId,
        accountId: r.accountId,
        executedAt: r.executedAt,
        status: r.result.status,
        responseCode: r.result.responseCode,
        responseBody: r.result.responseBody,
        errorMessage: r.result.errorMessage,
        responseTimeMs: r.result.responseTimeMs,
        retryAttempt: r.attempt,
      })
      .onConflictDoNothing(),
  ]);
  return updated.length === 1;
}

export async function executionExists(db: Db, executionId: string): Promise<boolean> {
  const rows = await db
    .select({ id: executionLogs.id })
    .from(executionLogs)
    .where(eq(executionLogs.id, executionId))
    .limit(1);
  return rows.length === 1;
}
