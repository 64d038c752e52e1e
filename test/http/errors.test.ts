import { describe, expect, it } from "vitest";
import { createAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";

describe("errors are RFC 9457 problems", () => {
  it("an unknown route → 404 problem", async () => {
    const res = await api("/nope");
    expect(expectProblem(res, 404, "No route for GET /nope")).toEqual({
      type: "https://edgecron.dev/problems/not-found",
      title: "Not Found",
      status: 404,
      detail: "No route for GET /nope",
    });
  });

  it("a wrong method on a known route → 405 with Allow", async () => {
    const res = await api("/health", { method: "POST" });
    expectProblem(res, 405, "Method POST is not allowed on /health");
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });

  it("a wrong method on a parameterised route → 405", async () => {
    const acct = await createAccount();
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${crypto.randomUUID()}`, {
      method: "DELETE",
      headers: acct.headers,
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toContain("GET");
  });
});

describe("documentation", () => {
  it("serves an OpenAPI 3.1 document listing every route", async () => {
    const res = await api("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const documented = new Set(
      Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`),
      ),
    );
    const { createApp } = await import("../../src/app");
    const undocumented = createApp()
      .routes.filter((r) => r.path.startsWith("/v1/") && r.method !== "ALL")
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => !documented.has(r));
    expect(undocumented).toEqual([]);
    expect(documented.size).toBeGreaterThan(0);
    expect(res.body.components.securitySchemes.ApiKey).toEqual({ type: "apiKey", in: "header", name: "X-API-Key" });
  });

  it("serves an interactive reference at /docs", async () => {
    const res = await api("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(String(res.body)).toContain("/openapi.json");
  });
});
