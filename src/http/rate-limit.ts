import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { config } from "../config";
import type { AppEnv } from "./env";
import { ProblemError, problem } from "./problem";

/** The policy names in the RateLimit-Policy / RateLimit fields. */
export const RATE_LIMIT_POLICY = "per-key";
export const ACCOUNT_RATE_LIMIT_POLICY = "per-account";

export interface Budget {
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
 * Budgets through the Workers Rate Limiting bindings, after the key is verified so bad credentials spend nothing:
 * per key (`RATE_LIMITER`), then per account (`RATE_LIMITER_ACCOUNT`), so more keys never exceed the account's budget.
 * Headers per draft-ietf-httpapi-ratelimit-headers-10: `RateLimit-Policy` on every limited response; on a 429,
 * `RateLimit: "<policy>";r=0;t=<period>` and Retry-After. The binding reports only allowed or not, so `t` is the
 * window length (an upper bound). Counters are per location. No binding: unlimited; a failing one fails open.
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
  const policy = await spendBudgets(c, budgets);
  if (policy === null) return next();
  await next();
  c.header("RateLimit-Policy", policy);
});

/**
 * Spends one request of each budget in turn, or throws the 429 naming the first one exhausted. Returns the
 * RateLimit-Policy value to set on the response, or null when no budget has a binding (unlimited).
 */
export async function spendBudgets(c: Context<AppEnv>, budgets: Budget[]): Promise<string | null> {
  const active = budgets.filter((b): b is Budget & { binding: RateLimit } => b.binding !== undefined);
  if (active.length === 0) return null;
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
  return policy;
}
