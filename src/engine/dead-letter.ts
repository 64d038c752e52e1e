import type { LegacyRunMessage, RunMessage } from "../lib/messages";
import { type ConsumeOutcome, withLease } from "./consume";
import type { EngineDeps } from "./deps";
import { closeAttempt } from "./run";
import { unknownOutcome } from "./unknown-outcome";

/**
 * Closes a run the RUNS queue gave up on, so no claimed slot ends without a log: never leased → `error` (not
 * delivered); leased before → `error`, outcome unknown. Both take the lease first and get the usual follow-ups.
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
