import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./env";
import { validationHook } from "./validation";

/** Every router shares the hook that turns zod issues into a 400 problem. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

/** Security requirement shared by every authenticated route in the OpenAPI document. */
export const apiKeySecurity = [{ ApiKey: [], ApiSecret: [] }];
