import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCALAR_SCRIPT_PATH } from "../../src/docs/routes";
import { SCALAR_SCRIPT_HEADERS } from "../../src/docs/script-asset";
import wranglerToml from "../../wrangler.toml?raw";
import { BASE } from "../helpers/http";

/** vitest.config.ts binds wrangler.toml's [assets] for the tests (SELF reaches the Worker alone). */
const { ASSETS } = env as unknown as { ASSETS: Fetcher };

declare global {
  interface ImportMeta {
    /** Vite's static import of every file matching a pattern (https://vite.dev/guide/features#glob-import). */
    glob<T>(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, T>;
    glob<T>(pattern: string, options: { query: "?raw"; import: "default" }): Record<string, () => Promise<T>>;
  }
}

const directives = (csp: string) =>
  new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values] as [string, string[]]),
  );

describe("/docs: the API reference, self-contained and sandboxed", () => {
  it("serves the pinned reference from this Worker, with no third-party URL to load", async () => {
    const res = await SELF.fetch(`${BASE}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual([SCALAR_SCRIPT_PATH]);
    expect(SCALAR_SCRIPT_PATH).toMatch(/^\/docs\/scalar-api-reference-1\.72\.1\.js$/);
    expect(html).not.toMatch(/\b(?:src|href)="(?:https?:)?\/\//i);
    expect(html).not.toMatch(/cdn\.jsdelivr|unpkg|cdn\./i);
    // The OpenAPI document is inlined (no fetch from the opaque origin), and cannot close the script.
    expect(html).toContain('Scalar.createApiReference("#app", {"content":{"openapi":"3.1.0"');
    expect(html).toContain('"withDefaultFonts":false');
    // Its requests would need the connections and credentials the sandbox withholds: no dead "Test Request" button.
    expect(html).toContain('"hideTestRequestButton":true');
    expect(html).toContain('"hideClientButton":true');
    expect(html.match(/<\/script>/g)).toHaveLength(3); // storage stand-ins, the reference, its configuration
  });

  it("is sandboxed into an opaque origin (no allow-same-origin) with only inline styles relaxed", async () => {
    const res = await SELF.fetch(`${BASE}/docs`);
    const html = await res.text();
    const csp = directives(res.headers.get("content-security-policy") ?? "");
    expect(csp.get("sandbox")).toEqual(["allow-scripts"]);
    expect(csp.get("default-src")).toEqual(["'none'"]);
    const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(csp.get("script-src")?.[0] ?? "")?.[1];
    expect(nonce).toBeTruthy();
    expect(csp.get("script-src")).toHaveLength(1);
    expect(csp.get("style-src")).toEqual(["'unsafe-inline'"]);
    expect(csp.get("connect-src")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(res.headers.get("content-security-policy")).not.toMatch(/allow-same-origin|unsafe-eval|https?:/);
    expect(html.match(new RegExp(`<script nonce="${nonce?.replace(/[+/=]/g, "\\$&")}"`, "g"))).toHaveLength(3);
    const again = await SELF.fetch(`${BASE}/docs`);
    expect(again.headers.get("content-security-policy")).not.toContain(nonce);
  });

  it("serves the reference script as a static asset, with its _headers: immutable, nosniff, sandboxed", async () => {
    const res = await ASSETS.fetch(`${BASE}${SCALAR_SCRIPT_PATH}`);
    expect(res.status).toBe(200);
    for (const [name, value] of Object.entries(SCALAR_SCRIPT_HEADERS)) expect(res.headers.get(name), name).toBe(value);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = directives(res.headers.get("content-security-policy") ?? "");
    expect(csp.get("sandbox")).toEqual([]);
    expect(csp.get("default-src")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    const js = await res.text();
    expect(js.length).toBeGreaterThan(1_000_000);
    expect(js).toContain("createApiReference");
    // Revalidation keeps the headers (an If-None-Match answer is 304 with them).
    const again = await ASSETS.fetch(`${BASE}${SCALAR_SCRIPT_PATH}`, {
      headers: { "If-None-Match": res.headers.get("etag") ?? "" },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("is not the Worker's: the Worker alone answers its path 404, and no module of src/ imports a copy", async () => {
    const res = await SELF.fetch(`${BASE}${SCALAR_SCRIPT_PATH}`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    await res.arrayBuffer();
    const sources = import.meta.glob<string>("../../src/**/*.{ts,tsx,js}", {
      query: "?raw",
      import: "default",
      eager: true,
    });
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    const specifiers = Object.entries(sources).flatMap(([file, text]) =>
      [...text.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => `${file}: ${m[1]}`),
    );
    expect(specifiers.length).toBeGreaterThan(100);
    expect(specifiers.filter((s) => /@scalar\/|standalone|(?:^|\/)assets\/|generated\/scalar\.js/.test(s))).toEqual([]);
  });

  it("shadows no Worker path: the assets are that one script, matched first, everything else goes to the Worker", async () => {
    // Static assets are served before the Worker, and a path without one reaches it (not_found_handling "none").
    expect(wranglerToml).toMatch(/^\[assets\]\ndirectory = "assets"\nnot_found_handling = "none"\n/m);
    expect(wranglerToml).not.toMatch(/run_worker_first|html_handling|^binding = "ASSETS"/m);
    const files = Object.keys(import.meta.glob<string>("../../assets/**/*", { query: "?raw", import: "default" }));
    expect(files.sort()).toEqual([`../../assets${SCALAR_SCRIPT_PATH}`, "../../assets/_headers"].sort());
    const paths = [
      "/",
      "/docs",
      "/docs/",
      "/docs/index.html",
      "/docs/scalar-api-reference-0.0.0.js",
      `${SCALAR_SCRIPT_PATH}.map`,
      SCALAR_SCRIPT_PATH.replace(/\.js$/, ""),
      "/_headers",
      "/assets/_headers",
      `/assets${SCALAR_SCRIPT_PATH}`,
      "/health",
      "/dashboard",
      "/openapi.json",
    ];
    for (const path of paths) {
      const res = await ASSETS.fetch(`${BASE}${path}`);
      await res.arrayBuffer();
      expect(res.status, path).toBe(404);
    }
  });

  it("every other response carries a strict CSP (the dashboard its own nonce policy)", async () => {
    for (const path of ["/health", "/openapi.json", "/v1/cron-jobs/x/list", "/nope"]) {
      const res = await SELF.fetch(`${BASE}${path}`);
      const csp = directives(res.headers.get("content-security-policy") ?? "");
      expect(csp.get("default-src"), path).toEqual(["'none'"]);
      expect(csp.get("frame-ancestors"), path).toEqual(["'none'"]);
      expect(csp.has("script-src"), path).toBe(false);
    }
    const dash = await SELF.fetch(`${BASE}/dashboard`);
    const csp = directives(dash.headers.get("content-security-policy") ?? "");
    expect(csp.get("script-src")?.[0]).toMatch(/^'nonce-/);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.has("sandbox")).toBe(false);
  });
});
