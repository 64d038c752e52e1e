import { createMiddleware } from "hono/factory";
import { config } from "../config";
import type { AppEnv } from "./env";
import { ProblemError, problem } from "./problem";

/** The policy name in the RateLimit-Policy / RateLimit fields. */
export const RATE_LIMIT_POLICY = "per-key";

/**
 * Per-API-key budget through the Workers Rate Limiting binding (`RATE_LIMITER`), keyed by the key id that
 * requireApiKey has just verified, so bad credentials never spend another key's budget.
 *
 * Headers follow draft-ietf-httpapi-ratelimit-headers-10 (structured fields):
 *   `RateLimit-Policy: "per-key";q=<limit>;w=<period>` on every response of a limited route, and on a 429
 *   `RateLimit: "per-key";r=0;t=<period>` with `Retry-After: <period>`.
 * The binding only answers allowed / not allowed: it does not tell the remaining quota or when the window
 * resets, so successful responses carry no `RateLimit` field, and `t` / `Retry-After` are the window length,
 * an upper bound on the wait. The counters are per Cloudflare location and eventually consistent.
 * Without the binding nothing is limited; if it fails, the request goes through (fail open) and is logged.
 */
export const rateLimitPerKey = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.RATE_LIMITER as RateLimit | undefined;
  if (!limiter) return next();
  const { RATE_LIMIT_REQUESTS: quota, RATE_LIMIT_PERIOD_SECONDS: period } = config(c.env);
  const policy = `"${RATE_LIMIT_POLICY}";q=${quota};w=${period}`;
  let allowed = true;
  try {
    allowed = (await limiter.limit({ key: `api-key:${c.get("apiKeyId")}` })).success;
  } catch (e) {
    console.error(JSON.stringify({ event: "rate_limiter_error", requestId: c.get("requestId"), error: String(e) }));
  }
  if (!allowed) {
    throw new ProblemError(
      problem(
        429,
        `Rate limit exceeded: this API key may make ${quota} requests per ${period} seconds. Retry after ${period} seconds.`,
      ),
      {
        "Retry-After": String(period),
        "RateLimit-Policy": policy,
        RateLimit: `"${RATE_LIMIT_POLICY}";r=0;t=${period}`,
      },
    );
  }
  await next();
  c.header("RateLimit-Policy", policy);
});
