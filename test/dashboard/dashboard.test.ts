import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import DASHBOARD_CLIENT_JS from "../../src/dashboard/generated/client.js";
import { createAccount } from "../helpers/accounts";
import { BASE } from "../helpers/http";

async function getDashboard(headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`${BASE}/dashboard`, { headers });
  return { res, html: await res.text() };
}

describe("GET /dashboard", () => {
  it("serves the HTML shell without auth", async () => {
    const { res, html } = await getDashboard();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain('<form id="signin-form" method="post"');
    expect(html).toContain('id="api-secret" type="password"');
  });

  it("loads nothing from another host", async () => {
    const { html } = await getDashboard();
    const refs = [...html.matchAll(/\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?([^"'\s>]*)/gi)].map(
      (m) => m[1],
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref, ref).not.toMatch(/^(?:[a-z][a-z0-9+.-]*:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
    // The only absolute URL in the page is the SVG namespace the script creates elements in.
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/gi)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(["http://www.w3.org/2000/svg"]));
    // fetch() is called once in the bundle, and only with this origin's API path.
    const fetches = [...DASHBOARD_CLIENT_JS.matchAll(/\bfetch\(\s*([^,]+),/g)].map((m) => m[1]?.trim());
    expect(fetches).toHaveLength(1);
    expect(fetches[0]).toMatch(/^`\/v1\/cron-jobs\/\$\{encodeURIComponent\(/);
  });

  it("contains no credentials, even when the request carries them", async () => {
    const account = await createAccount("Dashboard");
    const { html } = await getDashboard(account.headers);
    for (const secret of [account.apiKey, account.apiSecret, account.accountId, account.signingSecret]) {
      expect(html).not.toContain(secret);
    }
    // Credential-shaped strings (field names such as `expires_at` are not).
    expect(html).not.toMatch(/\b(?:ek|es)_[A-Za-z0-9_-]{10}|whsec_[A-Za-z0-9_-]/);
    // The sign-in inputs have no name, so even a native form submission would carry nothing.
    expect(html).not.toMatch(/<input[^>]*\bname=/);
  });

  it("sends a strict CSP whose nonce is fresh on each response and matches the inline tags", async () => {
    const a = await getDashboard();
    const b = await getDashboard();
    const csp = a.res.headers.get("content-security-policy") ?? "";
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("form-action 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(b.res.headers.get("content-security-policy")).not.toContain(nonce);
    expect(a.html.match(/<script\b/g)).toHaveLength(1);
    expect(a.html).toContain(`<script nonce="${nonce}">`);
    expect(a.html).toContain(`<style nonce="${nonce}">`);
    expect(a.res.headers.get("cache-control")).toBe("no-store");
    expect(a.res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(a.res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("builds the DOM without HTML-parsing sinks", () => {
    expect(DASHBOARD_CLIENT_JS).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|srcdoc|\beval\(|new Function/,
    );
    expect(DASHBOARD_CLIENT_JS).not.toMatch(/<\/script/i);
    // Credentials are kept per tab only.
    expect(DASHBOARD_CLIENT_JS).not.toMatch(/localStorage|document\.cookie/);
  });

  it("clones through the API: secrets never reach the browser, so it cannot copy a job itself", () => {
    expect(DASHBOARD_CLIENT_JS).toContain("/clone/");
    expect(DASHBOARD_CLIENT_JS).not.toMatch(/[?&]clone=|Copy of /);
    // A stored secret is shown as a badge with a Replace control (the e2e test drives them).
    expect(DASHBOARD_CLIENT_JS).toContain("secret · set");
  });

  it("redirects /dashboard/ and refuses other methods", async () => {
    const slash = await SELF.fetch(`${BASE}/dashboard/`, { redirect: "manual" });
    expect(slash.status).toBe(301);
    expect(slash.headers.get("location")).toBe("/dashboard");
    const post = await SELF.fetch(`${BASE}/dashboard`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});
