import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";
import { ProblemError, problemResponse } from "./problem";
import { validationProblem } from "./validation";
import { bodyIssues } from "./well-formed";

/**
 * 400 naming each JSON body field with ill-formed Unicode or a `__proto__` key, before the route's schema. Reads
 * through Hono's body cache so the validator parses the same text; non-JSON is left to the validator.
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
