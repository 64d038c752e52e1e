import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { accountD1 } from "../helpers/shards";
import { callWith } from "../http/app-env";
import { createMonitor, getMonitor, listPings, type Monitor, ping, pingPath } from "./support";

let acct: TestAccount;
let m: Monitor;
beforeEach(async () => {
  acct = await createAccount();
  m = await createMonitor(acct, { name: "backup", period_seconds: 3600, grace_seconds: 300 });
});

const byUuid = (mon: Monitor) => `/ping/${mon.id}`;

describe("the grammar", () => {
  it("answers OK in plain text to every form, by slug and by UUID, and records each", async () => {
    const forms: Array<[string, string, number | null]> = [
      ["", "success", null],
      ["/start", "start", null],
      ["/log", "log", null],
      ["/0", "success", 0],
      ["/fail", "fail", null],
      ["/7", "fail", 7],
      ["/255", "fail", 255],
    ];
    for (const base of [pingPath(m), byUuid(m)]) {
      for (const [suffix] of forms) {
        const res = await ping(`${base}${suffix}`);
        expect(res.status, `${base}${suffix}`).toBe(200);
        expect(res.text).toBe("OK");
        expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
      }
    }
    const pings = (await listPings(acct, m.id, "?limit=100")).data.reverse();
    const expected = forms.map(([, kind, exit_status]) => ({ kind, exit_status }));
    expect(pings.map((p) => ({ kind: p.kind, exit_status: p.exit_status }))).toEqual([...expected, ...expected]);
    expect(pings.every((p) => p.method === "GET")).toBe(true);
  });

  it("takes HEAD and POST; a POST body's first 10 KB is kept, compressed", async () => {
    const head = await ping(pingPath(m), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    const body = `${'{"rows": 1234, "status": "ok"}\n'.repeat(400)}`; // 12,400 bytes
    expect((await ping(`${pingPath(m)}/log`, { method: "POST", body })).status).toBe(200);
    const [post, headPing] = (await listPings(acct, m.id)).data;
    expect(headPing).toMatchObject({ method: "HEAD", kind: "success", body: null });
    expect(post).toMatchObject({ method: "POST", kind: "log" });
    expect(post?.body).toBe(body.slice(0, 10_240));
    const { results } = await (await accountD1(acct.accountId))
      .prepare("SELECT length(body) AS n, hex(substr(body, 1, 1)) AS codec FROM monitor_pings WHERE body IS NOT NULL")
      .all<{ n: number; codec: string }>();
    expect(results[0]?.codec).toBe("01"); // deflate with the log store's dictionary
    expect(results[0]?.n).toBeLessThan(1_000);
  });

  it("refuses an exit status over 255 and a rid that is not a UUID, naming them", async () => {
    for (const path of [`${pingPath(m)}/256`, `${byUuid(m)}/1000`]) {
      const res = await ping(path);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).errors).toEqual([expect.objectContaining({ field: "exit_status", in: "path" })]);
    }
    const res = await ping(`${pingPath(m)}/start?rid=abc`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors).toEqual([expect.objectContaining({ field: "rid", in: "query" })]);
    expect((await listPings(acct, m.id)).data).toEqual([]);
  });

  it("allows any origin, on answers and errors, and answers the preflight", async () => {
    expect((await ping(pingPath(m))).headers.get("access-control-allow-origin")).toBe("*");
    expect((await ping("/ping/nothing-here/at-all")).headers.get("access-control-allow-origin")).toBe("*");
    const pre = await ping(pingPath(m), { method: "OPTIONS" });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-methods")).toBe("GET, POST, HEAD");
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect((await ping(pingPath(m), { method: "PUT" })).status).toBe(405);
  });
});

describe("run ids", () => {
  it("pairs a start with its end by rid; an end without its start has no duration", async () => {
    const a = crypto.randomUUID();
    const b = crypto.randomUUID();
    await ping(`${pingPath(m)}/start?rid=${a}`);
    await ping(`${pingPath(m)}/start?rid=${b}`);
    await new Promise((r) => setTimeout(r, 20));
    await ping(`${pingPath(m)}?rid=${a}`);
    await ping(`${pingPath(m)}/fail?rid=${b}`);
    await ping(`${pingPath(m)}?rid=${crypto.randomUUID()}`);
    const [stray, endB, endA] = (await listPings(acct, m.id)).data;
    expect(endA).toMatchObject({ kind: "success", rid: a });
    expect(endA?.duration_ms).toBeGreaterThanOrEqual(15);
    expect(endB).toMatchObject({ kind: "fail", rid: b });
    expect(endB?.duration_ms).toBeGreaterThanOrEqual(15);
    expect(stray?.duration_ms).toBeNull();
    const mon = await getMonitor(acct, m.id);
    // The stray success came last: up, and the last paired duration stays B's.
    expect(mon.last_duration_ms).toBe(endB?.duration_ms);
    expect(mon.state).toBe("up");
  });

  it("a start that arrives after its own end opens nothing; a repeated end is not paired again", async () => {
    const rid = crypto.randomUUID();
    await ping(`${pingPath(m)}/start?rid=${rid}`);
    await ping(`${pingPath(m)}?rid=${rid}`);
    await ping(`${pingPath(m)}?rid=${rid}`);
    await ping(`${pingPath(m)}/start?rid=${rid}`);
    const [, repeated, first] = (await listPings(acct, m.id)).data;
    expect(first?.duration_ms).not.toBeNull();
    expect(repeated?.duration_ms).toBeNull();
    const mon = await getMonitor(acct, m.id);
    // Still the period's deadline: the late start did not bring it forward to start + grace.
    expect(Date.parse(mon.down_at) - Date.parse(mon.next_expected_at)).toBe(300_000);
    expect(Date.parse(mon.next_expected_at) - Date.parse(mon.last_ping_at)).toBeGreaterThan(3_500_000);
  });
});

