import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { FIRST_KEY_NAME } from "../../src/accounts/provision";
import { scopeAllows } from "../../src/http/scope";
import { verifiedKeys } from "../../src/keys/key-cache";
import { createCalendar, createWindow } from "../calendars/support";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";

const json = (headers: Record<string, string>, body: unknown, method = "POST") => ({
  method,
  headers: { ...headers, "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

async function createKey(acct: TestAccount, body: Record<string, unknown>) {
  const res = await api(`/v1/cron-jobs/${acct.accountId}/keys`, json(acct.headers, body));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const data = res.body.data as { id: string; api_secret: string; expires_at: string | null };
  return { res, data, headers: { "X-API-Key": data.id, "X-API-Secret": data.api_secret } };
}

describe("API keys: /v1/cron-jobs/{accountId}/keys", () => {
  let acct: TestAccount;
  beforeAll(async () => {
    acct = await createAccount("Keys");
  });

  it("creates a key whose secret is shown once and works at once", async () => {
    const { data, headers } = await createKey(acct, { name: "CI pipeline" });
    expect(data).toMatchObject({ name: "CI pipeline", scope: "full", status: "active", expires_at: null });
    expect(data.id).toMatch(/^ek_/);
    expect(data.api_secret).toMatch(/^es_/);
    expect((await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers })).status).toBe(200);
    const list = await api(`/v1/cron-jobs/${acct.accountId}/keys`, { headers: acct.headers });
    expect(list.status).toBe(200);
    const listed = (list.body.data as Array<Record<string, unknown>>).find((k) => k.id === data.id);
    expect(listed).toMatchObject({ name: "CI pipeline", scope: "full", status: "active", revoked_at: null });
    // Never the secret, nor its hash.
    expect(JSON.stringify(list.body)).not.toContain(data.api_secret);
    expect(JSON.stringify(list.body)).not.toMatch(/secret/i);
  });

  it("lists every key of the account with the fields the dashboard shows, and only this account's", async () => {
    const other = await createAccount("Keys other");
    const list = await api(`/v1/cron-jobs/${acct.accountId}/keys`, { headers: acct.headers });
    const ids = (list.body.data as Array<{ id: string }>).map((k) => k.id);
    expect(ids).toContain(acct.apiKey);
    expect(ids).not.toContain(other.apiKey);
    // The key the account was created with has a name to show, not an empty one.
    const first = (list.body.data as Array<{ id: string; name: string }>).find((k) => k.id === acct.apiKey);
    expect(first?.name).toBe(FIRST_KEY_NAME);
    for (const k of list.body.data) {
      expect(Object.keys(k).sort()).toEqual(
        ["id", "name", "scope", "status", "created_at", "last_used_at", "expires_at", "revoked_at"].sort(),
      );
    }
    const cross = await api(`/v1/cron-jobs/${other.accountId}/keys`, { headers: acct.headers });
    expectProblem(cross, 403);
  });

  it("records last use (at most once a minute)", async () => {
    const { data, headers } = await createKey(acct, { name: "used" });
    const before = await api(`/v1/cron-jobs/${acct.accountId}/keys`, { headers: acct.headers });
    expect(
      (before.body.data as Array<{ id: string; last_used_at: string | null }>).find((k) => k.id === data.id),
    ).toMatchObject({ last_used_at: null });
    expect((await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers })).status).toBe(200);
    // The use is written in waitUntil: poll briefly.
    let lastUsed: string | null = null;
    for (let i = 0; i < 50 && !lastUsed; i++) {
      const row = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?")
        .bind(data.id)
        .first<{ last_used_at: number | null }>();
      if (row?.last_used_at) lastUsed = new Date(row.last_used_at).toISOString();
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(lastUsed).not.toBeNull();
    const after = await api(`/v1/cron-jobs/${acct.accountId}/keys`, { headers: acct.headers });
    const listed = (after.body.data as Array<{ id: string; last_used_at: string | null }>).find(
      (k) => k.id === data.id,
    );
    expect(listed?.last_used_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it("revokes a key: it gets 401 (at once on this isolate; elsewhere within API_KEY_CACHE_SECONDS)", async () => {
    const { data, headers } = await createKey(acct, { name: "to revoke" });
    expect((await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers })).status).toBe(200);
    const del = await api(`/v1/cron-jobs/${acct.accountId}/keys/${data.id}`, {
      method: "DELETE",
      headers: acct.headers,
    });
    expect(del.status).toBe(200);
    expect(del.body.data).toMatchObject({ id: data.id, status: "revoked" });
    expect(del.body.data.revoked_at).toMatch(/Z$/);
    expectProblem(await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers }), 401);
    // Idempotent: the first revocation time stays.
    const again = await api(`/v1/cron-jobs/${acct.accountId}/keys/${data.id}`, {
      method: "DELETE",
      headers: acct.headers,
    });
    expect(again.status).toBe(200);
    expect(again.body.data.revoked_at).toBe(del.body.data.revoked_at);
  });

  it("a revoked key stays trusted by an isolate that cached it only until the cache TTL (as for CLI revocation)", async () => {
    const { data, headers } = await createKey(acct, { name: "cached elsewhere" });
    expect((await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers })).status).toBe(200);
    // Revoke behind the isolate's back (another isolate, or the CLI): the cached entry still answers...
    await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").bind(Date.now(), data.id).run();
    const cached = verifiedKeys.get(data.id, Date.now());
    expect(cached).toBeDefined();
    // ...until it expires: simulate the TTL passing by dropping the entry's time.
    if (cached) cached.expiresAt = Date.now() - 1;
    expectProblem(await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers }), 401);
  });

  it("revoking a key of another account or an unknown key is 404", async () => {
    const other = await createAccount("Keys revoke other");
    expectProblem(
      await api(`/v1/cron-jobs/${acct.accountId}/keys/${other.apiKey}`, { method: "DELETE", headers: acct.headers }),
      404,
    );
    expectProblem(
      await api(`/v1/cron-jobs/${acct.accountId}/keys/ek_nope`, { method: "DELETE", headers: acct.headers }),
      404,
    );
    expect((await api(`/v1/cron-jobs/${other.accountId}/list`, { headers: other.headers })).status).toBe(200);
  });

  it("an expired key gets 401, and a cached key stops at its expiry, not later", async () => {
    const soon = new Date(Date.now() + 1_500).toISOString();
    const { data, headers } = await createKey(acct, { name: "short-lived", expires_at: soon });
    expect(data).toMatchObject({ status: "active" });
    expect(data.expires_at).toBe(`${soon.slice(0, 19)}Z`);
    expect((await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers })).status).toBe(200);
    expect(verifiedKeys.get(data.id, Date.now())?.expiresAt).toBeLessThanOrEqual(Date.parse(soon));
    await new Promise((r) => setTimeout(r, Date.parse(soon) - Date.now() + 50));
    expectProblem(await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers }), 401);
    const list = await api(`/v1/cron-jobs/${acct.accountId}/keys`, { headers: acct.headers });
    expect((list.body.data as Array<{ id: string }>).find((k) => k.id === data.id)).toMatchObject({
      status: "expired",
    });
  });

  it("validates the body: names each bad field; an expiry in the past is refused", async () => {
    const bad = await api(
      `/v1/cron-jobs/${acct.accountId}/keys`,
      json(acct.headers, { name: "", scope: "admin", expires_at: "tomorrow", extra: 1 }),
    );
    const p = expectProblem(bad, 400);
    expect((p.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(
      ["expires_at", "extra", "name", "scope"].sort(),
    );
    const past = await api(
      `/v1/cron-jobs/${acct.accountId}/keys`,
      json(acct.headers, { name: "old", expires_at: "2020-01-01T00:00:00Z" }),
    );
    expect(expectProblem(past, 400).errors).toEqual([
      { field: "expires_at", in: "body", message: "must be in the future" },
    ]);
  });
});

