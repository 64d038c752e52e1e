/**
 * The running `npm start` server as the operator CLI finds it: `npm start` writes its base URL to a file, the CLI
 * reads it and checks, through /health, that the server there really is edgecron before firing a trigger at it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";

/** Where `npm start` records its server (under .wrangler/, which git ignores); EDGECRON_DEV_FILE overrides it. */
export const DEV_SERVER_FILE = resolve(
  process.env.EDGECRON_DEV_FILE ?? resolve(import.meta.dirname, "../../.wrangler/edgecron-dev.json"),
);

export interface DevServerInfo {
  /** e.g. http://127.0.0.1:8787 */
  base: string;
  port: number;
  /** The `npm start` process (its entry in the file is removed when it exits). */
  pid: number;
  executor: "mock" | "http";
  callbacks: "send" | "record";
  started_at: string;
}

export function writeDevServer(info: DevServerInfo) {
  mkdirSync(dirname(DEV_SERVER_FILE), { recursive: true });
  writeFileSync(DEV_SERVER_FILE, `${JSON.stringify(info, null, 2)}\n`);
}

export function readDevServer(): DevServerInfo | null {
  try {
    const info = JSON.parse(readFileSync(DEV_SERVER_FILE, "utf8")) as Partial<DevServerInfo>;
    return typeof info.base === "string" && typeof info.pid === "number" ? (info as DevServerInfo) : null;
  } catch {
    return null;
  }
}

/** Removes the file if it still names this process (a newer `npm start` may have replaced it). */
export function removeDevServer(pid: number) {
  if (readDevServer()?.pid === pid) rmSync(DEV_SERVER_FILE, { force: true });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when nothing listens on host:port (we could bind it ourselves). */
export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => done(true)));
  });
}

export type HealthCheck = { ok: true } | { ok: false; reason: "unreachable" | "not-edgecron" };

/** GET /health: edgecron answers 200 `{"status":"ok","service":"edgecron"}`; anything else is another server. */
export async function checkEdgecron(base: string, timeoutMs = 3000): Promise<HealthCheck> {
  let res: Response;
  try {
    res = await fetch(new URL("/health", base), { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return { ok: false, reason: "unreachable" };
  }
  const body = (await res.json().catch(() => null)) as { status?: unknown; service?: unknown } | null;
  return res.status === 200 && body?.status === "ok" && body.service === "edgecron"
    ? { ok: true }
    : { ok: false, reason: "not-edgecron" };
}

export interface TriggerResult {
  ok: boolean;
  /** "ok", or why the scheduled handler failed ("exception", …), or the HTTP problem. */
  outcome: string;
}

/**
 * Runs the Worker's scheduled handler once, as a Cron Trigger would: wrangler dev (Miniflare) serves
 * `/cdn-cgi/local/scheduled?cron=&time=` on every local server, no flag needed; `time` becomes
 * `controller.scheduledTime` (epoch ms). (`/__scheduled`, the older `--test-scheduled` route, takes no time.)
 */
export async function fireScheduled(base: string, cron: string, scheduledTime: number): Promise<TriggerResult> {
  const url = new URL("/cdn-cgi/local/scheduled", base);
  url.searchParams.set("cron", cron);
  url.searchParams.set("time", String(scheduledTime));
  url.searchParams.set("format", "json");
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    const body = (await res.json().catch(() => null)) as { outcome?: string } | null;
    const outcome = body?.outcome ?? `HTTP ${res.status}`;
    return { ok: res.ok && outcome === "ok", outcome };
  } catch (e) {
    return { ok: false, outcome: (e as Error).message };
  }
}
