/**
 * The local stand-in for Cloudflare's Cron Triggers under `npm start`: wrangler dev never fires a Worker's crons by
 * itself, so this clock wakes at every UTC minute boundary and, for each of wrangler.toml's crons that matches
 * that minute (the dispatch tick every minute, the retention sweep at 03:17 UTC), runs the Worker's scheduled
 * handler with that minute as `scheduledTime` — what Cloudflare does in production. Cron matching: croner, the
 * library the schedules already use.
 */
import { Cron } from "croner";
import { fireScheduled, type TriggerResult } from "./dev-server";

const MINUTE = 60_000;
const RETRY_AFTER_MS = 3000;

export interface ClockOptions {
  base: string;
  /** The Worker's Cron Trigger expressions (UTC). */
  crons: readonly string[];
  /** Called after every run (for the log line). */
  onRun: (run: { cron: string; scheduledTime: number; result: TriggerResult }) => void;
  now?: () => number;
}

/** The crons of `crons` that fire at `minute` (epoch ms on a minute boundary). */
export function dueCrons(crons: readonly string[], minute: number): string[] {
  const date = new Date(minute);
  return crons.filter((expr) => new Cron(expr, { timezone: "UTC", paused: true }).match(date));
}

/**
 * Starts the clock. The first run is the current minute (at once: a job whose next run passed while the server
 * was down runs now, as after a late production tick), then every boundary. Runs never wait for each other, like
 * Cron Triggers, so a slow tick does not delay the next. Returns a stop function.
 */
export function startClock(opts: ClockOptions): () => void {
  const now = opts.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const fire = (minute: number) => {
    for (const cron of dueCrons(opts.crons, minute)) {
      void fireWithRetry(cron, minute).then((result) => {
        if (!stopped) opts.onRun({ cron, scheduledTime: minute, result });
      });
    }
  };
  // wrangler dev reloads the Worker when a source file changes; a tick that lands in the reload is tried once more
  // (the dispatch claims each slot with a conditional UPDATE, so a tick that did run is not run twice).
  const fireWithRetry = async (cron: string, minute: number): Promise<TriggerResult> => {
    const first = await fireScheduled(opts.base, cron, minute);
    if (first.ok || stopped) return first;
    await new Promise((r) => setTimeout(r, RETRY_AFTER_MS));
    return fireScheduled(opts.base, cron, minute);
  };
  const schedule = (minute: number) => {
    // A few ms past the boundary, so the Worker's own clock already reads the new minute.
    timer = setTimeout(
      () => {
        // After a suspended laptop wakes, the missed minutes collapse into the current one (a job that missed
        // many slots runs once, as after a production outage).
        const target = Math.max(minute, Math.floor(now() / MINUTE) * MINUTE);
        fire(target);
        schedule(target + MINUTE);
      },
      Math.max(0, minute - now() + 5),
    );
  };
  const current = Math.floor(now() / MINUTE) * MINUTE;
  fire(current);
  schedule(current + MINUTE);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
