import { SELF } from "cloudflare:test";
import { expect } from "vitest";

// Loopback: the tests run with ALLOW_PRIVATE_TARGETS on, which answers only requests to a loopback Host.
export const BASE = "http://localhost";

/**
 * A body as UTF-8 text. Decoded from bytes because workerd warns on .text() for a type it does not list as text,
 * such as the log export's application/x-ndjson, which is UTF-8 JSON by definition (ndjson spec, RFC 8259 §8.1).
 */
export async function bodyText(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}

export async function api(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const res = await SELF.fetch(`${BASE}${path}`, init);
  const text = await bodyText(res);
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
  return { status: res.status, headers: res.headers, body: body as any };
}

/** Asserts an RFC 9457 problem response and returns its body. */
export function expectProblem(
  res: { status: number; headers: Headers; body: Record<string, unknown> },
  status: number,
  detail?: string | RegExp,
) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status, type: expect.stringContaining("edgecron"), title: expect.any(String) });
  expect(typeof res.body.detail).toBe("string");
  if (detail instanceof RegExp) expect(res.body.detail).toMatch(detail);
  else if (detail !== undefined) expect(res.body.detail).toBe(detail);
  return res.body;
}
