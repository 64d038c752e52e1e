import type { ExecutionResult } from "../lib/execution";
import type { LegacyRunMessage, RunMessage } from "../lib/messages";
import { type ConsumeOutcome, withLease } from "./consume";
import type { EngineDeps } from "./deps";
import { closeAttempt } from "./run";
import { deadReason, unknownOutcome } from "./unknown-outcome";

/**
 * Closes a run the RUNS queue gave up on, so no claimed slot ends without a log: never leased → `error` (not
 * delivered); leased before → `error`, outcome unknown. Both take the lease first, get the usual follow-ups and
 * leave the run `dead` with that reason (listed by GET …/dead-letters).
 */
export function closeDeadRun(
  deps: EngineDeps,
  msg: RunMessage | LegacyRunMessage,
  deliveries: number,
  /** Set when the queue refused the message itself (src/engine/relay.ts): what the send threw. */
  unsentBecause?: string,
): Promise<ConsumeOutcome> {
  return withLease(deps, msg, async (job, leased, now) => {
    const earlierLeases = leased.leases - 1;
    const why = earlierLeases === 0 ? "undelivered" : "lease-expired";
    const result =
      why === "undelivered" && unsentBecause !== undefined
        ? notSent(unsentBecause)
        : unknownOutcome(why, why === "undelivered" ? deliveries : earlierLeases);
    await closeAttempt(deps, job, leased, now, result, { retry: true, dead: deadReason(why) });
    return "closed";
  });
}

/** The log of a run whose message the queue refused: never delivered, so never called. */
function notSent(error: string): ExecutionResult {
  return {
    ...unknownOutcome("undelivered", 0),
    errorMessage: `Not delivered: the queue refused the run's message (${error.slice(0, 200)}), so the endpoint was not called`,
  };
}
