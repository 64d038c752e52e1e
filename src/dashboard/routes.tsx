import { Hono } from "hono";
import type { AppEnv } from "../http/env";
import { DashboardPage } from "./page";

/** A fresh CSP nonce per response: only the page's own inline <style> and <script> may run. */
function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

function securityHeaders(n: string): Record<string, string> {
  return {
    "Content-Security-Policy": [
      "default-src 'none'",
      `script-src 'nonce-${n}'`,
      `style-src 'nonce-${n}'`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
  };
}

/**
 * `GET /dashboard`: one server-rendered shell; the views (`#/` jobs, `#/jobs/<id>` a job) are drawn
 * client-side from the public API, so the dashboard needs no routes or auth of its own.
 */
export const dashboardRoutes = new Hono<AppEnv>()
  .get("/dashboard", async (c) => {
    const n = nonce();
    const page = await (<DashboardPage nonce={n} />).toString();
    return c.html(`<!doctype html>${page}`, 200, securityHeaders(n));
  })
  .get("/dashboard/", (c) => c.redirect("/dashboard", 301));
