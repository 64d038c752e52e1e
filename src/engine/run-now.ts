/**
 * POST /trigger's run: the A1Cron answer if the first attempt ends within a bounded wait, else `pending` (202)
 * with its execution id. waitUntil work is cut ~30 s after the response (Cloudflare Workers limits), so:
 * - a job with timeout ≤ INLINE_MAX_TIMEOUT_SECONDS runs inline and finishes in waitUntil; if the isolate
 *   dies, its lease expires and the relay takes over;
 * - a longer job goes through the RUNS queue and the request only polls its log.
 */
import type { CronJobRow } from "../db/schema";
import type { ExecutionResult } from "../lib/execution";
import { findLog } from "../logs/store";
import type { EngineDeps } from "./deps";
import { executeLeased } from "./run";
import { enqueueManualRun, leaseManualRun } from "./trigger";

/** Timeouts up to this many seconds run inline in the request; longer ones go through the queue. */
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
      result: Pick<ExecutionResult, "status" | "responseCode" | "responseBody" | "responseTimeMs" | "errorMessage">;
    }
  | { state: "pending"; executionId: string };

export interface RunNowOptions {
  wait?: RunNowWait;
  /** The request's ctx.waitUntil: an inline attempt still running when the wait ends finishes there. */
  waitUntil: (work: Promise<unknown>) => void;
  /** The execution this run replays (POST …/replay): its log's trigger is `replay`. */
  replayOf?: string;
}

/** Runs the job now (module comment); null when paused or deleted before its lease. */
export async function runNow(deps: EngineDeps, job: CronJobRow, opts: RunNowOptions): Promise<RunNowAnswer | null> {
  const wait = opts.wait ?? DEFAULT_RUN_NOW_WAIT;
  const replayOf = opts.replayOf ?? null;
  if (job.timeoutSeconds > INLINE_MAX_TIMEOUT_SECONDS) {
    return awaitQueuedRun(deps, await enqueueManualRun(deps, job, replayOf), wait);
  }
  const leased = await leaseManualRun(deps, job, replayOf);
  if (!leased) return null;
  const running = executeLeased(deps, job, leased);
  const timedOut = Symbol("wait over");
  const first = await Promise.race([running, wait.sleep(wait.waitMs).then(() => timedOut)]);
  // A run awaiting its completion POST has no outcome yet: pending, like a run still going.
  if (first !== timedOut && !(first as Awaited<typeof running>).awaiting) {
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

/** Polls the queued run's log every pollMs for up to waitMs of slept time, so a test clock drives it. */
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
          errorMessage: log.errorMessage,
        },
      };
    }
    if (waited >= wait.waitMs) return { state: "pending", executionId };
    const step = Math.min(wait.pollMs, wait.waitMs - waited);
    await wait.sleep(step);
    waited += step;
  }
}

/** POST /trigger's wait; API tests sharing the isolate shorten it and restore DEFAULT_RUN_NOW_WAIT. */
export const runNowWait: { current: RunNowWait } = { current: DEFAULT_RUN_NOW_WAIT };