describe("?create=1", () => {
  it("creates an unknown slug with the defaults (201), and answers 429 beyond MAX_MONITORS", async () => {
    const key = pingPath(m).split("/")[2];
    const res = await ping(`/ping/${key}/brand-new?create=1`);
    expect(res.status).toBe(201);
    expect(res.text).toBe("Created");
    const again = await ping(`/ping/${key}/brand-new?create=1`);
    expect(again.status).toBe(200);
    expect((await ping(`/ping/${key}/not-made`)).status).toBe(404);

    const limited = await callWith({ MAX_MONITORS: "2" } as Partial<Env>, `/ping/${key}/one-too-many?create=1`);
    expect(limited.status).toBe(429);
    expect(limited.body.detail).toContain("MAX_MONITORS");
    expect((await ping(`/ping/${key}/one-too-many`)).status).toBe(404);
    // The created monitor got the ping that made it, and a UUID route.
    const list = await callWith({}, `/v1/cron-jobs/${acct.accountId}/monitors?state=up`, { headers: acct.headers });
    const made = list.body.data.find((x: Monitor) => x.slug === "brand-new");
    expect(made).toMatchObject({ name: "brand-new", period_seconds: 86_400, grace_seconds: 3600, state: "up" });
    expect((await ping(`/ping/${made.id}`)).status).toBe(200);
  });
});

describe("not found", () => {
  it("a bad key, a bad slug, a deleted monitor and a malformed URL all get the same 404", async () => {
    const key = pingPath(m).split("/")[2];
    const other = await createMonitor(acct, { name: "gone" });
    await callWith({}, `/v1/cron-jobs/${acct.accountId}/monitors/${other.id}`, {
      method: "DELETE",
      headers: acct.headers,
    });
    const answers = await Promise.all(
      [
        `/ping/AAAAAAAAAAAAAAAAAAAAAA/backup`,
        `/ping/${key}/no-such-slug`,
        `/ping/${key}/gone`,
        `/ping/${other.id}`,
        `/ping/${crypto.randomUUID()}/start`,
        `/ping/${key}/Bad%20Slug`,
        `/ping/short/backup`,
        `/ping/${key}/backup/start/extra`,
        `/ping/`,
      ].map(async (path) => ({ path, ...(await ping(path)) })),
    );
    for (const a of answers) {
      expect(a.status, a.path).toBe(404);
      expect(JSON.parse(a.text), a.path).toEqual(JSON.parse(answers[0]?.text ?? ""));
    }
  });
});

describe("isolation", () => {
  it("a ping reaches only the monitor its key or UUID names, never another account's", async () => {
    const other = await createAccount("Other");
    const theirs = await createMonitor(other, { name: "backup" });
    const ourKey = pingPath(m).split("/")[2];
    expect((await ping(`/ping/${ourKey}/backup/fail`)).status).toBe(200);
    expect((await getMonitor(acct, m.id)).state).toBe("down");
    expect((await getMonitor(other, theirs.id)).state).toBe("new");
    expect((await listPings(other, theirs.id)).data).toEqual([]);
    // Their UUID goes to their monitor only.
    expect((await ping(`/ping/${theirs.id}`)).status).toBe(200);
    expect((await getMonitor(other, theirs.id)).state).toBe("up");
    expect((await listPings(acct, m.id)).data).toHaveLength(1);
    // Our key does not reach a slug only they have.
    const onlyTheirs = await createMonitor(other, { name: "only-theirs" });
    expect((await ping(`/ping/${ourKey}/only-theirs`)).status).toBe(404);
    expect((await listPings(other, onlyTheirs.id)).data).toEqual([]);
  });
});

describe("rate limit", () => {
  const LIMIT = 3; // RATE_LIMITER_PING_TIGHT in vitest.config.ts
  it(`allows ${LIMIT} pings per window per ping key, then 429 with Retry-After; other keys are unaffected`, async () => {
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 5_000) await new Promise((r) => setTimeout(r, left + 50));
    const tight = {
      RATE_LIMITER_PING: (env as unknown as { RATE_LIMITER_PING_TIGHT: RateLimit }).RATE_LIMITER_PING_TIGHT,
      RATE_LIMIT_PING_REQUESTS: String(LIMIT),
    } as Partial<Env>;
    for (let i = 0; i < LIMIT; i++) {
      const ok = await callWith(tight, i === 0 ? byUuid(m) : pingPath(m));
      expect(ok.status).toBe(200);
      expect(ok.headers.get("ratelimit-policy")).toBe(`"per-ping-key";q=${LIMIT};w=60`);
    }
    const limited = await callWith(tight, pingPath(m));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(limited.headers.get("access-control-allow-origin")).toBe("*");
    expect((await listPings(acct, m.id)).data).toHaveLength(LIMIT);
    const other = await createAccount("Other");
    const theirs = await createMonitor(other, { name: "x" });
    expect((await callWith(tight, pingPath(theirs))).status).toBe(200);
  });
});
