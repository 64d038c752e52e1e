/**
 * The running Worker for the client's end-to-end tests: an account and two API keys provisioned with the operator
 * CLI (`npm run cli -- account:create` / `key:create`, which also apply the migrations to the local D1), then
 * `wrangler dev` on a free loopback port in its own process group (bench/lib/wrangler-dev.ts: stop() ends the
 * group), with the real `http` executor and sent callbacks allowed to call loopback targets, so jobs and their
 * callbacks reach the test's own server.
 */
import { spawnSync } from "node:child_process";
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type DevServer, startDev } from "../../../../bench/lib/wrangler-dev.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

export interface Account {
  account_id: string;
  /** The shard the directory placed it in (SHARD_<n>). */
  shard: number;
  api_key: string;
  api_secret: string;
  signing_secret: string;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Runs the operator CLI (`npm run cli -- …`) and parses its `--json` line. */
export function operator<T>(args: string[]): T {
  const res = spawnSync("npm", ["run", "--silent", "cli", "--", ...args, "--json"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  const last = res.stdout.trim().split("\n").at(-1) ?? "";
  if (res.status !== 0 || !last.startsWith("{")) {
    throw new Error(`npm run cli -- ${args.join(" ")} failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  }
  return JSON.parse(last) as T;
}

export function createAccount(name: string): Account & { cli_key: { api_key: string; api_secret: string } } {
  const account = operator<Account>(["account:create", "--name", name]);
  const cli_key = operator<{ api_key: string; api_secret: string }>(["key:create", "--account", account.account_id]);
  return { ...account, cli_key };
}

export async function startWorker(): Promise<DevServer> {
  const port = await freePort();
  const inspector = await freePort();
  return startDev({
    port,
    persistTo: resolve(ROOT, ".wrangler/state"), // where the operator CLI's `wrangler d1 execute --local` writes
    // Later --var values win over startDev's own (EXECUTOR:mock, CALLBACKS:record for the benchmarks).
    extraArgs: [
      "--inspector-port",
      String(inspector),
      "--var",
      "EXECUTOR:http",
      "--var",
      "CALLBACKS:send",
      "--var",
      "ALLOW_PRIVATE_TARGETS:true",
    ],
  });
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The jobs' endpoint on loopback: `/ok` answers 200, `/fail` 500 (both with a multi-line JSON body); `/callback`
 * records what edgecron delivered.
 */
export async function startTarget(): Promise<{ base: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createHttpServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, body });
      const status = path.startsWith("/fail") ? 500 : 200;
      res.writeHead(status, { "Content-Type": "application/json" });
      // Pretty-printed: a response body with line breaks, quotes and commas (CSV quotes it across lines).
      res.end(JSON.stringify({ ok: status === 200, note: 'a "quoted", comma' }, null, 1));
    });
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}

/** Polls `fn` until it answers; API polls pass a longer `everyMs`, within the key's 100 requests a minute. */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
  everyMs = 200,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
