import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { config } from "../config";
import type { AppEnv } from "./env";
import { ProblemError, problem } from "./problem";

/** The policy names in the RateLimit-Policy / RateLimit fields. */
export const RATE_LIMIT_POLICY = "per-key";
export const ACCOUNT_RATE_LIMIT_POLICY = "per-account";

interface Budget {
  policy: string;
  binding: RateLimit | undefined;
  key: string;
  quota: number;
  period: number;
  /** The 429's account of the limit, naming the var that describes it. */
  detail: string;
}

/** Whether the binding allows one more request under `key`; a failing limiter lets it through, logged. */
async function allows(c: Context<AppEnv>, budget: Budget & { binding: RateLimit }): Promise<boolean> {
  try {
    return (await budget.binding.limit({ key: budget.key })).success;
  } catch (e) {
    console.error(JSON.stringify({ event: "rate_limiter_error", requestId: c.get("requestId"), error: String(e) }));
    return true;
  }
}

/**
 * Request budgets through the Workers Rate Limiting bindings, keyed after requireApiKey has verified the key, so bad
 * credentials never spend anyone's budget: per API key (`RATE_LIMITER`, by key id), then per account
 * (`RATE_LIMITER_ACCOUNT`, by account id), so that minting more keys does not buy an account more requests.
 *
 * Headers follow draft-ietf-httpapi-ratelimit-headers-10 (structured fields):
 *   `RateLimit-Policy: "per-key";q=<limit>;w=<period>, "per-account";q=<limit>;w=<period>` on every response of a
 *   limited route, and on a 429 `RateLimit: "<policy>";r=0;t=<period>` with `Retry-After: <period>` for the policy
 *   that refused it.
 * The binding only answers allowed / not allowed: it does not tell the remaining quota or when the window
 * resets, so successful responses carry no `RateLimit` field, and `t` / `Retry-After` are the window length,
 * an upper bound on the wait. The counters are per Cloudflare location and eventually consistent.
 * Without a binding its budget is not limited; if one fails, the request goes through (fail open) and is logged.
 */
export const rateLimits = createMiddleware<AppEnv>(async (c, next) => {
  const cfg = config(c.env);
  const budgets: Budget[] = [
    {
      policy: RATE_LIMIT_POLICY,
      binding: c.env.RATE_LIMITER as RateLimit | undefined,
      key: `api-key:${c.get("apiKeyId")}`,
      quota: cfg.RATE_LIMIT_REQUESTS,
      period: cfg.RATE_LIMIT_PERIOD_SECONDS,
      detail: `this API key may make ${cfg.RATE_LIMIT_REQUESTS} requests per ${cfg.RATE_LIMIT_PERIOD_SECONDS} seconds (RATE_LIMIT_REQUESTS)`,
    },
    {
      policy: ACCOUNT_RATE_LIMIT_POLICY,
      binding: c.env.RATE_LIMITER_ACCOUNT as RateLimit | undefined,
      key: `account:${c.get("accountId")}`,
      quota: cfg.RATE_LIMIT_ACCOUNT_REQUESTS,
      period: cfg.RATE_LIMIT_ACCOUNT_PERIOD_SECONDS,
      detail: `this account may make ${cfg.RATE_LIMIT_ACCOUNT_REQUESTS} requests per ${cfg.RATE_LIMIT_ACCOUNT_PERIOD_SECONDS} seconds across all its API keys (RATE_LIMIT_ACCOUNT_REQUESTS)`,
    },
  ];
  const active = budgets.filter((b): b is Budget & { binding: RateLimit } => b.binding !== undefined);
  if (active.length === 0) return next();
  const policy = active.map((b) => `"${b.policy}";q=${b.quota};w=${b.period}`).join(", ");
  for (const budget of active) {
    if (await allows(c, budget)) continue;
    const w = budget.period;
    throw new ProblemError(problem(429, `Rate limit exceeded: ${budget.detail}. Retry after ${w} seconds.`), {
      "Retry-After": String(w),
      "RateLimit-Policy": policy,
      RateLimit: `"${budget.policy}";r=0;t=${w}`,
    });
  }
  await next();
  c.header("RateLimit-Policy", policy);
});
