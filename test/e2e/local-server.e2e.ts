/**
 * `npm start` and the operator CLI as a newcomer meets them (node:test in Node, not vitest in workerd: these start
 * real processes). Run: `npm run test:local` (CI runs it).
 *   - CLI and `npm start` errors: one line on stderr, an exit code, no stack trace; a taken port is refused before
 *     anything says "starting".
 *   - The local clock: a job created with `* * * * *` under `npm start` runs within its minute with no hand-fired
 *     tick; under the mock executor neither the job's endpoint nor its callbacks are called.
 *   - `npm start -- --executor http`: the real request reaches a loopback target, and so does the signed callback.
 *   - A first start on an empty `--persist-to` state says what it does (each database's migrations, the seed) and
 *     leaves the local D1 where `wrangler dev` and `wrangler d1` find it, with migrations wrangler counts as applied;
 *     a restart on that state applies none and seeds nothing.
 * Every server runs in its own process group and is stopped by it.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingHttpHeaders } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { dueCrons } from "../../scripts/lib/clock";
import { applyMigrations, localDatabases, migrationNames, openLocal } from "../../scripts/lib/local-d1";
import { prepareLocalD1 } from "../../scripts/lib/local-seed";
import { DISPATCH_CRON, SWEEP_CRON } from "../../src/triggers";

const ROOT = resolve(import.meta.dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const STATE = mkdtempSync(join(tmpdir(), "edgecron-local-"));
const DEV_FILE = join(STATE, "dev-server.json");
/** The servers' local state (`npm start -- --persist-to`): empty for the first start, reused by the restart. */
const PERSIST = join(STATE, "wrangler-state");
const ENV = {
  ...process.env,
  EDGECRON_DEV_FILE: DEV_FILE,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  FORCE_COLOR: "0",
  NO_COLOR: "1",
};
const DEMO = {
  account: "00000000-0000-4000-8000-00000000de00",
  headers: { "X-API-Key": "ek_demo_local_only", "X-API-Secret": "es_demo_local_only_do_not_use_in_production" },
};

after(() => rmSync(STATE, { recursive: true, force: true }));

