import { Hono } from "hono";
import type { AppEnv } from "../http/env";
import { cspNonce, htmlPageHeaders } from "../http/security-headers";
import { DashboardPage } from "./page";

function securityHeaders(n: string): Record<string, string> {
  return htmlPageHeaders([
    `script-src 'nonce-${n}'`,
    `style-src 'nonce-${n}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "form-action 'none'",
  ]);
}

/** `GET /dashboard`: one server-rendered shell; hash views are drawn client-side from the public API, no own auth. */
export const dashboardRoutes = new Hono<AppEnv>()
  .get("/dashboard", async (c) => {
    // A fresh nonce per response: only the page's own inline <style> and <script> may run.
    const n = cspNonce();
    const page = await (<DashboardPage nonce={n} />).toString();
    return c.html(`<!doctype html>${page}`, 200, securityHeaders(n));
  })
  .get("/dashboard/", (c) => c.redirect("/dashboard", 301));
