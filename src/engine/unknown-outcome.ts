import type { RunReason } from "../db/schema";
import type { ExecutionResult } from "../lib/execution";

/** Why a run is `dead`: closed without an outcome, not delivered or outcome unknown (src/db/schema.ts runReasons). */
export type DeadReason = Extract<RunReason, "undelivered" | "outcome_unknown">;

/** The dead run's reason for an unknownOutcome. */
export const deadReason = (why: "undelivered" | "lease-expired"): DeadReason =>
  why === "undelivered" ? "undelivered" : "outcome_unknown";

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
