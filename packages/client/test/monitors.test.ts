import type { IncomingMessage, ServerResponse } from "node:http";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "../src/cli/exit-codes.js";
import { OUTPUT_TAIL_BYTES } from "../src/cli/monitors.js";
import { EdgecronApiError, EdgecronClient, pingKeyOf, pingUrl } from "../src/index.js";
import { runCli } from "./support/run-cli.js";
import { standInApi } from "./support/stand-in.js";

const ACCOUNT = "00000000-0000-4000-8000-0000000000cc";
const MONITOR_ID = "11111111-1111-4111-8111-111111111111";
const KEY = "Xh3kq9Tb2Lm5Vn8Rc1Wd0A";

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: IncomingMessage["headers"];
}
const seen: Seen[] = [];
let base = "";

function monitor(extra: Record<string, unknown> = {}) {
  return {
    id: MONITOR_ID,
    name: "Nightly backup",
    slug: "nightly-backup",
    period_seconds: 86400,
    cron: null,
    timezone: "UTC",
    grace_seconds: 3600,
    tags: ["backups"],
    alerts: { channels: [], on_recovery: true },
    state: "new",
    last_ping_at: null,
    last_start_at: null,
    last_duration_ms: null,
    next_expected_at: null,
    down_at: null,
    ping_url: `${base}/ping/${KEY}/nightly-backup`,
    created_at: "2026-12-07T00:00:00Z",
    updated_at: "2026-12-07T00:00:00Z",
    ...extra,
  };
}

const api = standInApi(ACCOUNT, (req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const url = req.url ?? "";
    seen.push({ method: req.method ?? "", url, body, headers: req.headers });
    const json = (status: number, value: unknown, type = "application/json") => {
      res.writeHead(status, { "Content-Type": type });
      res.end(JSON.stringify(value));
    };
    if (url.startsWith("/ping/")) {
      if (url.includes("/unknown"))
        return json(404, { title: "Not Found", status: 404, detail: "No monitor" }, "application/problem+json");
      res.writeHead(url.includes("create=1") ? 201 : 200, { "Content-Type": "text/plain" });
      return res.end(url.includes("create=1") ? "Created" : "OK");
    }
    const path = url.split("?")[0] as string;
    const root = `/v1/cron-jobs/${ACCOUNT}`;
    if (path === `${root}/monitors` && req.method === "POST") return json(201, { data: monitor(JSON.parse(body)) });
    if (path === `${root}/monitors`) {
      const second = url.includes("cursor=c2");
      return json(200, {
        data: [monitor({ id: second ? "m2" : "m1", state: "up" })],
        pagination: { limit: 1, next_cursor: second ? null : "c2" },
      });
    }
    if (path === `${root}/monitors/${MONITOR_ID}/pause`) return json(200, { data: monitor({ state: "paused" }) });
    if (path === `${root}/monitors/${MONITOR_ID}/resume`) return json(200, { data: monitor() });
    if (path === `${root}/monitors/${MONITOR_ID}/pings`)
      return json(200, {
        data: [
          {
            id: 1,
            kind: "success",
            exit_status: 0,
            method: "GET",
            rid: null,
            duration_ms: null,
            received_at: "2026-12-07T00:00:00Z",
            body: null,
          },
        ],
        pagination: { limit: 50, next_cursor: null },
      });
    if (path === `${root}/monitors/${MONITOR_ID}` && req.method === "DELETE")
      return json(200, { data: { id: MONITOR_ID, message: "Monitor deleted" } });
    if (path === `${root}/monitors/${MONITOR_ID}` && req.method === "PATCH")
      return json(200, { data: monitor(JSON.parse(body)) });
    if (path === `${root}/monitors/${MONITOR_ID}`) return json(200, { data: monitor() });
    if (path === `${root}/ping-key/rotate`)
      return json(200, { data: { ping_key: "newkey", rotated_at: "2026-12-07T00:00:00Z" } });
    json(404, { title: "Not Found", status: 404, detail: `no route ${path}` }, "application/problem+json");
  });
});

let sdk: EdgecronClient;
let env: Record<string, string> = {};

beforeAll(() => {
  base = api.url();
  sdk = api.client({ pingKey: KEY });
  env = api.env();
});
beforeEach(() => {
  seen.length = 0;
});

const run = (argv: string[], extraEnv: Record<string, string> = env) => runCli(argv, extraEnv);

const last = () => seen.at(-1) as Seen;

