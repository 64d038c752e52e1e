import { OpenAPIHono } from "@hono/zod-openapi";
import { withEmptyBodyRule } from "./empty-body";
import type { AppEnv } from "./env";
import { validationHook } from "./validation";

/** Every router shares the hook that turns zod issues into a 400 problem, and the empty-body rule. */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const register = router.openapi;
  router.openapi = ((route, ...rest) => register(withEmptyBodyRule(route), ...rest)) as typeof register;
  return router;
}

/** Security requirement shared by every authenticated route in the OpenAPI document. */
export const apiKeySecurity = [{ ApiKey: [], ApiSecret: [] }];
