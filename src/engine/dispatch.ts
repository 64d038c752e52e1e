import type { Db } from "../db/client";
import { jitteredStart } from "../lib/jitter";
import { type MessageSender, type OutboxEntry, sendAll } from "../lib/messages";
import { type ClaimPlan, claimedBy, excludedSpanStatements, missedSpanStatements, planClaim } from "./catchup";
import { claimAlerts, insertedRows, sendClaimAlerts } from "./claim-alerts";
import { claimStatement, type DueJob, selectDueJobs } from "./due-jobs";
import { pageExclusions } from "./exclusions";
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
 * Schedule steps per invocation (src/engine/catchup.ts: ≈ 50 µs each, so ≈ 5 s of a tick's 30 s CPU). A tick past
 * it after a long outage reports `complete: false` and continues like a tick out of pages.
 */
export const MAX_TICK_STEPS = 100_000;

/**
 * The every-minute tick: claim each due job's slots (src/engine/catchup.ts) and write their ledger rows in one batch,
 * then send. A failed send leaves runs unsent for the relay; nothing is unclaimed, so no slot is claimed twice.
 */
export async function dispatchTick(
  db: Db,
  queue: MessageSender,
  scheduledTime: number,
  now = Date.now(),
  opts: { maxPages?: number; maxSteps?: number; rulesTtlMs?: number; shard?: number } = {},
): Promise<TickReport> {
  const started = Date.now();
  const maxPages = opts.maxPages ?? MAX_PAGES;
  const maxSteps = opts.maxSteps ?? MAX_TICK_STEPS;
  let pages = 0;
  let complete = true;
  let due = 0;
  let claimed = 0;
  let enqueued = 0;
  let missed = 0;
  let steps = 0;
  let cursor: { nextRunAt: number; id: string } | null = null;
  /** A claim stopped at MAX_CLAIM_SLOTS: its job is still due, maybe before the cursor, so the walk starts over. */
  let partial = false;
  for (;;) {
    if (pages === maxPages || steps >= maxSteps) {
      complete = false;
      break;
    }
    const page = await selectDueJobs(db, scheduledTime, cursor, PAGE);
    pages++;
    if (page.length === 0) break;
    due += page.length;
    const last = page[page.length - 1] as DueJob;
    cursor = { nextRunAt: last.nextRunAt ?? 0, id: last.id };

    const exclusion = await pageExclusions(db, page, now, opts.rulesTtlMs);
    const plans = page.map((job) => planClaim(job, scheduledTime, now, exclusion(job)));
    steps += plans.reduce((n, p) => n + p.steps, 0);
    const newRuns = page.map((job, i): SlotRun | null => {
      const slot = (plans[i] as ClaimPlan).run;
      if (slot === null) return null;
      const key = { jobId: job.id, slot, attempt: 0, nonce: null };
      // The slot stays the run's identity; only its planned start moves by the job's jitter (src/lib/jitter.ts).
      const plannedAt = jitteredStart(job.id, slot, job.jitterSeconds);
      return { id: runId(key), jobId: job.id, accountId: job.accountId, slot, plannedAt, now };
    });
    // Per job: the claim, its missed span, then the slot's row as `skipped` (overlap) or `queued` (overlap.ts).
    const claimAt: number[] = [];
    const runAt: number[] = [];
    const statements: unknown[] = [];
    const alertAt: Array<{ at: number; entry: OutboxEntry }> = [];
    page.forEach((job, i) => {
      const plan = plans[i] as ClaimPlan;
      const run = newRuns[i];
      claimAt.push(statements.length);
      statements.push(
        claimStatement(db, job, plan),
        ...missedSpanStatements(db, job, plan),
        ...excludedSpanStatements(db, job, plan),
      );
      runAt.push(run ? statements.length : -1);
      if (run) statements.push(slotRunStatement(db, run, claimedBy(plan)));
      // The claim's `skipped` and `missed` alerts, after the rows they are about (src/engine/claim-alerts.ts).
      const alerts = claimAlerts(db, job, plan, run ?? null, now);
      alertAt.push(...alerts.entries.map((entry, k) => ({ at: statements.length + k, entry })));
      statements.push(...alerts.statements);
    });
    const results = (await db.batch(statements as unknown as Parameters<typeof db.batch>[0])) as unknown as unknown[];
    const won: SlotRun[] = [];
    page.forEach((_, i) => {
      const plan = plans[i] as ClaimPlan;
      if (((results[claimAt[i] as number] as unknown[] | undefined)?.length ?? 0) !== 1) return;
      claimed++;
      missed += plan.missed?.count ?? 0;
      partial ||= plan.partial;
      const [row] = (results[runAt[i] as number] as Array<{ state: number }> | undefined) ?? [];
      if (row?.state === STATE.queued) won.push(newRuns[i] as SlotRun);
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
    await sendClaimAlerts(
      db,
      queue,
      alertAt.filter((a) => insertedRows(results[a.at]) === 1).map((a) => a.entry),
    );
    if (page.length < PAGE) {
      if (!partial) break;
      partial = false;
      cursor = null;
    }
  }
  const report: TickReport = {
    event: "dispatch_tick",
    ...(opts.shard === undefined ? {} : { shard: opts.shard }),
    scheduled_time: new Date(scheduledTime).toISOString(),
    due,
    claimed,
    enqueued,
    missed,
    pages,
    complete,
    duration_ms: Date.now() - started,
  };
  console.log(JSON.stringify(report));
  return report;
}
