import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { cronJobs, type RunRow } from "../db/schema";
import type { ExecutionResult } from "../lib/execution";
import type { ConditionalEntry, OutboxEntry } from "../lib/messages";
import { insertLogStatements, logExists } from "../logs/store";
import { finishRunStatement, insertRunWhenStatement, type NewRun } from "./ledger";
import { insertOutboxStatement } from "./outbox";
import { runTrigger } from "./run-trigger";
import type { DeadReason } from "./unknown-outcome";

export interface AttemptRecord {
  run: RunRow;
  executedAt: number;
  result: ExecutionResult;
  /** The next attempt, when one follows; written as a queued run whose message is still to be sent. */
  next: NewRun | null;
  callbacks: ConditionalEntry[];
  /** More batch statements (alerts), before the job's UPDATE so they read the row as it was. */
  statements?: (newer: SQL, logMissing: SQL) => unknown[];
  /** Set when the attempt closes without an outcome: the ledger row becomes `dead` with this reason. */
  dead?: DeadReason | null;
}

export interface RecordOutcome {
  /** False when the log already existed (a duplicate recording): nothing was written then. */
  recorded: boolean;
  /** Outbox entries this call wrote (a conditional one only if its condition held). */
  entries: OutboxEntry[];
}

/** The job row's slot order: this attempt's slot is the newest final outcome so far (ties count as newer). */
const newerThanLastOutcome = (slot: number) =>
  sql`(${cronJobs.lastOutcomeSlot} IS NULL OR ${cronJobs.lastOutcomeSlot} <= ${slot})`;

/**
 * Records one attempt in one D1 batch: follow-ups, the job's counters, the log, the ledger row done. Writes
 * are guarded by "no log yet", so a repeat changes nothing and counters never drift from logs. Outcome
 * fields follow the newest slot; the last slot of an ended schedule completes the job.
 */
export async function recordAttempt(db: Db, r: AttemptRecord): Promise<RecordOutcome> {
  const { run, result } = r;
  const ok = result.status === "success";
  const logMissing = sql`NOT ${logExists(run.id)}`;
  const newer = newerThanLastOutcome(run.slot);
  const completes = sql`(${run.origin} = 'schedule' AND ${cronJobs.state} = 'active' AND ${cronJobs.nextRunAt} IS NULL AND ${cronJobs.lastClaimedSlot} = ${run.slot})`;
  const outcome =
    r.next === null
      ? {
          lastRunAt: sql`CASE WHEN ${newer} THEN ${r.executedAt} ELSE ${cronJobs.lastRunAt} END`,
          lastRunStatus: sql`CASE WHEN ${newer} THEN ${result.status} ELSE ${cronJobs.lastRunStatus} END`,
          consecutiveFailures: sql`CASE WHEN ${newer} THEN ${ok ? sql`0` : sql`${cronJobs.consecutiveFailures} + 1`} ELSE ${cronJobs.consecutiveFailures} END`,
          lastOutcomeSlot: sql`CASE WHEN ${newer} THEN ${run.slot} ELSE ${cronJobs.lastOutcomeSlot} END`,
        }
      : {};
  // Completion has its own UPDATE: assigning is_active rewrites the due-index entry, a row write D1 bills per run.
  const completion =
    r.next === null
      ? [
          db
            .update(cronJobs)
            .set({ state: "completed", isActive: false })
            .where(and(eq(cronJobs.id, run.jobId), logMissing, completes)),
        ]
      : [];
  const followUps = r.callbacks.map((c) =>
    insertOutboxStatement(db, run.id, c.entry, r.executedAt, c.when ? c.when(newer) : undefined),
  );
  const extra = r.statements ? r.statements(newer, logMissing) : [];
  const statements = [
    ...followUps,
    ...extra,
    ...(r.next ? [insertRunWhenStatement(db, r.next, logMissing)] : []),
    db
      .update(cronJobs)
      .set({
        totalExecutions: sql`${cronJobs.totalExecutions} + 1`,
        successfulExecutions: sql`${cronJobs.successfulExecutions} + ${ok ? 1 : 0}`,
        failedExecutions: sql`${cronJobs.failedExecutions} + ${ok ? 0 : 1}`,
        errorExecutions: sql`${cronJobs.errorExecutions} + ${result.status === "error" ? 1 : 0}`,
        timeoutExecutions: sql`${cronJobs.timeoutExecutions} + ${result.status === "timeout" ? 1 : 0}`,
        ...outcome,
      })
      .where(and(eq(cronJobs.id, run.jobId), logMissing))
      .returning({ id: cronJobs.id }),
    ...completion,
    ...insertLogStatements(db, {
      id: run.id,
      cronJobId: run.jobId,
      accountId: run.accountId,
      executedAt: r.executedAt,
      status: result.status,
      responseCode: result.responseCode,
      responseBody: result.responseBody,
      errorMessage: result.errorMessage,
      responseTimeMs: result.responseTimeMs,
      retryAttempt: run.attempt,
      scheduledAt: run.origin === "schedule" ? run.slot : null,
      responseHeaders: result.responseHeaders ? JSON.stringify(result.responseHeaders) : null,
      decidedBy: result.decidedBy ?? null,
      trigger: runTrigger(run),
    }),
    finishRunStatement(db, run, r.dead ?? null),
  ];
  const results = (await db.batch(statements as unknown as Parameters<typeof db.batch>[0])) as unknown as unknown[];
  const updated = results[followUps.length + extra.length + (r.next ? 1 : 0)] as unknown[];
  const recorded = updated.length === 1;
  const entries = r.callbacks.filter((_, i) => changes(results[i]) === 1).map((c) => c.entry);
  return { recorded, entries };
}

function changes(result: unknown): number {
  return (result as { meta?: { changes?: number } })?.meta?.changes ?? 0;
}
