import type { RouteConfig } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";
import { ProblemError, problem } from "./problem";

/** Whether the request carries no body bytes: none at all, Content-Length: 0, or an empty text. */
async function bodyIsEmpty(req: { raw: Request; text(): Promise<string> }): Promise<boolean> {
  if (!req.raw.body || req.raw.headers.get("content-length") === "0") return true;
  return (await req.text()) === "";
}

/**
 * An empty body is no body, whatever its Content-Type (RFC 9110 §8.6: zero octets is no content): an optional body
 * is then skipped as if unsent; a required one is a 400 naming the body, not "Malformed JSON".
 */
export function emptyBody(required: boolean) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!(await bodyIsEmpty(c.req))) return next();
    if (required) {
      throw new ProblemError(
        problem(400, "The request body is empty: this operation requires a JSON body", {
          errors: [{ field: "(body)", in: "body", message: "is required: the request had an empty body" }],
        }),
      );
    }
    if (!c.req.header("content-type")) return next();
    // Without a Content-Type the route's validator treats the body as unsent (@hono/zod-openapi, optional bodies).
    const headers = new Headers(c.req.raw.headers);
    headers.delete("content-type");
    headers.delete("content-length");
    c.req.raw = new Request(c.req.raw.url, { method: c.req.raw.method, headers, signal: c.req.raw.signal });
    return next();
  });
}

/** The route with emptyBody in front of its validators, when it declares a body. */
export function withEmptyBodyRule<R extends RouteConfig>(route: R): R {
  const body = route.request?.body;
  if (!body) return route;
  const own = route.middleware ? (Array.isArray(route.middleware) ? route.middleware : [route.middleware]) : [];
  return { ...route, middleware: [emptyBody(body.required === true), ...own] };
}
