import { beforeEach, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";
import { callWith } from "../http/app-env";
import { createMonitor, getMonitor, listPings, monitorsApi, ping, pingPath } from "./support";

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

async function readOnlyHeaders(a: TestAccount) {
  const res = await api(`/v1/cron-jobs/${a.accountId}/keys`, {
    method: "POST",
    headers: { ...a.headers, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "viewer", scope: "read_only" }),
  });
  expect(res.status).toBe(201);
  return { "X-API-Key": res.body.data.id, "X-API-Secret": res.body.data.api_secret };
}

describe("creating monitors", () => {
  it("applies the defaults: a daily period, an hour's grace, a slug from the name, state new", async () => {
    const m = await createMonitor(acct, { name: "Nightly Backup (DB)" });
    expect(m).toMatchObject({
      name: "Nightly Backup (DB)",
      slug: "nightly-backup-db",
      period_seconds: 86_400,
      cron: null,
      timezone: "UTC",
      grace_seconds: 3600,
      tags: [],
      alerts: { channels: [], on_recovery: true },
      state: "new",
      last_ping_at: null,
      last_start_at: null,
      last_duration_ms: null,
      next_expected_at: null,
      down_at: null,
    });
    expect(m.id).toMatch(/^[0-9a-f-]{36}$/);
    // A full-scope key sees the account's real ping key: 22 base64url characters.
    expect(m.ping_url).toMatch(/^http:\/\/localhost\/ping\/[A-Za-z0-9_-]{22}\/nightly-backup-db$/);
  });

  it("takes a cron schedule with its timezone, tags and alert channels (URLs shown redacted)", async () => {
    const m = await createMonitor(acct, {
      name: "report",
      slug: "report_1",
      cron: "0  3 * * *",
      timezone: "Europe/Berlin",
      grace_seconds: 600,
      tags: ["etl", "nightly"],
      alerts: { channels: [{ type: "slack", url: "https://hooks.slack.com/services/T0/B0/secretpart" }] },
    });
    expect(m).toMatchObject({ slug: "report_1", cron: "0 3 * * *", period_seconds: null, timezone: "Europe/Berlin" });
    expect(m.tags).toEqual(["etl", "nightly"]);
    expect(m.alerts.channels[0].url).toMatch(/^https:\/\/hooks\.slack\.com\/…\[redacted:[0-9a-f]{8}\]$/);
    expect(JSON.stringify(m)).not.toContain("secretpart");
  });

  it("refuses bad input with a 400 naming each field", async () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ name: "a", period_seconds: 60, cron: "* * * * *" }, ["period_seconds", "cron"]],
      [{ name: "a", timezone: "UTC" }, ["timezone"]],
      [{ name: "a", cron: "61 * * * *" }, ["cron"]],
      [{ name: "a", period_seconds: 59, grace_seconds: 31_536_001 }, ["period_seconds", "grace_seconds"]],
      [{ name: "a", slug: "Has Spaces" }, ["slug"]],
      [{ name: "a", timezone: "Mars/Base", cron: "* * * * *" }, ["timezone"]],
      [{ name: "", extra: 1 }, ["name", "extra"]],
      [{ name: "a", alerts: { channels: [], after_consecutive_failures: 2 } }, ["alerts.after_consecutive_failures"]],
      [
        {
          name: "a",
          alerts: {
            channels: [
              { type: "email", to: "a@example.com" },
              { type: "email", to: "A@example.com" },
            ],
          },
        },
        ["alerts.channels"],
      ],
    ];
    for (const [body, fields] of cases) {
      const res = await monitorsApi(acct, "", { method: "POST", body });
      const problem = expectProblem(res, 400);
      expect((problem.errors as Array<{ field: string }>).map((e) => e.field).sort(), JSON.stringify(body)).toEqual(
        [...fields].sort(),
      );
    }
  });

  it("refuses a redaction token in a new channel: tokens only keep stored values", async () => {
    const res = await monitorsApi(acct, "", {
      method: "POST",
      body: { name: "t", alerts: { channels: [{ type: "webhook", url: "https://x.example/…[redacted:abcd1234]" }] } },
    });
    expect(expectProblem(res, 400).errors).toEqual([
      expect.objectContaining({ field: "alerts.channels.0.url", in: "body" }),
    ]);
  });

  it("answers 409 for a slug the account already uses, and for MAX_MONITORS", async () => {
    await createMonitor(acct, { name: "one", slug: "same" });
    expectProblem(await monitorsApi(acct, "", { method: "POST", body: { name: "two", slug: "same" } }), 409);
    // Another account may use the same slug.
    const other = await createAccount("Other");
    await createMonitor(other, { name: "two", slug: "same" });

    const post = (name: string) =>
      callWith({ MAX_MONITORS: "2" } as Partial<Env>, `/v1/cron-jobs/${acct.accountId}/monitors`, {
        method: "POST",
        headers: { ...acct.headers, "Content-Type": "application/json" },
        body: JSON.stringify({ name }),
      });
    expect((await post("second")).status).toBe(201);
    const refused = expectProblem(await post("third"), 409);
    expect(refused.detail).toContain("MAX_MONITORS");
  });
});

