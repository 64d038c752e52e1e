import type { ExecutionResult } from "../lib/execution";

/**
 * The result recorded for a run that is closed without a response: `error`, no response code. `undelivered`: its
 * message went to the dead-letter queue before any delivery took the lease, so the target was not called.
 * `lease-expired`: a delivery took the lease and recorded nothing, so the target may or may not have been called.
 */
export function unknownOutcome(why: "undelivered" | "lease-expired", detail: number): ExecutionResult {
  const errorMessage =
    why === "undelivered"
      ? `Not delivered: the run's queue message failed ${detail} deliveries, so the endpoint was not called`
      : `Outcome unknown: a delivery took the run (${detail} ${detail === 1 ? "time" : "times"}) and recorded no result; the endpoint may have been called`;
  return {
    status: "error",
    responseCode: null,
    responseBody: null,
    errorMessage,
    responseTimeMs: null,
    retryAfterSeconds: null,
  };
}
