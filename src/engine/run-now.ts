/**
 * POST /trigger's run: the A1Cron answer (the first attempt's outcome) when it is known within a bounded wait,
 * otherwise its execution id and `pending` (HTTP 202) while the run continues durably through the run ledger.
 *
 * Why two paths. A request may await its work for as long as the client stays, but once the response is sent,
 * `ctx.waitUntil` work is cut about 30 s later (Cloudflare Workers limits: waitUntil), so a run must never depend on
 * the request beyond that:
 * - a job whose timeout is at most INLINE_MAX_TIMEOUT_SECONDS (the old cap, every job of before) runs inline as
 *   before — leased in the ledger, then executed by the request. If it has not finished after the wait, the answer
 *   is `pending` and the rest of the attempt (at most timeout − wait, plus recording) finishes in waitUntil, well
 *   inside its 30 s. Should the isolate die anyway, the lease expires and the relay hands the run to the queue,
 *   as for a client that went away before.
 * - a longer job (up to 600 s) is written to the ledger queued and sent to the RUNS queue, whose consumer leases
 *   and executes it like any other run (one lease: called once; an unsent row is sent by the relay: never lost);
 *   the request only polls the log for the wait.
 */
import type { CronJobRow } from "../db/schema";
import type { ExecutionResult } from "../lib/execution";
import { findLog } from "../logs/store";
import type { EngineDeps } from "./deps";
import { executeLeased } from "./run";
import { enqueueManualRun, leaseManualRun } from "./trigger";

/** Jobs with a timeout up to this many seconds run inline in the request; longer ones through the queue. */
export const INLINE_MAX_TIMEOUT_SECONDS = 30;

export interface RunNowWait {
  /** How long the request waits for the first attempt's outcome (ms). */
  waitMs: number;
  /** How often a queued run's log is looked for (ms). */
  pollMs: number;
  /** Waits `ms`; tests swap in a shorter clock. */
  sleep: (ms: number) => Promise<void>;
}

/** 25 s: the answer comes before common client and proxy timeouts (30 s and up). */
export const DEFAULT_RUN_NOW_WAIT: RunNowWait = {
  waitMs: 25_000,
  pollMs: 500,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type RunNowAnswer =
  | {
      state: "finished";
      executionId: string;
      executedAt: number;
      result: Pick<ExecutionResult, "status" | "responseCode" | "responseBody" | "responseTimeMs">;
    }
  | { state: "pending"; executionId: string };

export interface RunNowOptions {
  wait?: RunNowWait;
  /** The request's ctx.waitUntil: an inline attempt still running when the wait ends finishes there. */
  waitUntil: (work: Promise<unknown>) => void;
}

/** Runs the job now (see the module comment). Null when the job was paused or deleted before its lease. */
export async function runNow(deps: EngineDeps, job: CronJobRow, opts: RunNowOptions): Promise<RunNowAnswer | null> {
  const wait = opts.wait ?? DEFAULT_RUN_NOW_WAIT;
  if (job.timeoutSeconds > INLINE_MAX_TIMEOUT_SECONDS) {
    return awaitQueuedRun(deps, await enqueueManualRun(deps, job), wait);
  }
  const leased = await leaseManualRun(deps, job);
  if (!leased) return null;
  const running = executeLeased(deps, job, leased);
  const timedOut = Symbol("wait over");
  const first = await Promise.race([running, wait.sleep(wait.waitMs).then(() => timedOut)]);
  if (first !== timedOut) {
    const { executionId, executedAt, result } = first as Awaited<typeof running>;
    return { state: "finished", executionId, executedAt, result };
  }
  opts.waitUntil(
    running.catch((err: unknown) =>
      console.error(JSON.stringify({ event: "run_now_failed", run_id: leased.id, error: String(err) })),
    ),
  );
  return { state: "pending", executionId: leased.id };
}

/** Polls the queued run's log every pollMs for up to waitMs (counted in slept time, so a test clock drives it). */
async function awaitQueuedRun(deps: EngineDeps, executionId: string, wait: RunNowWait): Promise<RunNowAnswer> {
  for (let waited = 0; ; ) {
    const log = await findLog(deps.db, executionId);
    if (log) {
      return {
        state: "finished",
        executionId,
        executedAt: log.executedAt,
        result: {
          status: log.status,
          responseCode: log.responseCode,
          responseBody: log.responseBody,
          responseTimeMs: log.responseTimeMs,
        },
      };
    }
    if (waited >= wait.waitMs) return { state: "pending", executionId };
    const step = Math.min(wait.pollMs, wait.waitMs - waited);
    await wait.sleep(step);
    waited += step;
  }
}

/**
 * The wait POST /trigger uses. Tests that go through the API set a short one here (they share the Worker's
 * isolate) and restore DEFAULT_RUN_NOW_WAIT after.
 */
export const runNowWait: { current: RunNowWait } = { current: DEFAULT_RUN_NOW_WAIT };
