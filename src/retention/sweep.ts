import { and, count, eq, inArray, isNotNull, lt, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { cronJobs, executionLogs, logCounts } from "../db/schema";

const DAY_MS = 86_400_000;
/**
 * Rows per DELETE. Each deleted row updates six b-trees and the log_counts trigger; at 10,000 rows the
 * benchmark's slowest chunk through the Worker passed 250 ms, so chunks are half that.
 */
export const SWEEP_CHUNK = 5_000;
/** Stop starting new chunks after this long; the next sweep continues where this one stopped. */
export const SWEEP_BUDGET_MS = 20_000;

export interface SweepOptions {
  retentionDays: number;
  /** The sweep's start: logs older than start - retentionDays go. */
  now: number;
  chunk?: number;
  budgetMs?: number;
}

export interface SweepReport {
  event: "retention_sweep";
  cutoff: string;
  expired_deleted: number;
  deleted_job_logs_deleted: number;
  jobs_purged: number;
  chunks: number;
  slowest_chunk_ms: number;
  complete: boolean;
  duration_ms: number;
}

/**
 * Deletes up to `limit` matching logs. The rows are counted in the same atomic batch rather than read from
 * the DELETE's `changes`, which also counts the log_counts rows its triggers update.
 */
async function deleteChunk(db: Db, where: ReturnType<typeof and>, limit: number): Promise<number> {
  const chunkIds = db.select({ id: executionLogs.id }).from(executionLogs).where(where).limit(limit);
  const [counted] = await db.batch([
    db.select({ n: count() }).from(chunkIds.as("chunk")),
    db.delete(executionLogs).where(inArray(executionLogs.id, chunkIds)),
  ]);
  return counted[0]?.n ?? 0;
}

/**
 * The daily sweep: logs older than the retention window (a log exactly retentionDays old stays), then the
 * logs and rows of deleted jobs, in chunks, until a chunk comes back short or the time budget runs out.
 */
export async function sweep(db: Db, opts: SweepOptions): Promise<SweepReport> {
  const started = Date.now();
  const chunk = opts.chunk ?? SWEEP_CHUNK;
  const budget = opts.budgetMs ?? SWEEP_BUDGET_MS;
  const cutoff = opts.now - opts.retentionDays * DAY_MS;
  const withinBudget = () => Date.now() - started < budget;
  let chunks = 0;
  let slowest = 0;
  let complete = true;
  const timed = async (where: ReturnType<typeof and>) => {
    const t = Date.now();
    const n = await deleteChunk(db, where, chunk);
    chunks++;
    slowest = Math.max(slowest, Date.now() - t);
    return n;
  };

  let expired = 0;
  for (;;) {
    if (!withinBudget()) {
      complete = false;
      break;
    }
    const n = await timed(and(lt(executionLogs.executedAt, cutoff)));
    expired += n;
    if (n < chunk) break;
  }

  let orphaned = 0;
  let purged = 0;
  const deleted = complete
    ? await db.select({ id: cronJobs.id }).from(cronJobs).where(isNotNull(cronJobs.deletedAt)).limit(1000)
    : [];
  for (const job of deleted) {
    let done = false;
    while (withinBudget()) {
      const n = await timed(and(eq(executionLogs.cronJobId, job.id)));
      orphaned += n;
      if (n < chunk) {
        done = true;
        break;
      }
    }
    if (!done) {
      complete = false;
      break;
    }
    await db.delete(cronJobs).where(and(eq(cronJobs.id, job.id), isNotNull(cronJobs.deletedAt)));
    purged++;
  }
  // The triggers decrement log_counts as rows go; drop the counts that reached zero (one small scan a day).
  await db.delete(logCounts).where(lte(logCounts.n, 0));

  const report: SweepReport = {
    event: "retention_sweep",
    cutoff: new Date(cutoff).toISOString(),
    expired_deleted: expired,
    deleted_job_logs_deleted: orphaned,
    jobs_purged: purged,
    chunks,
    slowest_chunk_ms: slowest,
    complete,
    duration_ms: Date.now() - started,
  };
  console.log(JSON.stringify(report));
  return report;
}