function run(script: "cli" | "start", args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(TSX, [`scripts/${script}.ts`, ...args], {
    cwd: ROOT,
    env: { ...ENV, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
}

/** One `error: …` line on stderr, the exit code, and no stack trace. */
function assertOneLineError(res: ReturnType<typeof run>, code: number, pattern: RegExp) {
  const lines = res.stderr.trim().split("\n");
  assert.equal(res.status, code, `exit code (stderr: ${res.stderr})`);
  assert.equal(lines.length, 1, `one line on stderr, got:\n${res.stderr}`);
  assert.match(lines[0] ?? "", /^error: /);
  assert.match(lines[0] ?? "", pattern);
  assert.doesNotMatch(res.stderr, /\n\s+at |Error:|node:internal/);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as { port: number }).port;
}

describe("the local clock's schedule", () => {
  it("fires the dispatch tick every minute and the sweep at 03:17 UTC, as wrangler.toml's crons say", () => {
    const crons = [DISPATCH_CRON, SWEEP_CRON];
    assert.deepEqual(dueCrons(crons, Date.UTC(2026, 0, 5, 3, 17)), crons);
    assert.deepEqual(dueCrons(crons, Date.UTC(2026, 0, 5, 3, 18)), [DISPATCH_CRON]);
    assert.deepEqual(dueCrons(crons, Date.UTC(2026, 6, 5, 3, 17)), crons, "UTC, whatever the season");
  });
});

describe("npm start's local D1 preparation (in process, no wrangler)", () => {
  it("adopts a SHARD_0 from before sharding into the control plane before migrating it, as db:migrate does", async () => {
    const dir = join(STATE, "legacy-state");
    const [control, shard0] = localDatabases(dir);
    assert.ok(control && shard0);
    // SHARD_0 as a single database left it: every migration before the one that drops its api_keys table.
    await applyMigrations(
      shard0,
      migrationNames(shard0).filter((n) => n < "0019"),
    );
    const legacy = await openLocal(shard0);
    legacy.exec(`INSERT INTO accounts (id, name, signing_secret, created_at) VALUES ('acc-legacy', 'Legacy', 'whsec_x', 1);
      INSERT INTO api_keys (id, account_id, secret_hash, created_at) VALUES ('ek_legacy', 'acc-legacy', 'h', 1);`);
    legacy.close();
    const lines: string[] = [];
    await prepareLocalD1({ persistTo: dir, progress: (l) => lines.push(l) });
    assert.ok(lines.includes("Adopting 1 account and 1 API key of a pre-sharding SHARD_0…"), lines.join("\n"));
    const db = await openLocal(control, { readOnly: true });
    try {
      assert.deepEqual(
        { ...db.prepare("SELECT account_id, shard FROM account_shards WHERE account_id = 'acc-legacy'").get() },
        { account_id: "acc-legacy", shard: 0 },
      );
      assert.ok(
        db.prepare("SELECT 1 FROM api_keys WHERE id = 'ek_legacy'").get(),
        "the legacy key is in the control plane",
      );
    } finally {
      db.close();
    }
  });
});

describe("operator CLI errors", () => {
  it("a missing option value, an unknown option, an unknown or missing command: exit 2", () => {
    assertOneLineError(run("cli", ["account:create", "--name"]), 2, /--name/);
    assertOneLineError(run("cli", ["tick", "--bogus"]), 2, /--bogus/);
    assertOneLineError(run("cli", ["frobnicate"]), 2, /unknown command "frobnicate"/);
    assertOneLineError(run("cli", []), 2, /no command/);
    assertOneLineError(run("cli", ["tick", "--url", "not a url"]), 2, /--url/);
  });

  it("tick with no running npm start: exit 1, naming the file it looked for", () => {
    assertOneLineError(run("cli", ["tick"]), 1, /no running `npm start` found/);
  });

  it("tick against a closed port: exit 1", async () => {
    assertOneLineError(run("cli", ["sweep", "--url", `http://127.0.0.1:${await freePort()}`]), 1, /could not reach/);
  });

  it("refuses a server that is not edgecron (its /health is not edgecron's)", async () => {
    let hits = 0;
    const other = createHttpServer((req, res) => {
      hits++;
      res.setHeader("Content-Type", "application/json");
      res.end(req.url === "/health" ? '{"status":"ok"}' : "{}");
    });
    const port = await listen(other);
    try {
      const res = await runAsync("cli", ["tick", "--url", `http://127.0.0.1:${port}`]);
      assertOneLineError(res, 1, /not an edgecron server/);
      assert.equal(hits, 1, "only /health was asked, no trigger fired");
    } finally {
      other.close();
    }
  });

  it("--help and help print the usage on stdout and exit 0", () => {
    for (const args of [["--help"], ["help"]]) {
      const res = run("cli", args);
      assert.equal(res.status, 0);
      assert.match(res.stdout, /tick \| sweep/);
    }
  });
});

describe("npm start flags", () => {
  it("refuses a bad --port, PORT, --executor or --callbacks with exit 2", () => {
    assertOneLineError(run("start", ["--port", "abc"]), 2, /--port must be a port number/);
    assertOneLineError(run("start", [], { PORT: "70000" }), 2, /PORT must be a port number/);
    assertOneLineError(run("start", ["--port"]), 2, /--port/);
    assertOneLineError(run("start", ["--executor", "real"]), 2, /--executor must be mock or http/);
    assertOneLineError(run("start", ["--callbacks", "maybe"]), 2, /--callbacks must be record or send/);
    assertOneLineError(run("start", ["--persist-to", ""]), 2, /--persist-to must name a directory/);
  });

  it("a taken port is an error before anything says 'starting on'", async () => {
    const holder = createServer();
    const port = await listen(holder);
    try {
      for (const res of [
        await runAsync("start", ["--port", String(port)]),
        await runAsync("start", [], { PORT: `${port}` }),
      ]) {
        assertOneLineError(res, 1, new RegExp(`port ${port} is already in use`));
        assert.equal(res.stdout, "", "nothing started, nothing announced");
      }
    } finally {
      holder.close();
    }
  });
});

/** A loopback HTTP target that records every request (the job's endpoint and its callback receiver). */
async function startTarget() {
  const received: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: string }> = [];
  const server = createHttpServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      res.setHeader("Content-Type", "application/json");
      res.end('{"ok":true}');
    });
  });
  const port = await listen(server);
  return { base: `http://127.0.0.1:${port}`, received, close: () => server.close() };
}

