import type { CronJobRow, RunRow } from "../db/schema";
import { findJobIncludingDeleted, findLiveJob } from "../jobs/repository";
import { RUNNABLE_STATES } from "../jobs/state";
import { earlyBySeconds } from "../lib/jitter";
import type { LegacyRunMessage, RunMessage } from "../lib/messages";
import { MOVING_RETRY_SECONDS } from "../shards/move";
import type { EngineDeps } from "./deps";
import { isFenced } from "./fence";
import { sendPendingFollowUps } from "./follow-ups";
import { findRun, insertRunStatement, type RunRef, runId, skipRun, takeLease } from "./ledger";
import { markWaiting } from "./overlap";
import { closeAttempt, executeLeased } from "./run";
import { unknownOutcome } from "./unknown-outcome";

export type ConsumeResult = "executed" | "duplicate" | "skipped" | "busy" | "closed" | "unknown" | "waiting";

export interface ConsumeOutcome {
  result: ConsumeResult;
  /** For `busy`: another delivery holds the lease until about then; look again after this many seconds. */
  retryAfterSeconds?: number;
}

/** The row a message names; a legacy slot-only message gets its queued row written first. */
async function resolveRun(deps: EngineDeps, msg: RunMessage | LegacyRunMessage): Promise<RunRow | undefined> {
  // The message's text ids are the row's key under the job's number (src/engine/run-row.ts).
  if (msg.runId !== undefined) return findRun(deps.db, { id: msg.runId, jobId: msg.jobId });
  const key = { jobId: msg.jobId, slot: msg.slot, attempt: msg.attempt, nonce: null };
  const ref = { id: runId(key), jobId: msg.jobId };
  const existing = await findRun(deps.db, ref);
  if (existing) return existing;
  const job = await findLiveJob(deps.db, msg.jobId);
  if (!job) return undefined;
  const origin = msg.source === "manual" ? "manual" : "schedule";
  const now = deps.now();
  await insertRunStatement(deps.db, {
    ...key,
    accountId: job.accountId,
    origin,
    plannedAt: msg.slot,
    sentAt: now,
    now,
  });
  return findRun(deps.db, ref);
}

/**
 * Handles one delivery of a run message. Delivery is at least once and may be concurrent, so the ledger's
 * lease (one conditional UPDATE, src/engine/ledger.ts) decides who calls the target.
 */
export function consumeRun(deps: EngineDeps, msg: RunMessage | LegacyRunMessage): Promise<ConsumeOutcome> {
  return withLease(deps, msg, async (job, leased) => {
    await executeLeased(deps, job, leased);
    return "executed";
  });
}

/** Re-sends a finished run's follow-ups, or leases the run for `act`; shared with the dead-letter consumer. */
export async function withLease(
  deps: EngineDeps,
  msg: RunMessage | LegacyRunMessage,
  act: (job: CronJobRow, leased: RunRow, now: number) => Promise<ConsumeResult>,
): Promise<ConsumeOutcome> {
  const run = await resolveRun(deps, msg);
  if (!run) return { result: "unknown" };
  if (isFinished(run)) return replayFinished(deps, run);
  // Awaiting its completion POST (src/engine/completion.ts): no lease to take, nothing to close.
  if (run.state === "awaiting") return { result: "duplicate" };
  const now = deps.now();
  const early = earlyBySeconds(run, now);
  if (early > 0) return { result: "busy", retryAfterSeconds: early };
  const job = await findLiveJob(deps.db, run.jobId);
  const leased = job ? await takeLease(deps.db, run, now, job.timeoutSeconds) : undefined;
  if (!job || !leased) return settleUnleased(deps, run, job, now);
  return { result: await act(job, leased, now) };
}

const isFinished = (run: RunRow) => run.state === "done" || run.state === "skipped" || run.state === "dead";

/** A delivery of a finished run: only its unsent follow-ups are sent. */
async function replayFinished(deps: EngineDeps, run: RunRow): Promise<ConsumeOutcome> {
  await sendPendingFollowUps(deps, run);
  return { result: "duplicate" };
}

/**
 * Why the lease failed, from the row now: finished (`duplicate`), held elsewhere (`busy`), job not runnable
 * (queued: skipped; expired lease: `error`, outcome unknown, no retry), or held back by overlap (`waiting`).
 * `job` is undefined when deleted.
 */
async function settleUnleased(
  deps: EngineDeps,
  run: RunRef,
  job: CronJobRow | undefined,
  now: number,
): Promise<ConsumeOutcome> {
  const current = await findRun(deps.db, run);
  if (!current) return { result: "unknown" };
  if (isFinished(current)) return replayFinished(deps, current);
  if (current.state === "awaiting") return { result: "duplicate" };
  // A move's fence (src/engine/fence.ts): nothing may change here; the run waits for the new shard.
  if (await isFenced(deps.db, current.accountId)) return { result: "busy", retryAfterSeconds: MOVING_RETRY_SECONDS };
  if (current.state === "running" && (current.leaseUntil ?? 0) >= now) {
    return { result: "busy", retryAfterSeconds: Math.ceil(((current.leaseUntil ?? now) - now) / 1000) + 1 };
  }
  if (current.state === "queued" && job && RUNNABLE_STATES.includes(job.state) && job.overlapPolicy !== "allow") {
    // Held back by overlapClear: it waits in the ledger for the relay.
    await markWaiting(deps.db, current);
    return { result: "waiting" };
  }
  if (current.state === "queued") {
    await skipRun(deps.db, current, job ? "paused" : "deleted");
    return { result: "skipped" };
  }
  const owner = job ?? (await findJobIncludingDeleted(deps.db, current.jobId));
  if (!owner) return { result: "unknown" };
  await closeAttempt(deps, owner, current, now, unknownOutcome("lease-expired", current.leases), {
    retry: false,
    dead: "outcome_unknown",
  });
  return { result: "closed" };
}
