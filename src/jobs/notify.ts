import type { CronJobRow } from "../db/schema";
import type { CALLBACK_NOTIFY, CALLBACK_NOTIFY_INPUT } from "./response.schemas";

/**
 * When callbacks are sent (`callbacks.notify`):
 * - `attempt` (default, A1Cron's documented behaviour): after every failed attempt (with `next_retry_at` while a
 *   retry is pending) and after a success;
 * - `final`: only the run's final outcome (`always` is its alias);
 * - `on_change`: only a final outcome that flips the job between healthy and failing (never ran = healthy).
 */
export type NotifyMode = (typeof CALLBACK_NOTIFY)[number];

/** The stored name of a mode sent in a request: `always` is stored as `final`. */
export function storedNotify(notify: (typeof CALLBACK_NOTIFY_INPUT)[number]): NotifyMode {
  return notify === "always" ? "final" : notify;
}

/** A job's mode; a stored value from before the modes existed (none, or `always`) meant `final`. */
export function notifyMode(job: Pick<CronJobRow, "callbacks">): NotifyMode {
  const notify = (JSON.parse(job.callbacks) as { notify?: string }).notify;
  return notify === "attempt" || notify === "on_change" ? notify : "final";
}
