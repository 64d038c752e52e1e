import type { Db } from "../db/client";
import { jitteredStart } from "../lib/jitter";
import { type MessageSender, sendAll } from "../lib/messages";
import { claimStatement, type DueJob, selectDueJobs } from "./due-jobs";
import { delayUntil, runMessage } from "./follow-ups";
import { markRunsUnsent, runId } from "./ledger";
import { type SlotRun, slotRunStatement } from "./overlap";
import { STATE } from "./run-row";
import type { TickReport } from "./tick-report";

export type { TickReport };

/** Jobs per page: one SELECT and one batch, each statement under D1's 100 bound parameters. */
export const PAGE = 100;

/**
 * Pages per invocation: 2 queries a page keeps 400 pages under a Worker's 1,000 D1 queries (Cloudflare D1
 * limits, Workers Paid). Reaching it reports `complete: false`; the shard's tick continues (src/ticks.ts).
 */
export const MAX_PAGES = 400;

/**
 * The every-minute tick: claim each due slot and write its ledger row in one batch, then send. A failed send
 * leaves runs unsent for the relay; nothing is unclaimed, so no slot is claimed twice.
 */
export async function dispatchTick(
  db: Db,
  queue: MessageSender,
  scheduledTime: number,
  now = Date.now(),
  opts: { maxPages?: number } = {},
): Promise<TickReport> {
  const started = Date.now();
  const maxPages = opts.maxPages ?? MAX_PAGES;
  let pages = 0;
  let complete = true;
  let due = 0;
  let claimed = 0;
  let enqueued = 0;
  let cursor: { nextRunAt: number; id: string } | null = null;
  for (;;) {
    if (pages === maxPages) {
      complete = false;
      break;
    }
    const page = await selectDueJobs(db, scheduledTime, cursor, PAGE);
    pages++;
    if (page.length === 0) break;
    due += page.length;
    const last = page[page.length - 1] as DueJob;
    cursor = { nextRunAt: last.nextRunAt ?? 0, id: last.id };

    const newRuns = page.map((job): SlotRun => {
      const slot = job.nextRunAt ?? scheduledTime;
      const key = { jobId: job.id, slot, attempt: 0, nonce: null };
      // The slot stays the run's identity; only its planned start moves by the job's jitter (src/lib/jitter.ts).
      const plannedAt = jitteredStart(job.id, slot, job.jitterSeconds);
      return { id: runId(key), jobId: job.id, accountId: job.accountId, slot, plannedAt, now };
    });
    // Per job: the claim, then its ledger row as `skipped` (overlap skip) or `queued` (src/engine/overlap.ts).
    const statements = page.flatMap((job, i) => [
      claimStatement(db, job, scheduledTime),
      slotRunStatement(db, newRuns[i] as SlotRun),
    ]);
    const results = (await db.batch(statements as unknown as Parameters<typeof db.batch>[0])) as unknown as unknown[];
    claimed += newRuns.filter((_, i) => ((results[2 * i] as unknown[] | undefined)?.length ?? 0) === 1).length;
    const won = newRuns.filter((_, i) => {
      const [row] = (results[2 * i + 1] as Array<{ state: number }> | undefined) ?? [];
      return row?.state === STATE.queued;
    });
    // A jittered message waits out its offset in the queue; the consumer also holds back early deliveries.
    const messages = won.map((r) => {
      const delaySeconds = delayUntil(r.plannedAt, now);
      return { body: runMessage(r), contentType: "json" as const, ...(delaySeconds > 0 ? { delaySeconds } : {}) };
    });
    try {
      enqueued += await sendAll(queue, messages);
    } catch (err) {
      console.error(JSON.stringify({ event: "dispatch_enqueue_failed", runs: won.length, error: String(err) }));
      await markRunsUnsent(db, won);
    }
    if (page.length < PAGE) break;
  }
  const report: TickReport = {
    event: "dispatch_tick",
    scheduled_time: new Date(scheduledTime).toISOString(),
    due,
    claimed,
    enqueued,
    pages,
    complete,
    duration_ms: Date.now() - started,
  };
  console.log(JSON.stringify(report));
  return report;
}
