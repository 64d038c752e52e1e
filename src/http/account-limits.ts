import { fail, ProblemError, problem } from "./problem";

/**
 * Per-account caps (docs/API-NOTES.md "Limits"): count → 409, rate → 429 with Retry-After; the detail names the config
 * var.
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
