import type { RunRow } from "../db/schema";
import type { OutboxEntry } from "../lib/messages";
import { type EngineMessage, type RunMessage, sendIsolating } from "../lib/messages";
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

type QueuedRun = Pick<RunRow, "id" | "jobId" | "accountId" | "plannedAt">;

/** A follow-up the queue refused on its own (src/lib/messages.ts sendIsolating), with what the send threw. */
export type UnsentFollowUp = { error: string } & (
  | { run: QueuedRun; entry?: undefined }
  | { entry: OutboxEntry; run?: undefined }
);

/**
 * Sends queued runs and outbox entries, then marks what went sent in one batch. A queue that fails altogether
 * throws first, so a retry resends; duplicates are harmless (the lease, the execution id). A message refused on
 * its own stays unmarked and is returned: the relay dead-letters it (src/engine/relay.ts), the rest still go.
 */
export async function sendFollowUps(
  deps: EngineDeps,
  queued: QueuedRun[],
  entries: OutboxEntry[],
): Promise<UnsentFollowUp[]> {
  if (queued.length === 0 && entries.length === 0) return [];
  const now = deps.now();
  const messages: MessageSendRequest<EngineMessage>[] = [
    ...queued.map((r) => {
      const delaySeconds = delayUntil(r.plannedAt, now);
      return { body: runMessage(r), contentType: "json" as const, ...(delaySeconds > 0 ? { delaySeconds } : {}) };
    }),
    ...entries.map((e) => ({ body: e.message, contentType: "json" as const })),
  ];
  const refused = await sendIsolating(deps.queue, messages);
  const unsent: UnsentFollowUp[] = refused.map(({ index, error }) =>
    index < queued.length
      ? { run: queued[index] as QueuedRun, error }
      : { entry: entries[index - queued.length] as OutboxEntry, error },
  );
  const sentRuns = queued.filter((r) => !unsent.some((u) => u.run === r));
  const sentEntries = entries.filter((e) => !unsent.some((u) => u.entry === e));
  const marks = [
    ...markRunsSentStatements(deps.db, sentRuns, now),
    ...deleteOutboxStatements(
      deps.db,
      sentEntries.map((e) => e.id),
    ),
  ];
  if (marks.length > 0) await deps.db.batch(marks as [(typeof marks)[number], ...(typeof marks)[number][]]);
  for (const u of unsent) {
    console.error(
      JSON.stringify({
        event: "queue_message_unsendable",
        run_id: u.run?.id,
        outbox_id: u.entry?.id,
        error: u.error,
      }),
    );
  }
  return unsent;
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
