import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";
import { ProblemError, problemResponse } from "./problem";
import { validationProblem } from "./validation";
import { bodyIssues } from "./well-formed";

/**
 * 400 naming each field of a JSON body that holds ill-formed Unicode or a `__proto__` key (http/well-formed.ts),
 * before the route's schema sees it. Reads the body text through Hono's cache, so the route's validator parses
 * the same text; a body that is not JSON is left to that validator's own error.
 */
export const wellFormedJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.req.raw.body || !/\bjson\b/i.test(c.req.header("content-type") ?? "")) return next();
  let parsed: unknown;
  try {
    parsed = JSON.parse(await c.req.text());
  } catch (e) {
    if (e instanceof ProblemError) throw e; // 413 from the body-size limit
    return next();
  }
  const issues = bodyIssues(parsed);
  if (issues.length === 0) return next();
  return problemResponse(c, validationProblem(issues.map((i) => ({ ...i, in: "body" as const }))));
});
