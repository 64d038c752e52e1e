import type { RunRow } from "../db/schema";
import type { OutboxEntry } from "../lib/messages";
import { type EngineMessage, type RunMessage, sendAll } from "../lib/messages";
import type { EngineDeps } from "./deps";
import { findUnsentRun, markRunsSentStatements, nextAttempt, runId } from "./ledger";
import { deleteOutboxStatements, findOutboxEntries } from "./outbox";

/** A run's queue message: it names the ledger row. */
export function runMessage(run: Pick<RunRow, "id" | "jobId" | "accountId">): RunMessage {
  return { type: "run", runId: run.id, jobId: run.jobId, accountId: run.accountId };
}

/** Seconds until `plannedAt`, for a queue message's delaySeconds (0 when due). */
export function delayUntil(plannedAt: number, now: number): number {
  return Math.max(0, Math.ceil((plannedAt - now) / 1000));
}

/**
 * Sends queued runs and outbox entries, then marks them sent in one batch. A failed send throws first, so a
 * retry resends; duplicates are harmless (the lease, the execution id).
 */
export async function sendFollowUps(
  deps: EngineDeps,
  queued: Array<Pick<RunRow, "id" | "jobId" | "accountId" | "plannedAt">>,
  entries: OutboxEntry[],
): Promise<void> {
  if (queued.length === 0 && entries.length === 0) return;
  const now = deps.now();
  const messages: MessageSendRequest<EngineMessage>[] = [
    ...queued.map((r) => {
      const delaySeconds = delayUntil(r.plannedAt, now);
      return { body: runMessage(r), contentType: "json" as const, ...(delaySeconds > 0 ? { delaySeconds } : {}) };
    }),
    ...entries.map((e) => ({ body: e.message, contentType: "json" as const })),
  ];
  await sendAll(deps.queue, messages);
  const marks = [
    ...markRunsSentStatements(deps.db, queued, now),
    ...deleteOutboxStatements(
      deps.db,
      entries.map((e) => e.id),
    ),
  ];
  await deps.db.batch(marks as [(typeof marks)[number], ...(typeof marks)[number][]]);
}

/** Re-sends whatever follow-up of a recorded attempt is not marked sent (a redelivery of a finished run). */
export async function sendPendingFollowUps(deps: EngineDeps, run: RunRow): Promise<number> {
  const [next, entries] = await Promise.all([
    findUnsentRun(deps.db, { id: runId(nextAttempt(run)), jobId: run.jobId }),
    findOutboxEntries(deps.db, run.id),
  ]);
  const queued = next ? [next] : [];
  await sendFollowUps(deps, queued, entries);
  return queued.length + entries.length;
}
