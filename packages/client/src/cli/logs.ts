/**
 * `edgecron logs`: the latest N logs printed oldest first (as `tail` does), and with `--follow` the ones that
 * arrive after them. Following polls the newest logs by cursor: each poll walks the pages (next_cursor) of the
 * logs executed since shortly before the newest one already printed, and prints those it has not printed yet.
 * The look-back covers runs recorded after a later one (a slow run's log carries its start time), so
 * out-of-order arrivals are still printed once; ids seen in the window are remembered to avoid repeats.
 */
import { EdgecronApiError, EdgecronNetworkError } from "../errors.js";
import type { ExecutionLog } from "../types.js";
import type { Ctx } from "./main.js";
import { line, logLine, logsHeader } from "./output.js";
import { type LogsArgs, selector } from "./selector.js";

export type { LogsArgs } from "./selector.js";

/** How far before the newest printed log each poll looks again (a run's log may be recorded after a later one). */
export const FOLLOW_LOOKBACK_MS = 120_000;

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** Where a text search stopped when its scan budget ended a request: logs scanned, and the cursor going on. */
interface Stopped {
  scanned: number;
  cursor: string;
}

/**
 * The newest `limit` matching logs, from `cursor` on. A text search (`q`) stops at the first request whose scan
 * budget ended before its page was full (`scan.complete` false), rather than scanning on without telling.
 */
async function newest(
  ctx: Ctx,
  a: LogsArgs,
  limit: number,
  signal?: AbortSignal,
  cursor?: string,
): Promise<{ logs: ExecutionLog[]; stopped?: Stopped }> {
  const logs: ExecutionLog[] = [];
  let scanned = 0;
  while (logs.length < limit) {
    const page = await ctx.client().logsPage({ ...selector(a), limit: Math.min(limit, 100), cursor, signal });
    logs.push(...page.data.slice(0, limit - logs.length));
    scanned += page.scan?.scanned ?? 0;
    cursor = page.pagination.next_cursor ?? undefined;
    if (!cursor || (page.data.length === 0 && !page.scan)) break;
    if (page.scan?.complete === false) return { logs, stopped: { scanned, cursor } };
  }
  return { logs };
}

function printLogs(ctx: Ctx, logs: ExecutionLog[], withJob: boolean) {
  for (const log of logs) line(ctx.io.stdout, ctx.json ? JSON.stringify(log) : logLine(log, withJob));
}

/**
 * Prints the latest `limit` matching logs, oldest first (`--json`: one JSON object per line), from `cursor` on; a
 * note on stderr when a text search's scan budget ended first.
 */
export async function latestLogs(ctx: Ctx, a: LogsArgs, limit: number, cursor?: string) {
  const { logs, stopped } = await newest(ctx, a, limit, undefined, cursor);
  logs.reverse();
  if (!ctx.json) line(ctx.io.stdout, logs.length === 0 ? "No logs" : logsHeader(!a.jobId));
  printLogs(ctx, logs, !a.jobId);
  if (stopped) {
    line(
      ctx.io.stderr,
      `note: the search's scan budget ended after ${stopped.scanned} logs, before ${limit} matches; older logs ` +
        `may match: continue with --cursor ${stopped.cursor} (or narrow --since/--until)`,
    );
  }
}

function transient(error: unknown): boolean {
  return (
    error instanceof EdgecronNetworkError ||
    (error instanceof EdgecronApiError && (error.status >= 500 || error.status === 429))
  );
}

/** Prints the latest logs, then new ones every `intervalMs` until SIGINT/SIGTERM (then returns normally). */
export async function followLogs(ctx: Ctx, a: LogsArgs, limit: number, intervalMs: number) {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const withJob = !a.jobId;
  try {
    const first = (await newest(ctx, a, limit, stop.signal)).logs.reverse();
    if (!ctx.json) line(ctx.io.stdout, logsHeader(withJob));
    printLogs(ctx, first, withJob);
    const seen = new Map<string, number>(first.map((l) => [l.id, Date.parse(l.executed_at)]));
    const floor = a.start_date ? Date.parse(a.start_date) : Number.NEGATIVE_INFINITY;
    let mark = Math.max(...seen.values(), Date.now() - FOLLOW_LOOKBACK_MS);
    let warned = false;
    while (!stop.signal.aborted) {
      await sleep(intervalMs, stop.signal);
      if (stop.signal.aborted) break;
      const from = Math.max(mark - FOLLOW_LOOKBACK_MS, Number.isNaN(floor) ? 0 : floor);
      const fresh: ExecutionLog[] = [];
      try {
        for await (const log of ctx
          .client()
          .logs({ ...selector({ ...a, start_date: iso(from) }), limit: 100, signal: stop.signal })) {
          if (!seen.has(log.id)) fresh.push(log);
        }
        warned = false;
      } catch (error) {
        if (stop.signal.aborted) break;
        if (!transient(error)) throw error;
        if (!warned) line(ctx.io.stderr, `warning: ${(error as Error).message}; still following`);
        warned = true;
        continue;
      }
      fresh.reverse(); // the API answers newest first
      printLogs(ctx, fresh, withJob);
      for (const log of fresh) {
        const at = Date.parse(log.executed_at);
        seen.set(log.id, at);
        mark = Math.max(mark, at);
      }
      for (const [id, at] of seen) if (at < mark - FOLLOW_LOOKBACK_MS) seen.delete(id);
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
