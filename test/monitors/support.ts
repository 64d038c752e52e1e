import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq, sql } from "drizzle-orm";
import { expect } from "vitest";
import { createControlDb } from "../../src/db/client";
import { deliveries, monitors, type PingKind } from "../../src/db/schema";
import { recordPing } from "../../src/monitors/ping";
import { addMonitorRoute, removeMonitorRoute } from "../../src/monitors/ping-key";
import type { TestAccount } from "../helpers/accounts";
import { api, BASE, bodyText } from "../helpers/http";
import { accountDb } from "../helpers/shards";

/** A monitor as the API returns it. */
// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
export type Monitor = Record<string, any>;

/** Calls the account's monitors API with its full-scope key. */
export function monitorsApi(
  acct: TestAccount,
  path = "",
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  return api(`/v1/cron-jobs/${acct.accountId}/monitors${path}`, {
    method: init.method ?? "GET",
    headers: {
      ...acct.headers,
      ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

/** Creates a monitor and returns it (the request must succeed). */
export async function createMonitor(acct: TestAccount, body: Record<string, unknown>): Promise<Monitor> {
  const res = await monitorsApi(acct, "", { method: "POST", body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

/** The ping URL's path (`/ping/<key>/<slug>`) of a monitor read with a full-scope key. */
export const pingPath = (m: Monitor) => new URL(m.ping_url).pathname;

/** Sends a ping as a job would: the status, the text answered and the headers. */
export async function ping(path: string, init: RequestInit = {}) {
  const res = await SELF.fetch(`${BASE}${path}`, init);
  return { status: res.status, text: await bodyText(res), headers: res.headers };
}

export async function getMonitor(acct: TestAccount, id: string): Promise<Monitor> {
  const res = await monitorsApi(acct, `/${id}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

export async function listPings(acct: TestAccount, id: string, query = "") {
  const res = await monitorsApi(acct, `/${id}/pings${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { data: Monitor[]; pagination: { limit: number; next_cursor: string | null } };
}

/** A ping recorded through the domain at a chosen time (the HTTP route uses the clock). */
export async function pingAt(
  acct: TestAccount,
  mon: Monitor,
  at: number,
  kind: PingKind = "success",
  opts: { rid?: string; exitStatus?: number; byUuid?: boolean } = {},
) {
  const db = await accountDb(acct.accountId);
  const control = createControlDb(env.DB);
  return recordPing(
    db,
    {
      accountId: acct.accountId,
      target: opts.byUuid ? { monitorId: mon.id } : { key: pingPath(mon).split("/")[2] as string, slug: mon.slug },
      signal: { kind, exitStatus: opts.exitStatus ?? null },
      rid: opts.rid ?? null,
      method: "GET",
      body: null,
      at,
      create: false,
    },
    {
      maxMonitors: 100,
      addRoute: (id, accountId) => addMonitorRoute(control, id, accountId),
      removeRoute: (id) => removeMonitorRoute(control, id),
      nonce: () => crypto.randomUUID().slice(0, 8),
    },
  );
}

/** The monitor's stored row (state as stored: `late` is not a stored state). */
export async function storedMonitor(acct: TestAccount, id: string) {
  const [row] = await (await accountDb(acct.accountId)).select().from(monitors).where(eq(monitors.id, id));
  if (!row) throw new Error(`no monitor ${id}`);
  return row;
}

/** The monitor's delivery rows (source monitor) in the order they were written. */
export async function monitorDeliveries(acct: TestAccount, id: string) {
  return (await accountDb(acct.accountId))
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.source, "monitor"), eq(deliveries.sourceId, id)))
    .orderBy(sql`rowid`);
}
