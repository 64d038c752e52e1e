import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env";

/** A fresh CSP nonce per response (16 random bytes, base64). */
export function cspNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/** What a response that sets no policy of its own gets: nothing may load, run or frame it. */
export const STRICT_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers of a server-rendered page: a CSP allowing only `directives`, no caching, referrer, sniffing or framing. */
export function htmlPageHeaders(directives: readonly string[]): Record<string, string> {
  return {
    "Content-Security-Policy": ["default-src 'none'", ...directives, "base-uri 'none'", "frame-ancestors 'none'"].join(
      "; ",
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
  };
}

/**
 * Every response has a CSP: the dashboard and /docs set their own, the rest gets STRICT_CSP, so a response opened
 * as a page can never run script on this origin.
 */
export const defaultSecurityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  try {
    if (!c.res.headers.has("Content-Security-Policy")) c.res.headers.set("Content-Security-Policy", STRICT_CSP);
    if (!c.res.headers.has("X-Content-Type-Options")) c.res.headers.set("X-Content-Type-Options", "nosniff");
  } catch {
    // Immutable headers (a Response passed through as is): leave them.
  }
});