describe("SDK monitors resource", () => {
  it("creates, gets, updates, pauses, resumes and deletes on the account's routes", async () => {
    const created = await sdk.monitors.create({ name: "Nightly backup", period_seconds: 3600 });
    expect(created.period_seconds).toBe(3600);
    expect(last()).toMatchObject({ method: "POST", url: `/v1/cron-jobs/${ACCOUNT}/monitors` });
    expect(JSON.parse(last().body)).toEqual({ name: "Nightly backup", period_seconds: 3600 });
    expect(last().headers["x-api-key"]).toBe("k");

    expect((await sdk.monitors.get(MONITOR_ID)).slug).toBe("nightly-backup");
    expect((await sdk.monitors.update(MONITOR_ID, { grace_seconds: 600 })).grace_seconds).toBe(600);
    expect(last().method).toBe("PATCH");
    expect((await sdk.monitors.pause(MONITOR_ID)).state).toBe("paused");
    expect(last()).toMatchObject({ method: "POST", url: `/v1/cron-jobs/${ACCOUNT}/monitors/${MONITOR_ID}/pause` });
    expect((await sdk.monitors.resume(MONITOR_ID)).state).toBe("new");
    expect((await sdk.monitors.delete(MONITOR_ID)).id).toBe(MONITOR_ID);
    expect(last().method).toBe("DELETE");
    expect((await sdk.monitors.rotatePingKey()).ping_key).toBe("newkey");
  });

  it("lists every page by cursor with state and tags", async () => {
    const ids: string[] = [];
    for await (const m of sdk.monitors.list({ state: "up", tags: "backups", limit: 1 })) ids.push(m.id);
    expect(ids).toEqual(["m1", "m2"]);
    expect(seen.map((s) => s.url)).toEqual([
      `/v1/cron-jobs/${ACCOUNT}/monitors?state=up&tags=backups&limit=1`,
      `/v1/cron-jobs/${ACCOUNT}/monitors?state=up&tags=backups&limit=1&cursor=c2`,
    ]);
  });

  it("lists a monitor's pings", async () => {
    const pings = [];
    for await (const p of sdk.monitors.pings(MONITOR_ID)) pings.push(p);
    expect(pings).toHaveLength(1);
    expect(pings[0]?.kind).toBe("success");
  });
});

describe("SDK ping", () => {
  it("builds Healthchecks' URLs: slug with key, id without, state suffix, rid and create", () => {
    expect(pingUrl("https://x", "db", { pingKey: "K" })).toBe("https://x/ping/K/db");
    expect(pingUrl("https://x", MONITOR_ID, { state: "start" })).toBe(`https://x/ping/${MONITOR_ID}/start`);
    expect(pingUrl("https://x", "db", { pingKey: "K", state: 3, rid: MONITOR_ID, create: true })).toBe(
      `https://x/ping/K/db/3?rid=${MONITOR_ID}&create=1`,
    );
    expect(() => pingUrl("https://x", "db", {})).toThrow(/needs the account's ping key/);
    expect(() => pingUrl("https://x", "db", { pingKey: "K", state: 256 })).toThrow(/0–255/);
  });

  it("reads the key from a full-scope ping_url, not from a masked one", () => {
    expect(pingKeyOf(`https://x/ping/${KEY}/nightly-backup`)).toBe(KEY);
    expect(pingKeyOf("https://x/ping/<ping_key>/nightly-backup")).toBeNull();
    const c = new EdgecronClient({
      baseUrl: base,
      accountId: ACCOUNT,
      apiKey: "",
      apiSecret: "",
      pingKey: `${base}/ping/${KEY}/x`,
    });
    return c.ping("db").then(() => expect(last().url).toBe(`/ping/${KEY}/db`));
  });

  it("GETs without a body, POSTs with one, sends no API key, and throws the 404 problem", async () => {
    expect(await sdk.ping("nightly-backup")).toEqual({ status: 200, created: false });
    expect(last()).toMatchObject({ method: "GET", url: `/ping/${KEY}/nightly-backup` });
    expect(last().headers["x-api-key"]).toBeUndefined();
    await sdk.ping("nightly-backup", { state: "fail", body: "disk full" });
    expect(last()).toMatchObject({ method: "POST", url: `/ping/${KEY}/nightly-backup/fail`, body: "disk full" });
    expect(await sdk.ping("new-one", { create: true })).toEqual({ status: 201, created: true });
    await expect(sdk.ping("unknown")).rejects.toBeInstanceOf(EdgecronApiError);
  });
});

describe("edgecron monitors", () => {
  it("ls prints a table; --state is checked", async () => {
    const r = await run(["monitors", "ls", "--state", "up"]);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(r.out).toMatch(/SLUG\s+STATE/);
    expect(r.out).toContain("m2");
    const bad = await run(["monitors", "ls", "--state", "lost"]);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toContain("--state must be one of new, up, late, down, paused");
  });

  it("create from flags prints the ping URL; get, pause, resume, rm", async () => {
    const r = await run(["monitors", "create", "Nightly backup", "--period", "3600", "--grace", "600", "--tag", "db"]);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(JSON.parse(last().body)).toEqual({
      name: "Nightly backup",
      period_seconds: 3600,
      grace_seconds: 600,
      tags: ["db"],
    });
    expect(r.out).toContain(`/ping/${KEY}/nightly-backup`);
    expect((await run(["monitors", "get", MONITOR_ID])).out).toContain("ping URL");
    expect((await run(["monitors", "pause", MONITOR_ID])).out).toContain("paused");
    expect((await run(["monitors", "resume", MONITOR_ID])).code).toBe(EXIT.ok);
    expect((await run(["monitors", "rm", MONITOR_ID])).out).toContain(`Deleted ${MONITOR_ID}`);
    expect(last().method).toBe("DELETE");
  });

  it.each([
    [["monitors"], "monitors needs a subcommand"],
    [["monitors", "create"], "give a name or -f"],
    [["monitors", "create", "x", "--period", "5"], "--period must be an integer 60–31536000"],
    [["ping", "db", "--start", "--fail"], "exclude each other"],
    [["ping", "db", "--exit", "256"], "--exit must be an integer 0–255"],
    [["ping", "db", "--rid", "nope"], "--rid must be a UUID"],
  ])("%j → usage error", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain(message);
  });
});

