import { describe, expect, it } from "vitest";
import type { ExecutionResult } from "../../../src/engine/executors";
import { createMockExecutor, mockOutcome } from "../../../src/engine/executors/mock";

const bytes = (s: string) => new TextEncoder().encode(s).length;
const ids = Array.from({ length: 2000 }, (_, i) => `exe_01J${i.toString(36).padStart(6, "0")}`);
const outcomes = ids.map((executionId) => mockOutcome({ executionId, timeoutSeconds: 17 }));
const byStatus = (status: ExecutionResult["status"]) => outcomes.filter((o) => o.status === status);

describe("mockOutcome", () => {
  it("is deterministic per execution id", () => {
    for (const id of ids.slice(0, 50)) {
      expect(mockOutcome({ executionId: id, timeoutSeconds: 17 })).toEqual(
        mockOutcome({ executionId: id, timeoutSeconds: 17 }),
      );
    }
    // Neighbouring ids are not all alike.
    expect(new Set(outcomes.slice(0, 20).map((o) => JSON.stringify(o))).size).toBeGreaterThan(15);
  });

  it("produces every status in roughly the intended mix", () => {
    const share = (status: ExecutionResult["status"]) => byStatus(status).length / outcomes.length;
    expect(share("success")).toBeGreaterThan(0.75);
    expect(share("success")).toBeLessThan(0.85);
    expect(share("failure")).toBeGreaterThan(0.07);
    expect(share("failure")).toBeLessThan(0.13);
    expect(share("error")).toBeGreaterThan(0.03);
    expect(share("error")).toBeLessThan(0.07);
    expect(share("timeout")).toBeGreaterThan(0.03);
    expect(share("timeout")).toBeLessThan(0.07);
  });

  it("fills success results like a 2xx response", () => {
    for (const o of byStatus("success")) {
      expect([200, 201, 204]).toContain(o.responseCode);
      expect(o.errorMessage).toBeNull();
      expect(o.retryAfterSeconds).toBeNull();
      expect(o.responseTimeMs).toBeGreaterThanOrEqual(40);
      expect(o.responseTimeMs).toBeLessThanOrEqual(2000);
      if (o.responseCode === 204) expect(o.responseBody).toBeNull();
      else expect(o.responseBody).toMatch(/^\{"/);
    }
    expect(new Set(byStatus("success").map((o) => o.responseCode))).toEqual(new Set([200, 201, 204]));
  });

  it("stores some long success bodies truncated to at most 1024 bytes", () => {
    const bodies = outcomes.flatMap((o) => (o.responseBody === null ? [] : [o.responseBody]));
    for (const body of bodies) expect(bytes(body)).toBeLessThanOrEqual(1024);
    const truncated = bodies.filter((b) => bytes(b) > 1000);
    expect(truncated.length).toBeGreaterThan(5);
    for (const body of truncated) expect(() => JSON.parse(body)).toThrow();
  });

  it("fills failure results like a 4xx/5xx response", () => {
    for (const o of byStatus("failure")) {
      expect(o.responseCode).toBeGreaterThanOrEqual(400);
      expect(o.responseCode).toBeLessThan(600);
      expect(o.errorMessage).toBe(`Endpoint returned status code ${o.responseCode}`);
      expect(JSON.parse(o.responseBody ?? "")).toHaveProperty("error");
      if (o.retryAfterSeconds !== null) expect([429, 503]).toContain(o.responseCode);
    }
    const withRetryAfter = byStatus("failure").filter((o) => o.retryAfterSeconds !== null);
    expect(withRetryAfter.length).toBeGreaterThan(0);
    expect(withRetryAfter.every((o) => (o.retryAfterSeconds ?? 0) > 0)).toBe(true);
  });

  it("fills error results without a response", () => {
    const messages = new Set<string>();
    for (const o of byStatus("error")) {
      expect(o.responseCode).toBeNull();
      expect(o.responseBody).toBeNull();
      expect(o.retryAfterSeconds).toBeNull();
      expect(o.errorMessage).toEqual(expect.any(String));
      messages.add(o.errorMessage ?? "");
    }
    expect(messages).toContain("Connection refused");
    expect(messages).toContain("DNS lookup failed for api.example.com");
  });

  it("names the job's host in DNS failures", () => {
    const id = ids.find((executionId) =>
      mockOutcome({ executionId, timeoutSeconds: 30 }).errorMessage?.startsWith("DNS"),
    );
    expect(id).toBeDefined();
    const o = mockOutcome({ executionId: id ?? "", timeoutSeconds: 30, endpointUrl: "https://hooks.acme.dev/sync" });
    expect(o.errorMessage).toBe("DNS lookup failed for hooks.acme.dev");
  });

  it("fills timeout results from the job's timeout", () => {
    for (const o of byStatus("timeout")) {
      expect(o).toEqual({
        status: "timeout",
        responseCode: null,
        responseBody: null,
        errorMessage: "Request timed out after 17 seconds",
        responseTimeMs: 17_000,
        retryAfterSeconds: null,
      });
    }
    const id = ids[outcomes.findIndex((o) => o.status === "timeout")] ?? "";
    expect(mockOutcome({ executionId: id, timeoutSeconds: 5 }).errorMessage).toBe("Request timed out after 5 seconds");
  });
});

describe("createMockExecutor", () => {
  it("resolves to mockOutcome without touching the network", async () => {
    const req = {
      executionId: "exe_abc",
      endpointUrl: "https://api.example.com/x",
      method: "POST",
      headers: {},
      body: "{}",
      timeoutSeconds: 30,
    };
    expect(await createMockExecutor().execute(req)).toEqual(mockOutcome(req));
  });
});
