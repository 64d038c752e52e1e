import type { LegacyRunMessage, RunMessage } from "../lib/messages";
import { type ConsumeOutcome, withLease } from "./consume";
import type { EngineDeps } from "./deps";
import { closeAttempt } from "./run";
import { unknownOutcome } from "./unknown-outcome";

/**
 * A run message the RUNS queue gave up on (every delivery failed, e.g. D1 was unreachable): the run is closed
 * according to its ledger state so that no claimed slot ends without a log. Never started → an `error` log saying
 * it was not delivered; leased before (the target may have been called) → an `error` log saying the outcome is
 * unknown. Both take the lease first — a live one held elsewhere makes this `busy` — and both get the run's usual
 * follow-ups (the next attempt if retries remain, the callback). Otherwise it settles like any delivery
 * (withLease, src/engine/consume.ts).
 */
export function closeDeadRun(
  deps: EngineDeps,
  msg: RunMessage | LegacyRunMessage,
  deliveries: number,
): Promise<ConsumeOutcome> {
  return withLease(deps, msg, async (job, leased, now) => {
    const earlierLeases = leased.leases - 1;
    const result =
      earlierLeases === 0 ? unknownOutcome("undelivered", deliveries) : unknownOutcome("lease-expired", earlierLeases);
    await closeAttempt(deps, job, leased, now, result);
    return "closed";
  });
}