describe("edgecron ping", () => {
  it("sends one signal with --ping-key, no credentials needed", async () => {
    const r = await run(["ping", "db", "--exit", "3", "--ping-key", "K"], { EDGECRON_URL: base });
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(last()).toMatchObject({ method: "GET", url: "/ping/K/db/3" });
  });

  it("finds the ping key from a monitor's ping_url when signed in", async () => {
    const r = await run(["ping", "db", "--start"]);
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(seen.map((s) => s.url)).toEqual([`/v1/cron-jobs/${ACCOUNT}/monitors?limit=1`, `/ping/${KEY}/db/start`]);
  });

  it("wraps a command: start, then its exit status with the tail of its combined output", async () => {
    const script = `process.stdout.write("x".repeat(${OUTPUT_TAIL_BYTES + 500})); console.error("boom"); process.exit(7)`;
    const r = await run(["ping", "db", "--ping-key", "K", "--", process.execPath, "-e", script], {
      EDGECRON_URL: base,
    });
    expect(r.code).toBe(7);
    expect(r.err).toContain("boom");
    expect(seen).toHaveLength(2);
    const [start, end] = seen as [Seen, Seen];
    expect(start.url).toMatch(/^\/ping\/K\/db\/start\?rid=[0-9a-f-]{36}$/);
    expect(end.method).toBe("POST");
    expect(end.url).toBe(start.url.replace("/start", "/7"));
    expect(Buffer.byteLength(end.body)).toBe(OUTPUT_TAIL_BYTES);
    expect(end.body.endsWith("boom\n")).toBe(true);
  });

  it("a command that succeeds ends with /0; one that cannot start sends 127", async () => {
    const ok = await run(["ping", "db", "--ping-key", "K", "--", process.execPath, "-e", "console.log('done')"], {
      EDGECRON_URL: base,
    });
    expect(ok.code).toBe(0);
    expect(last()).toMatchObject({ method: "POST", body: "done\n" });
    expect(last().url).toMatch(/^\/ping\/K\/db\/0\?rid=/);
    const missing = await run(["ping", "db", "--ping-key", "K", "--", "/nonexistent/cmd"], { EDGECRON_URL: base });
    expect(missing.code).toBe(127);
    expect(last().url).toMatch(/\/127\?rid=/);
  });

  it("a failed ping warns and still runs the command, exiting with its status", async () => {
    const r = await run(["ping", "unknown", "--ping-key", "K", "--", process.execPath, "-e", "process.exit(0)"], {
      EDGECRON_URL: base,
    });
    expect(r.code).toBe(0);
    expect(r.err).toContain("edgecron: ping failed");
  });
});