describe("read_only keys", () => {
  let acct: TestAccount;
  let ro: Record<string, string>;
  let jobId: string;
  beforeAll(async () => {
    acct = await createAccount("Read-only");
    ro = (await createKey(acct, { name: "dashboards", scope: "read_only" })).headers;
    const created = await api(
      `/v1/cron-jobs/${acct.accountId}/create`,
      json(acct.headers, {
        name: "Job",
        endpoint_url: "https://example.com/hook",
        method: "GET",
        timezone: "UTC",
        schedule_config: { repeat_type: "days", time: "09:00" },
      }),
    );
    expect(created.status).toBe(201);
    jobId = created.body.data.id;
  });

  it("may read everything", async () => {
    const base = `/v1/cron-jobs/${acct.accountId}`;
    for (const path of [
      "/list",
      `/details/${jobId}`,
      `/logs/${jobId}`,
      "/logs",
      `/stats/${jobId}`,
      "/keys",
      "/signing-secret",
      `/logs/${jobId}/export?format=csv`,
    ]) {
      const res = await api(`${base}${path}`, { headers: ro });
      expect(res.status, path).toBe(200);
    }
    const preview = await api(
      `${base}/schedule/preview`,
      json(ro, { schedule_config: { repeat_type: "days", time: "09:00" }, timezone: "UTC" }),
    );
    expect(preview.status).toBe(200);
  });

  it("gets 403 on every write route of the OpenAPI document", async () => {
    const doc = (await api("/openapi.json")).body as { paths: Record<string, Record<string, unknown>> };
    const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => !["get", "head", "options"].includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    // No API key guards these: their credential is the URL (README "Monitors", "Async completion"), so no scope applies.
    const unauthenticated = [
      "POST /ping/{ping_key}/{slug}",
      "POST /ping/{ping_key}/{slug}/{signal}",
      "POST /ping/{monitor_id}",
      "POST /ping/{monitor_id}/{signal}",
      "POST /v1/cron-jobs/{accountId}/complete/{cron_job_id}/{execution_id}/{token}",
    ];
    // A read, though sent by POST (src/http/scope.ts).
    const readByPost = ["POST /v1/cron-jobs/{accountId}/schedule/preview"];
    const monitor = await api(
      `/v1/cron-jobs/${acct.accountId}/monitors`,
      json(acct.headers, { name: "Watched", period_seconds: 3600 }),
    );
    expect(monitor.status).toBe(201);
    const monitorId = monitor.body.data.id as string;
    const calendarId = (await createCalendar(acct, { name: "Kept", dates: ["2031-12-25"] })).id as string;
    const windowId = (
      await createWindow(acct, {
        start: "2031-01-01T00:00:00Z",
        end: "2031-01-02T00:00:00Z",
        action: "skip",
        tags: ["x"],
      })
    ).id as string;
    // Every write route, with the ids it is called with: a new write route must join this table.
    const table: Record<string, Record<string, string>> = {
      "POST /v1/cron-jobs/{accountId}/create": {},
      "PATCH /v1/cron-jobs/{accountId}/update/{cron_job_id}": {},
      "DELETE /v1/cron-jobs/{accountId}/delete/{cron_job_id}": {},
      "POST /v1/cron-jobs/{accountId}/clone/{cron_job_id}": {},
      "POST /v1/cron-jobs/{accountId}/trigger/{cron_job_id}": {},
      "POST /v1/cron-jobs/{accountId}/keys": {},
      "DELETE /v1/cron-jobs/{accountId}/keys/{key_id}": {},
      "POST /v1/cron-jobs/{accountId}/signing-secret/rotate": {},
      "POST /v1/cron-jobs/{accountId}/signing-secret/revoke-retired": {},
      "POST /v1/cron-jobs/{accountId}/alerts/{cron_job_id}/test": {},
      "POST /v1/cron-jobs/{accountId}/alert-recipients": {},
      "DELETE /v1/cron-jobs/{accountId}/alert-recipients/{email}": { email: "ops%40example.com" },
      "POST /v1/cron-jobs/{accountId}/deliveries/{delivery_id}/redeliver": { delivery_id: crypto.randomUUID() },
      "POST /v1/cron-jobs/{accountId}/replay/{execution_id}": { execution_id: "exe_0000000000ZZZZZZZZZZZZZZZZ" },
      "POST /v1/cron-jobs/{accountId}/replay": {},
      "POST /v1/cron-jobs/{accountId}/monitors": {},
      "PATCH /v1/cron-jobs/{accountId}/monitors/{monitor_id}": { monitor_id: monitorId },
      "DELETE /v1/cron-jobs/{accountId}/monitors/{monitor_id}": { monitor_id: monitorId },
      "POST /v1/cron-jobs/{accountId}/monitors/{monitor_id}/pause": { monitor_id: monitorId },
      "POST /v1/cron-jobs/{accountId}/monitors/{monitor_id}/resume": { monitor_id: monitorId },
      "POST /v1/cron-jobs/{accountId}/ping-key/rotate": {},
      "POST /v1/cron-jobs/{accountId}/calendars": {},
      "PATCH /v1/cron-jobs/{accountId}/calendars/{calendar_id}": { calendar_id: calendarId },
      "DELETE /v1/cron-jobs/{accountId}/calendars/{calendar_id}": { calendar_id: calendarId },
      "POST /v1/cron-jobs/{accountId}/calendars/{calendar_id}/import": { calendar_id: calendarId },
      "POST /v1/cron-jobs/{accountId}/maintenance-windows": {},
      "PATCH /v1/cron-jobs/{accountId}/maintenance-windows/{window_id}": { window_id: windowId },
      "DELETE /v1/cron-jobs/{accountId}/maintenance-windows/{window_id}": { window_id: windowId },
    };
    const excluded = [...unauthenticated, ...readByPost];
    expect(excluded.filter((w) => !writes.includes(w))).toEqual([]);
    expect(writes.filter((w) => !excluded.includes(w)).sort()).toEqual(Object.keys(table).sort());
    for (const [route, ids] of Object.entries(table)) {
      const [method, path] = route.split(" ") as [string, string];
      const url = Object.entries({ accountId: acct.accountId, cron_job_id: jobId, key_id: acct.apiKey, ...ids }).reduce(
        (u, [name, value]) => u.replace(`{${name}}`, value),
        path,
      );
      expect(url, route).not.toContain("{");
      const res = await api(url, json(ro, { is_active: false, name: "x" }, method));
      expect(res.status, route).toBe(403);
      expect(res.body.detail).toMatch(/read-only/);
    }
    // The monitor is neither paused nor deleted.
    const watched = await api(`/v1/cron-jobs/${acct.accountId}/monitors/${monitorId}`, { headers: acct.headers });
    expect(watched.status).toBe(200);
    expect(watched.body.data.state).toBe("new");
    // The calendar and the window are still there.
    const calendar = await api(`/v1/cron-jobs/${acct.accountId}/calendars/${calendarId}`, { headers: acct.headers });
    expect(calendar.body.data.name).toBe("Kept");
    const window = await api(`/v1/cron-jobs/${acct.accountId}/maintenance-windows/${windowId}`, {
      headers: acct.headers,
    });
    expect(window.body.data.action).toBe("skip");
    // Nothing changed.
    const job = await api(`/v1/cron-jobs/${acct.accountId}/details/${jobId}`, { headers: acct.headers });
    expect(job.body.data.is_active).toBe(true);
    const keys = await api(`/v1/cron-jobs/${acct.accountId}/keys`, { headers: acct.headers });
    expect((keys.body.data as Array<{ status: string }>).every((k) => k.status === "active")).toBe(true);
  });

  it("the rule: reads and the preview pass, every other method is a write", () => {
    for (const m of ["GET", "HEAD", "OPTIONS"]) expect(scopeAllows("read_only", m, "/v1/cron-jobs/a/list")).toBe(true);
    for (const m of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(scopeAllows("read_only", m, "/v1/cron-jobs/a/anything")).toBe(false);
      expect(scopeAllows("full", m, "/v1/cron-jobs/a/anything")).toBe(true);
    }
    expect(scopeAllows("read_only", "POST", "/v1/cron-jobs/a/schedule/preview")).toBe(true);
    expect(scopeAllows("read_only", "POST", "/v1/cron-jobs/a/schedule/preview/x")).toBe(false);
  });
});

describe("OpenAPI", () => {
  it("documents the key, signing-secret and preview routes with operation ids", async () => {
    const doc = (await api("/openapi.json")).body as {
      paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>>;
    };
    const ops = {
      "get /v1/cron-jobs/{accountId}/keys": "listApiKeys",
      "post /v1/cron-jobs/{accountId}/keys": "createApiKey",
      "delete /v1/cron-jobs/{accountId}/keys/{key_id}": "revokeApiKey",
      "get /v1/cron-jobs/{accountId}/signing-secret": "getSigningSecretStatus",
      "post /v1/cron-jobs/{accountId}/signing-secret/rotate": "rotateSigningSecret",
      "post /v1/cron-jobs/{accountId}/schedule/preview": "previewSchedule",
    };
    for (const [key, id] of Object.entries(ops)) {
      const [method, path] = key.split(" ") as [string, string];
      const op = doc.paths[path]?.[method];
      expect(op?.operationId, key).toBe(id);
      expect(Object.keys(op?.responses ?? {}), key).toEqual(expect.arrayContaining(["400", "401", "403", "404"]));
    }
  });
});
