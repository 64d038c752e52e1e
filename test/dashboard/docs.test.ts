import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SCALAR_SCRIPT_PATH } from "../../src/docs/routes";
import { BASE } from "../helpers/http";

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

  it("serves the reference script itself, immutable and not executable as a page", async () => {
    const res = await SELF.fetch(`${BASE}${SCALAR_SCRIPT_PATH}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const js = await res.text();
    expect(js.length).toBeGreaterThan(1_000_000);
    expect(js).toContain("createApiReference");
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
