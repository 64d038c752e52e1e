import { expect } from "vitest";
import type { TestAccount } from "../helpers/accounts";
import { api } from "../helpers/http";

/** Calls the account's calendars or maintenance-windows API with `headers` (default: its full-scope key). */
export function accountApi(
  acct: TestAccount,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  return api(`/v1/cron-jobs/${acct.accountId}${path}`, {
    method: init.method ?? "GET",
    headers: {
      ...(init.headers ?? acct.headers),
      ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes.
export type Json = Record<string, any>;

export async function createCalendar(acct: TestAccount, body: Json): Promise<Json> {
  const res = await accountApi(acct, "/calendars", { method: "POST", body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

export async function createWindow(acct: TestAccount, body: Json): Promise<Json> {
  const res = await accountApi(acct, "/maintenance-windows", { method: "POST", body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

export async function readOnlyHeaders(a: TestAccount) {
  const res = await accountApi(a, "/keys", { method: "POST", body: { name: "viewer", scope: "read_only" } });
  expect(res.status).toBe(201);
  return { "X-API-Key": res.body.data.id, "X-API-Secret": res.body.data.api_secret };
}

/** The fields each 400 problem names. */
export const fieldsOf = (body: Json): string[] => (body.errors as Array<{ field: string }>).map((e) => e.field).sort();
