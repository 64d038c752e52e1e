import type { Context } from "hono";
import { Hono } from "hono";
import { version as SCALAR_VERSION } from "../dashboard/generated/scalar-version.js";
import type { AppEnv } from "../http/env";
import { cspNonce } from "../http/security-headers";
import { scalarScriptPath } from "./script-asset";

/** The reference's script: a static asset of the installed package's file, served before (never by) the Worker. */
export const SCALAR_SCRIPT_PATH = scalarScriptPath(SCALAR_VERSION);

/**
 * `/docs`'s CSP. `sandbox allow-scripts` without allow-same-origin gives an opaque origin: the reference runs but
 * cannot read this origin's storage (dashboard credentials) or cookies. No network: the document is inlined.
 * `style-src 'unsafe-inline'` because the reference injects styles at run time.
 */
export function docsCsp(nonce: string): string {
  return [
    "sandbox allow-scripts",
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "font-src data:",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** Storage reads throw in an opaque origin and the reference makes them on load: per-page in-memory stand-ins. */
const STORAGE_SHIM = `(() => {
  const memory = () => {
    const m = new Map();
    return {
      get length() { return m.size; },
      key: (i) => [...m.keys()][i] ?? null,
      getItem: (k) => (m.has(String(k)) ? m.get(String(k)) : null),
      setItem: (k, v) => { m.set(String(k), String(v)); },
      removeItem: (k) => { m.delete(String(k)); },
      clear: () => { m.clear(); },
    };
  };
  for (const name of ["localStorage", "sessionStorage"]) {
    try { window[name]; } catch { Object.defineProperty(window, name, { value: memory(), configurable: true }); }
  }
})();`;

/** JSON made safe to sit inside an inline <script>: `<` can never start `</script>`. */
function inlineJson(json: string): string {
  return json.replace(/</g, "\\u003c");
}

/** `GET /docs`: the pinned @scalar/api-reference (no CDN), sandboxed; `spec` returns the OpenAPI JSON text. */
export function docsRoutes(spec: (c: Context<AppEnv>) => Promise<string>) {
  return new Hono<AppEnv>().get("/docs", async (c) => {
    const nonce = cspNonce();
    // No hosted extras (they call scalar.com, which the CSP blocks) and no "Test Request" (the sandbox withholds
    // credentials).
    const config = `{"content":${inlineJson(await spec(c))},"withDefaultFonts":false,"hideClientButton":true,"hideTestRequestButton":true,"telemetry":false,"showDeveloperTools":"never","agent":{"disabled":true},"mcp":{"disabled":true}}`;
    const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>edgecron API reference</title>
<link rel="icon" href="data:,">
</head>
<body>
<noscript>The API reference needs JavaScript. The OpenAPI document is at /openapi.json.</noscript>
<div id="app"></div>
<script nonce="${nonce}">${STORAGE_SHIM}</script>
<script nonce="${nonce}" src="${SCALAR_SCRIPT_PATH}"></script>
<script nonce="${nonce}">Scalar.createApiReference("#app", ${config});</script>
</body>
</html>`;
    return c.html(html, 200, {
      "Content-Security-Policy": docsCsp(nonce),
      "Cache-Control": "no-store",
      "Referrer-Policy": "no-referrer",
      "X-Content-Type-Options": "nosniff",
    });
  });
}
