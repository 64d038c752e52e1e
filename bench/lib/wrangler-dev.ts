/**
 * `wrangler dev` on 127.0.0.1 in its own process group (stop() ends it and its workerd), its output kept line by line.
 * Also used by packages/client's end-to-end tests.
 */
import { join } from "node:path";
import { freePort, now, ROOT, STATE_DIR, sleep, spawnGroup, untilAnswers } from "./harness";

export { sleep };
export type DevServer = Awaited<ReturnType<typeof startDev>>;

for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130));

export async function startDev(opts: {
  port?: number;
  persistTo?: string;
  config?: string;
  extraArgs?: string[];
  /** Over the bench's defaults: EXECUTOR mock (the seeded endpoints are never called), CALLBACKS record. */
  vars?: Record<string, string>;
}) {
  const port = opts.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const vars = Object.entries({ EXECUTOR: "mock", CALLBACKS: "record", ...opts.vars }).flatMap(([k, v]) => [
    "--var",
    `${k}:${v}`,
  ]);
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", opts.persistTo ?? STATE_DIR];
  args.push(
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    ...vars,
    ...(opts.config ? ["--config", opts.config] : []),
    ...(opts.extraArgs ?? []),
  );
  const [lines, waiters] = [[] as string[], new Set<(line: string) => void>()];
  const onLine = (line: string) => {
    lines.push(line);
    for (const w of waiters) w(line);
  };
  const { child, stop } = spawnGroup(join(ROOT, "node_modules/.bin/wrangler"), args, { onLine });
  let readyAt = 0;
  const server = {
    base,
    /** The process group of wrangler and everything it started (workerd). */
    pgid: child.pid ?? -1,
    lines,
    /** Reloads since ready (a reload restarts workerd's state, local queues included). */
    reloads: () => lines.slice(readyAt).filter((l) => /Reloading local server/i.test(l)).length,
    /** The first line from `from` on, seen or upcoming, that matches; rejects after timeoutMs. */
    waitForLine(match: (line: string) => boolean, timeoutMs: number, from = 0): Promise<string> {
      const seen = lines.slice(from).find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((res, rej) => {
        const w = (line: string) => match(line) && done(() => res(line));
        const timer = setTimeout(
          () => done(() => rej(new Error(`no matching wrangler output within ${timeoutMs} ms`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(w);
          settle();
        };
        waiters.add(w);
      });
    },
    stop,
  };
  // Ready when /health answers (the first request also builds the Worker).
  const output = () => lines.slice(-30);
  await untilAnswers(`${base}/health`, child, { ms: 120_000, pollMs: 250, output }).catch(async (e) => {
    await stop();
    throw e;
  });
  readyAt = lines.length;
  return server;
}

/** Runs fn with a dev server and always stops it. */
export async function withDev<T>(opts: Parameters<typeof startDev>[0], fn: (dev: DevServer) => Promise<T>): Promise<T> {
  const dev = await startDev(opts);
  try {
    return await fn(dev);
  } finally {
    await dev.stop();
  }
}

/** A Cron Trigger through miniflare's scheduled endpoint (a frozen bundle has no `/__scheduled`), at `time` if given. */
export async function fireCron(dev: DevServer, cron: string, time?: number) {
  const [firedAt, t] = [Date.now(), now()];
  const res = await fetch(
    `${dev.base}/cdn-cgi/handler/scheduled?cron=${cron.replace(/ /g, "+")}${time === undefined ? "" : `&time=${time}`}`,
  );
  return { firedAt, status: res.status, body: (await res.text()).trim(), wall_ms: Math.round(now() - t) };
}

/** The Worker's JSON log lines of one event since line `from`. */
export const events = <T>(dev: DevServer, event: string, from = 0) =>
  dev.lines
    .slice(from)
    .filter((l) => l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l.slice(l.indexOf("{"))) as T);

/** Worker output that counts as an error: error events, uncaught exceptions, wrangler's error lines. */
export const ERROR_LINE =
  /"event":"(queue_message_failed|dispatch_enqueue_failed|d1_error|unhandled_error|log_export_failed)"|Uncaught|\[ERROR\]|✘/;
