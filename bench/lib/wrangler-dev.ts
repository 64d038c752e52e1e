/**
 * `wrangler dev` on the bench's state, on 127.0.0.1 only, in its own process group so stop() ends it and
 * the workerd it spawned (by that group's id, nothing else). Its stdout is kept line by line so the
 * benchmarks can read the Worker's JSON log lines (dispatch_tick, retention_sweep, run).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { offlineEnv, ROOT, STATE_DIR } from "./common";

export interface DevServer {
  base: string;
  /** The process group of wrangler and everything it started (workerd). */
  pgid: number;
  /** Every stdout/stderr line so far. */
  lines: string[];
  /** How many times wrangler reloaded the Worker since it was ready (a reload restarts workerd's state). */
  reloads(): number;
  /** Resolves with the first line (already seen or upcoming) that matches, or rejects after timeoutMs. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number, fromIndex?: number): Promise<string>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

// Never leave a wrangler behind: on any exit path of the bench process, end the groups we started.
process.on("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    for (const child of running) killGroup(child, "SIGTERM");
    process.exit(130);
  });
}

export async function startDev(opts: {
  port: number;
  persistTo?: string;
  /** Another wrangler config than ./wrangler.toml. */
  config?: string;
  extraArgs?: string[];
  /** Vars over the bench's defaults (EXECUTOR mock, CALLBACKS record), e.g. the http executor for the ledger test. */
  vars?: Record<string, string>;
}): Promise<DevServer> {
  const base = `http://127.0.0.1:${opts.port}`;
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(opts.port),
    "--persist-to",
    opts.persistTo ?? STATE_DIR,
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    // wrangler.toml is production (EXECUTOR http): benchmarks never call the seeded jobs' endpoints, unless a
    // benchmark asks for the http executor against its own loopback target.
    ...Object.entries({ EXECUTOR: "mock", CALLBACKS: "record", ...opts.vars }).flatMap(([k, v]) => [
      "--var",
      `${k}:${v}`,
    ]),
    ...(opts.config ? ["--config", opts.config] : []),
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(join(ROOT, "node_modules/.bin/wrangler"), args, {
    cwd: ROOT,
    env: { ...offlineEnv, FORCE_COLOR: "0", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  const lines: string[] = [];
  const waiters = new Set<(line: string) => void>();
  const onData = (buf: { toString(): string }, carry: { rest: string }) => {
    const text = carry.rest + buf.toString();
    const parts = text.split("\n");
    carry.rest = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters) w(line);
    }
  };
  const outCarry = { rest: "" };
  const errCarry = { rest: "" };
  child.stdout?.on("data", (b) => onData(b, outCarry));
  child.stderr?.on("data", (b) => onData(b, errCarry));
  const exited = new Promise<void>((res) =>
    child.on("exit", () => {
      running.delete(child);
      res();
    }),
  );

  const server: DevServer = {
    base,
    pgid: child.pid ?? -1,
    lines,
    reloads: () => lines.slice(readyAt).filter((l) => /Reloading local server/i.test(l)).length,
    waitForLine(match, timeoutMs, fromIndex = 0) {
      const seen = lines.slice(fromIndex).find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((res, rej) => {
        const timer = setTimeout(() => {
          waiters.delete(w);
          rej(new Error(`no matching wrangler output within ${timeoutMs} ms`));
        }, timeoutMs);
        const w = (line: string) => {
          if (match(line)) {
            clearTimeout(timer);
            waiters.delete(w);
            res(line);
          }
        };
        waiters.add(w);
      });
    },
    async stop() {
      killGroup(child, "SIGTERM");
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        killGroup(child, "SIGKILL");
        await exited;
      }
    },
  };

  let readyAt = 0;
  // Ready when /health answers (the first request also builds the Worker).
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`wrangler dev exited early (${child.exitCode}):\n${lines.slice(-30).join("\n")}`);
    }
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) {
        readyAt = lines.length;
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`wrangler dev not ready after 120 s:\n${lines.slice(-30).join("\n")}`);
    }
    await sleep(250);
  }
  return server;
}

export const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/** Runs fn with a dev server and always stops it, also when fn throws. */
export async function withDev<T>(opts: Parameters<typeof startDev>[0], fn: (dev: DevServer) => Promise<T>): Promise<T> {
  const dev = await startDev(opts);
  try {
    return await fn(dev);
  } finally {
    await dev.stop();
  }
}
