import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import { BASE, bodyText } from "../helpers/http";

/**
 * Calls the app directly with a modified env (a tight rate limiter, a failing D1 …), the way the Worker's
 * fetch handler would, and waits for its waitUntil work. Responses are read like helpers/http's api().
 */
export async function callWith(overrides: Partial<Env>, path: string, init: RequestInit = {}) {
  const app = createApp();
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${BASE}${path}`, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await bodyText(res);
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
  return { status: res.status, headers: res.headers, body: body as any, text };
}
