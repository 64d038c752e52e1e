/** The mock executor: realistic, deterministic outcomes per execution id; pure, so the seed script reuses it. */

import type { ExecutionRequest, ExecutionResult, Executor } from "../../lib/execution";
import { errorResult, failureMessage, timeoutResult } from "../../lib/execution-results";
import { truncateUtf8 } from "../../lib/truncate";

type MockInput = Pick<ExecutionRequest, "executionId" | "timeoutSeconds"> &
  Partial<Pick<ExecutionRequest, "endpointUrl">>;

/** FNV-1a over UTF-16 units: a stable 32-bit seed from the id. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: tiny PRNG with good enough mixing that near-identical ids give unrelated outcomes. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const hex = (rng: Rng, len: number) => Array.from({ length: len }, () => Math.floor(rng() * 16).toString(16)).join("");

/** Exponential-ish latency: most answers are quick, a few crawl up to `max`. */
function latency(rng: Rng, min: number, mean: number, max: number): number {
  return Math.min(max, min + Math.floor(-Math.log(1 - rng()) * mean));
}

function weighted<T>(rng: Rng, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let r = rng() * total;
  for (const [value, w] of table) {
    r -= w;
    if (r < 0) return value;
  }
  return (table[table.length - 1] as readonly [T, number])[0];
}

function hostOf(endpointUrl: string | undefined): string {
  try {
    return endpointUrl ? new URL(endpointUrl).hostname || "api.example.com" : "api.example.com";
  } catch {
    return "api.example.com";
  }
}

function successBody(rng: Rng): string {
  if (rng() < 0.03) {
    // A listing-style response well over 1 KB, so storage truncation shows up in the demo history.
    const base = Date.UTC(2024, 0, 1) + int(rng, 0, 365 * 86_400) * 1000;
    const results = Array.from({ length: int(rng, 15, 40) }, (_, i) => ({
      id: i + 1,
      sku: `SKU-${hex(rng, 6).toUpperCase()}`,
      status: pick(rng, ["synced", "synced", "synced", "skipped", "updated"]),
      updated_at: new Date(base + i * 1000).toISOString(),
    }));
    return truncateUtf8(JSON.stringify({ status: "ok", count: results.length, results }));
  }
  return pick(rng, [
    () => JSON.stringify({ ok: true }),
    () => JSON.stringify({ status: "ok", processed: int(rng, 0, 500) }),
    () => JSON.stringify({ success: true, message: "Job completed", duration_ms: int(rng, 5, 900) }),
    () => JSON.stringify({ received: true, id: `evt_${hex(rng, 16)}` }),
    () => JSON.stringify({ status: "queued", job_id: `job_${hex(rng, 12)}` }),
    () => JSON.stringify({ status: "healthy", version: `1.${int(rng, 0, 9)}.${int(rng, 0, 20)}` }),
  ])();
}

const FAILURES = [
  [400, 10, { error: "bad_request", message: "Missing required field: account_id" }],
  [401, 8, { error: "unauthorized", message: "Invalid or expired token" }],
  [403, 6, { error: "forbidden", message: "Insufficient permissions for this resource" }],
  [404, 16, { error: "not_found", message: "The requested resource was not found" }],
  [409, 4, { error: "conflict", message: "A sync is already in progress" }],
  [422, 8, { error: "validation_failed", errors: [{ field: "date", message: "must be a valid ISO 8601 date" }] }],
  [429, 8, { error: "rate_limited", message: "Too many requests" }],
  [500, 18, { error: "internal_server_error", message: "An unexpected error occurred" }],
  [502, 10, { error: "bad_gateway", message: "Upstream service unavailable" }],
  [503, 8, { error: "service_unavailable", message: "Service is temporarily down for maintenance" }],
  [504, 6, { error: "gateway_timeout", message: "Upstream request timed out" }],
] as const;

export function mockOutcome(req: MockInput): ExecutionResult {
  const rng = mulberry32(fnv1a(req.executionId));
  const roll = rng();

  if (roll < 0.8) {
    const code = weighted(rng, [
      [200, 75],
      [201, 12],
      [204, 13],
    ]);
    return {
      status: "success",
      responseCode: code,
      responseBody: code === 204 ? null : successBody(rng),
      errorMessage: null,
      responseTimeMs: latency(rng, 40, 180, 2000),
      retryAfterSeconds: null,
    };
  }

  if (roll < 0.9) {
    const [code, , body] = weighted(
      rng,
      FAILURES.map((f) => [f, f[1]] as const),
    );
    // Every 429 and half the 503s say when to come back.
    const retryAfterSeconds =
      code === 429 ? pick(rng, [30, 60, 120]) : code === 503 && rng() < 0.5 ? int(rng, 10, 300) : null;
    const extra = code >= 500 ? { request_id: `req_${hex(rng, 12)}` } : {};
    return {
      status: "failure",
      responseCode: code,
      responseBody: truncateUtf8(
        JSON.stringify({
          ...body,
          ...extra,
          ...(retryAfterSeconds === null ? {} : { retry_after: retryAfterSeconds }),
        }),
      ),
      errorMessage: failureMessage(code),
      responseTimeMs: code >= 500 ? latency(rng, 60, 400, 2000) : latency(rng, 30, 120, 2000),
      retryAfterSeconds,
    };
  }

  if (roll < 0.95) {
    const [errorMessage, responseTimeMs] = pick(rng, [
      () => ["Connection refused", int(rng, 1, 40)] as const,
      () => [`DNS lookup failed for ${hostOf(req.endpointUrl)}`, int(rng, 5, 150)] as const,
      () => ["Connection reset by peer", latency(rng, 50, 300, 2000)] as const,
      () => ["TLS handshake failed: certificate has expired", int(rng, 30, 300)] as const,
      () => ["Network connection lost", latency(rng, 100, 500, 2000)] as const,
    ])();
    return errorResult(errorMessage, responseTimeMs);
  }

  return timeoutResult(req.timeoutSeconds);
}

export function createMockExecutor(): Executor {
  return { execute: async (req) => mockOutcome(req) };
}