describe("reading, changing and deleting monitors", () => {
  it("gets one; another account's or a deleted one is 404", async () => {
    const m = await createMonitor(acct, { name: "x" });
    expect((await getMonitor(acct, m.id)).id).toBe(m.id);
    const other = await createAccount("Other");
    expectProblem(await monitorsApi(other, `/${m.id}`), 404);
    expect((await monitorsApi(acct, `/${m.id}`, { method: "DELETE" })).body.data).toEqual({
      id: m.id,
      message: "Monitor deleted",
    });
    expectProblem(await monitorsApi(acct, `/${m.id}`), 404);
    expectProblem(await monitorsApi(acct, `/${m.id}`, { method: "DELETE" }), 404);
    // The slug is free again.
    await createMonitor(acct, { name: "x" });
  });

  it("patches fields; a new schedule restarts the period of an up monitor from now", async () => {
    const m = await createMonitor(acct, { name: "x", period_seconds: 3600, grace_seconds: 60 });
    expect((await ping(pingPath(m))).status).toBe(200);
    const before = Date.now();
    const res = await monitorsApi(acct, `/${m.id}`, {
      method: "PATCH",
      body: { name: "renamed", period_seconds: 120, tags: ["a"] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const patched = res.body.data;
    expect(patched).toMatchObject({ name: "renamed", period_seconds: 120, tags: ["a"], state: "up" });
    const next = Date.parse(patched.next_expected_at);
    expect(next).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 119_000);
    expect(next).toBeLessThanOrEqual(Date.now() + 120_000);
    expect(Date.parse(patched.down_at) - next).toBe(60_000);

    const cron = await monitorsApi(acct, `/${m.id}`, { method: "PATCH", body: { cron: "*/5 * * * *" } });
    expect(cron.body.data).toMatchObject({ cron: "*/5 * * * *", period_seconds: null, timezone: "UTC" });
    const tz = await monitorsApi(acct, `/${m.id}`, { method: "PATCH", body: { timezone: "Asia/Tokyo" } });
    expect(tz.body.data.timezone).toBe("Asia/Tokyo");
  });

  it("refuses a timezone alone for a monitor with a period, and a taken slug", async () => {
    const m = await createMonitor(acct, { name: "x" });
    await createMonitor(acct, { name: "y" });
    expect(
      expectProblem(await monitorsApi(acct, `/${m.id}`, { method: "PATCH", body: { timezone: "UTC" } }), 400).errors,
    ).toEqual([expect.objectContaining({ field: "timezone" })]);
    expectProblem(await monitorsApi(acct, `/${m.id}`, { method: "PATCH", body: { slug: "y" } }), 409);
  });

  it("keeps a channel's stored URL when its token is sent back, and refuses an unknown token", async () => {
    const secret = "https://discord.com/api/webhooks/1/very-secret";
    const m = await createMonitor(acct, { name: "x", alerts: { channels: [{ type: "discord", url: secret }] } });
    const shown = m.alerts.channels[0].url;
    const kept = await monitorsApi(acct, `/${m.id}`, {
      method: "PATCH",
      body: { alerts: { channels: [{ type: "discord", url: shown }], on_recovery: false } },
    });
    expect(kept.status).toBe(200);
    expect(kept.body.data.alerts).toEqual({ channels: [{ type: "discord", url: shown }], on_recovery: false });
    expectProblem(
      await monitorsApi(acct, `/${m.id}`, {
        method: "PATCH",
        body: { alerts: { channels: [{ type: "discord", url: "https://discord.com/…[redacted:00000000]" }] } },
      }),
      400,
    );
  });

  it("pauses (no deadline, pings still recorded) and resumes as new", async () => {
    const m = await createMonitor(acct, { name: "x" });
    await ping(pingPath(m));
    const paused = (await monitorsApi(acct, `/${m.id}/pause`, { method: "POST" })).body.data;
    expect(paused).toMatchObject({ state: "paused", next_expected_at: null, down_at: null });
    expect((await ping(pingPath(m))).status).toBe(200);
    expect((await getMonitor(acct, m.id)).state).toBe("paused");
    expect((await listPings(acct, m.id)).data).toHaveLength(2);
    const resumed = (await monitorsApi(acct, `/${m.id}/resume`, { method: "POST" })).body.data;
    expect(resumed.state).toBe("new");
    // Resuming again changes nothing.
    expect((await monitorsApi(acct, `/${m.id}/resume`, { method: "POST" })).body.data.state).toBe("new");
    expectProblem(await monitorsApi(acct, `/${crypto.randomUUID()}/pause`, { method: "POST" }), 404);
  });
});

describe("listing", () => {
  it("pages newest first by cursor, filters by state and tags", async () => {
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(await createMonitor(acct, { name: `m${i}`, tags: i % 2 === 0 ? ["even"] : ["odd"] }));
      await new Promise((r) => setTimeout(r, 2));
    }
    const first = await monitorsApi(acct, "?limit=2");
    expect(first.body.data.map((m: { name: string }) => m.name)).toEqual(["m4", "m3"]);
    const cursor = first.body.pagination.next_cursor;
    expect(cursor).toEqual(expect.any(String));
    const second = await monitorsApi(acct, `?limit=2&cursor=${encodeURIComponent(cursor)}`);
    expect(second.body.data.map((m: { name: string }) => m.name)).toEqual(["m2", "m1"]);
    const third = await monitorsApi(acct, `?limit=2&cursor=${encodeURIComponent(second.body.pagination.next_cursor)}`);
    expect(third.body.data.map((m: { name: string }) => m.name)).toEqual(["m0"]);
    expect(third.body.pagination.next_cursor).toBeNull();

    const even = await monitorsApi(acct, "?tags=even");
    expect(even.body.data.map((m: { name: string }) => m.name)).toEqual(["m4", "m2", "m0"]);

    await ping(pingPath(made[0] as { ping_url: string }));
    await monitorsApi(acct, `/${made[1]?.id}/pause`, { method: "POST" });
    const names = async (state: string) =>
      (await monitorsApi(acct, `?state=${state}`)).body.data.map((m: { name: string }) => m.name);
    expect(await names("up")).toEqual(["m0"]);
    expect(await names("paused")).toEqual(["m1"]);
    expect(await names("new")).toEqual(["m4", "m3", "m2"]);
    expect(await names("late")).toEqual([]);
    expectProblem(await monitorsApi(acct, "?state=sideways"), 400);
    expectProblem(await monitorsApi(acct, "?cursor=nonsense"), 400);
  });

  it("lists a monitor's pings newest first by cursor", async () => {
    const m = await createMonitor(acct, { name: "x" });
    for (const suffix of ["/start", "", "/log", "/fail"]) await ping(`${pingPath(m)}${suffix}`);
    const page1 = await listPings(acct, m.id, "?limit=3");
    expect(page1.data.map((p) => p.kind)).toEqual(["fail", "log", "success"]);
    const page2 = await listPings(
      acct,
      m.id,
      `?limit=3&cursor=${encodeURIComponent(page1.pagination.next_cursor ?? "")}`,
    );
    expect(page2.data.map((p) => p.kind)).toEqual(["start"]);
    expect(page2.pagination.next_cursor).toBeNull();
    expectProblem(await monitorsApi(acct, `/${crypto.randomUUID()}/pings`), 404);
  });

  it("with ?pings=N each monitor carries its last N pings, newest first, as its pings list shows them", async () => {
    const a = await createMonitor(acct, { name: "a" });
    const b = await createMonitor(acct, { name: "b" });
    await createMonitor(acct, { name: "quiet" });
    for (const suffix of ["/start", "", "/log", "/fail"]) await ping(`${pingPath(a)}${suffix}`);
    await ping(`${pingPath(b)}/3`);
    const res = await monitorsApi(acct, "?pings=3");
    expect(res.status).toBe(200);
    const by = Object.fromEntries(
      res.body.data.map((m: { name: string; recent_pings: unknown }) => [m.name, m.recent_pings]),
    );
    const slim = (p: Record<string, unknown>) => ({
      id: p.id,
      kind: p.kind,
      exit_status: p.exit_status,
      received_at: p.received_at,
    });
    expect(by.a).toEqual((await listPings(acct, a.id, "?limit=3")).data.map(slim));
    expect(by.a.map((p: { kind: string }) => p.kind)).toEqual(["fail", "log", "success"]);
    expect(by.b).toEqual([{ id: expect.any(Number), kind: "fail", exit_status: 3, received_at: expect.any(String) }]);
    expect(by.quiet).toEqual([]);
    expect((await monitorsApi(acct, "")).body.data[0]).not.toHaveProperty("recent_pings");
    expectProblem(await monitorsApi(acct, "?pings=21"), 400);
  });
});

describe("API keys", () => {
  it("read-only keys read, with the ping key masked, and are refused every write", async () => {
    const m = await createMonitor(acct, { name: "x" });
    const ro = await readOnlyHeaders(acct);
    const seen = await monitorsApi(acct, `/${m.id}`, { headers: ro });
    expect(seen.status).toBe(200);
    expect(seen.body.data.ping_url).toBe("http://localhost/ping/<ping_key>/x");
    const listed = await monitorsApi(acct, "", { headers: ro });
    expect(listed.body.data[0].ping_url).toBe("http://localhost/ping/<ping_key>/x");
    expect((await monitorsApi(acct, `/${m.id}/pings`, { headers: ro })).status).toBe(200);
    for (const [method, path, body] of [
      ["POST", "", { name: "y" }],
      ["PATCH", `/${m.id}`, { name: "y" }],
      ["DELETE", `/${m.id}`, undefined],
      ["POST", `/${m.id}/pause`, undefined],
      ["POST", `/${m.id}/resume`, undefined],
    ] as const) {
      expectProblem(await monitorsApi(acct, path, { method, body, headers: ro }), 403);
    }
    expectProblem(await api(`/v1/cron-jobs/${acct.accountId}/ping-key/rotate`, { method: "POST", headers: ro }), 403);
  });

  it("without the secrets master key, reads show the ping key masked and a rotation is a 503", async () => {
    const m = await createMonitor(acct, { name: "x" });
    const keyless = { SECRETS_MASTER_KEY: "" } as Partial<Env>;
    const read = await callWith(keyless, `/v1/cron-jobs/${acct.accountId}/monitors/${m.id}`, { headers: acct.headers });
    expect(read.status).toBe(200);
    expect(read.body.data.ping_url).toBe("http://localhost/ping/<ping_key>/x");
    const rotate = await callWith(keyless, `/v1/cron-jobs/${acct.accountId}/ping-key/rotate`, {
      method: "POST",
      headers: acct.headers,
    });
    expectProblem(rotate, 503);
    // Pings do not need it: the key is found by its hash.
    expect((await callWith(keyless, pingPath(m))).status).toBe(200);
  });

  it("rotating the ping key changes every slug URL; the old key answers 404, UUID URLs keep working", async () => {
    const m = await createMonitor(acct, { name: "x" });
    const oldPath = pingPath(m);
    const rotated = await api(`/v1/cron-jobs/${acct.accountId}/ping-key/rotate`, {
      method: "POST",
      headers: acct.headers,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.ping_key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const now = await getMonitor(acct, m.id);
    expect(now.ping_url).toBe(`http://localhost/ping/${rotated.body.data.ping_key}/x`);
    expect((await ping(oldPath)).status).toBe(404);
    expect((await ping(pingPath(now))).status).toBe(200);
    expect((await ping(`/ping/${m.id}`)).status).toBe(200);
  });
});
