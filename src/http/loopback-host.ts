import { createMiddleware } from "hono/factory";
import { config } from "../config";
import { isLoopbackHostname } from "../lib/target-guard";
import type { AppEnv } from "./env";
import { problem, problemResponse } from "./problem";

// A Host header is an authority: a name or IPv4 literal, or a bracketed IPv6 literal, then an optional port.
const AUTHORITY = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** Whether a Host header names a loopback host (localhost, 127.0.0.0/8, [::1]), with any port. */
export function isLoopbackHost(host: string): boolean {
  if (!AUTHORITY.test(host)) return false;
  try {
    return isLoopbackHostname(new URL(`http://${host}/`).hostname);
  } catch {
    return false;
  }
}

/**
 * While ALLOW_PRIVATE_TARGETS is on (npm start, a local `wrangler dev`), only requests addressed to a loopback host
 * are answered: `wrangler dev` accepts any Host, so a DNS-rebinding page (evil.example resolving to 127.0.0.1)
 * could otherwise drive the local API with the public demo keys. 421 Misdirected Request (RFC 9110 §15.5.20).
 * With the flag off (production) the Host is not checked.
 */
export const loopbackHostWhilePrivateTargets = createMiddleware<AppEnv>(async (c, next) => {
  if (!config(c.env).ALLOW_PRIVATE_TARGETS) return next();
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  if (isLoopbackHost(host)) return next();
  const shown = JSON.stringify(host.slice(0, 100));
  return problemResponse(
    c,
    problem(
      421,
      `Host ${shown} is not a loopback address: while ALLOW_PRIVATE_TARGETS is on, this server answers only requests to localhost, 127.0.0.1 or [::1]`,
    ),
  );
});
