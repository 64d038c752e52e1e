import { fail, ProblemError, problem } from "./problem";

/**
 * Per-account caps (README "Limits"): a count cap answers 409, a rate 429 with Retry-After. The detail names the
 * config var that sets the limit, so an operator reading a customer's error knows what to raise.
 */
export function countLimitReached(detail: string): never {
  return fail(409, detail, { title: "Limit reached" });
}

export function rateLimitReached(
  detail: string,
  retryAfterSeconds: number,
  headers: Record<string, string> = {},
): never {
  throw new ProblemError(problem(429, detail), { "Retry-After": String(retryAfterSeconds), ...headers });
}
