import type { Db } from "../db/client";
import { claimStatement, type DueJob, selectDueJobs, unclaimStatement } from "./due-jobs";
import { type MessageSender, type RunMessage, sendAll } from "./messages";
import type { TickReport } from "./tick-report";

export type { TickReport };

/** Jobs per page: one SELECT and one batch of conditional UPDATEs (each well under D1's 100 bound parameters). */
const PAGE = 100;

/** The every-minute tick: select due jobs page by page, claim each slot atomically, fan out through the queue. */
export async function dispatchTick(db: Db, queue: MessageSender, scheduledTime: number): Promise<TickReport> {
  const started = Date.now();
  let due = 0;
  let claimed = 0;
  let enqueued = 0;
  let cursor: { nextRunAt: number; id: string } | null = null;
  for (;;) {
    const page = await selectDueJobs(db, scheduledTime, cursor, PAGE);
    if (page.length === 0) break;
    due += page.length;
    const last = page[page.length - 1] as DueJob;
    cursor = { nextRunAt: last.nextRunAt ?? 0, id: last.id };

    const results = await db.batch(
      page.map((job) => claimStatement(db, job, scheduledTime)) as [
        ReturnType<typeof claimStatement>,
        ...ReturnType<typeof claimStatement>[],
      ],
    );
    const won = page.filter((_, i) => (results[i]?.length ?? 0) === 1);
    claimed += won.length;
    const messages = won.map((job) => ({
      body: {
        type: "run",
        jobId: job.id,
        slot: job.nextRunAt ?? scheduledTime,
        attempt: 0,
        source: "schedule",
      } satisfies RunMessage,
      contentType: "json" as const,
    }));
    try {
      enqueued += await sendAll(queue, messages);
    } catch (err) {
      console.error(JSON.stringify({ event: "dispatch_enqueue_failed", jobs: won.length, error: String(err) }));
      if (won.length > 0)
        await db.batch(won.map((job) => unclaimStatement(db, job)) as [ReturnType<typeof unclaimStatement>]);
      throw err;
    }
    if (page.length < PAGE) break;
  }
  const report: TickReport = {
    event: "dispatch_tick",
    scheduled_time: new Date(scheduledTime).toISOString(),
    due,
    claimed,
    enqueued,
    duration_ms: Date.now() - started,
  };
  console.log(JSON.stringify(report));
  return report;
}