interface Started {
  child: ChildProcess;
  base: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** `npm start -- <args>` in its own process group; resolves once the CLI's file names it and it answers. */
async function startServer(args: string[]): Promise<Started> {
  const port = await freePort();
  const child = spawn("npm", ["start", "--", "--port", String(port), "--persist-to", PERSIST, ...args], {
    cwd: ROOT,
    env: ENV,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    }
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 360_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${out}`);
    if (existsSync(DEV_FILE) && out.includes("[clock] running")) return { child, base, output: () => out, stop };
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error(`npm start did not come up on ${base}:\n${out}`);
}

async function api(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/v1/cron-jobs/${DEMO.account}${path}`, {
    method,
    headers: { ...DEMO.headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads the API's JSON shapes.
  return { status: res.status, body: (await res.json()) as any };
}

describe("npm start (mock executor): the local clock", { timeout: 600_000 }, () => {
  let server: Started;
  let target: Awaited<ReturnType<typeof startTarget>>;
  before(async () => {
    target = await startTarget();
    server = await startServer([]);
  });
  after(async () => {
    await server?.stop();
    target?.close();
  });

  it("a first start says what it prepares, database by database, then the URL once it answers", () => {
    const out = server.output();
    const steps = [
      /Applying \d+ migrations? to DB \(1\/3\)…/,
      /Applying \d+ migrations to SHARD_0 \(2\/3\)…/,
      /Applying \d+ migrations to SHARD_1 \(3\/3\)…/,
      /Seeding the demo account on SHARD_\d: [\d,]+ history rows/,
      /Local D1 ready after [\d.]+ s \(\d+ migrations applied\)/,
      new RegExp(`edgecron is running on ${server.base}`),
    ];
    const at = steps.map((re) => out.search(re));
    assert.ok(
      at.every((i, n) => i >= 0 && (n === 0 || i > (at[n - 1] as number))),
      `steps in order:\n${out}`,
    );
  });

  it("leaves every local database where wrangler finds it, with nothing left for it to apply", async () => {
    for (const db of ["DB", "SHARD_0", "SHARD_1"]) {
      const res = await wranglerAsync(["d1", "migrations", "list", db, "--local", "--persist-to", PERSIST]);
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /No migrations to apply/, `${db}:\n${res.stdout}`);
    }
  });

  it("says which executor runs and what that means, and exports the README's variables", () => {
    assert.match(server.output(), new RegExp(`edgecron is running on ${server.base}`));
    assert.match(server.output(), /Executor: mock — NO job's endpoint is called/);
    assert.match(server.output(), /Callbacks and alert webhooks: recorded, not sent/);
    assert.match(server.output(), new RegExp(`BASE=${server.base} ACCOUNT=${DEMO.account} KEY=`));
  });

  it("npm run cli -- tick finds the server through the file npm start wrote", async () => {
    const res = await runAsync("cli", ["tick", "--json"]);
    assert.equal(res.status, 0, res.stderr);
    assert.equal(JSON.parse(res.stdout.trim()).base, server.base);
  });

  it("runs a `* * * * *` job within its minute, without a hand-fired tick; endpoint and callbacks untouched", async () => {
    const created = await api(server.base, "POST", "/create", {
      name: "Every minute (local clock e2e)",
      endpoint_url: `${target.base}/endpoint`,
      method: "POST",
      timezone: "UTC",
      schedule_config: { cron: "* * * * *" },
      callbacks: { success_url: `${target.base}/callback`, failure_url: `${target.base}/callback` },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const job = created.body.data;
    const slot = Date.parse(job.next_run_at);
    let logs: Array<{ executed_at: string }> = [];
    for (const deadline = slot + 60_000; Date.now() < deadline && logs.length === 0; ) {
      await new Promise((r) => setTimeout(r, 2000));
      logs = (await api(server.base, "GET", `/logs/${job.id}?limit=5`)).body.data;
    }
    assert.ok(logs.length > 0, `no run of the job by the end of its minute (${job.next_run_at})\n${server.output()}`);
    const first = Date.parse(logs.at(-1)?.executed_at ?? "");
    assert.ok(first >= slot && first < slot + 60_000, `ran at ${logs.at(-1)?.executed_at}, slot ${job.next_run_at}`);
    // Callbacks follow the run through the queue: give them a moment, then nothing may have reached the target.
    for (let i = 0; i < 20 && !server.output().includes(`"url":"${target.base}/callback"`); i++) {
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(server.output(), /"event":"callback_recorded"/);
    assert.deepEqual(target.received, [], "the mock executor calls no endpoint and records callbacks instead");
    await api(server.base, "DELETE", `/delete/${job.id}`);
  });

  it("removes its file when stopped, so tick then finds nothing", async () => {
    await server.stop();
    // npm may exit before the start script's own SIGTERM handler has run: give it a moment.
    for (let i = 0; i < 50 && existsSync(DEV_FILE); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(existsSync(DEV_FILE), false);
    assertOneLineError(await runAsync("cli", ["tick"]), 1, /no running `npm start` found/);
  });
});

describe("npm start -- --executor http", { timeout: 480_000 }, () => {
  let server: Started;
  let target: Awaited<ReturnType<typeof startTarget>>;
  before(async () => {
    target = await startTarget();
    server = await startServer(["--executor", "http"]);
  });
  after(async () => {
    await server?.stop();
    target?.close();
  });

  it("a restart on the same state applies no migration and seeds nothing (it runs after the first start above)", () => {
    assert.match(server.output(), /Local D1 \(.*\): 3 databases, no migration pending\./);
    assert.doesNotMatch(server.output(), /Applying \d+ migration/);
    assert.match(server.output(), /Demo account already seeded on SHARD_\d\./);
    assert.doesNotMatch(server.output(), /Seeding the demo account/);
    assert.match(server.output(), new RegExp(`edgecron is running on ${server.base}`));
  });

  it("sends the real request and the signed callback", async () => {
    assert.match(server.output(), /Executor: http — every run sends the real request/);
    assert.match(server.output(), /Callbacks: sent/);
    const created = await api(server.base, "POST", "/create", {
      name: "Real request (local e2e)",
      endpoint_url: `${target.base}/endpoint`,
      method: "GET",
      timezone: "UTC",
      schedule_config: { cron: "0 0 1 1 *" },
      callbacks: { success_url: `${target.base}/callback` },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const job = created.body.data;
    const run = await api(server.base, "POST", `/trigger/${job.id}`);
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(run.body.data.status, "success");
    assert.equal(run.body.data.response_code, 200);
    assert.deepEqual(
      target.received.filter((r) => r.path === "/endpoint").map((r) => r.method),
      ["GET"],
    );
    for (let i = 0; i < 40 && !target.received.some((r) => r.path === "/callback"); i++) {
      await new Promise((r) => setTimeout(r, 500));
    }
    const callback = target.received.find((r) => r.path === "/callback");
    assert.ok(callback, `no callback reached the target\n${server.output()}`);
    assert.match(String(callback.headers["x-edgecron-signature"]), /^t=\d+,v1=[0-9a-f]{64}/);
    await api(server.base, "DELETE", `/delete/${job.id}`);
  });
});

/** wrangler from node_modules, offline, without blocking the event loop. */
function wranglerAsync(args: string[]) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(join(ROOT, "node_modules/.bin/wrangler"), args, { cwd: ROOT, env: ENV });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.on("exit", (status) => done({ status, stdout, stderr }));
  });
}

/** spawn without blocking the event loop (a test's own HTTP server must keep answering meanwhile). */
function runAsync(script: "cli" | "start", args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<ReturnType<typeof run>>((done) => {
    const child = spawn(TSX, [`scripts/${script}.ts`, ...args], { cwd: ROOT, env: { ...ENV, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.on("exit", (status, signal) =>
      done({ status, signal, stdout, stderr, pid: child.pid ?? 0, output: [null, stdout, stderr], error: undefined }),
    );
  });
}
