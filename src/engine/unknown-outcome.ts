import type { ExecutionResult } from "../lib/execution";

/**
 * A run closed without a response, recorded as `error`: `undelivered` (dead-lettered before any lease, target not
 * called) or `lease-expired` (leased, nothing recorded: the target may have been called).
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
