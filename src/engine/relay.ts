import { abandonDelivery } from "../deliveries/store";
import { closeDeadRun } from "./dead-letter";
import type { EngineDeps } from "./deps";
import { runMessage, sendFollowUps, type UnsentFollowUp } from "./follow-ups";
import { CRASH_RESEND_AFTER_MS, findStrandedRuns } from "./ledger";
import { deleteOutboxStatements, findStaleOutboxEntries } from "./outbox";

export { CRASH_RESEND_AFTER_MS };

/** A run or outbox entry still unsent this long after it was due is sent again (ms). */
export const RELAY_STALE_MS = 10 * 60_000;
/** Rows per pass: one tick's relay stays a few queries and one sendBatch or two. */
export const RELAY_LIMIT = 100;

export interface RelayReport {
  event: "relay";
  runs: number;
  outbox: number;
  /** Messages the queue refused on their own, dead-lettered by this pass. */
  unsendable: number;
}

/**
 * The tick's safety net: re-sends unsent or overdue runs, crashed runs (CRASH_RESEND_AFTER_MS after their lease)
 * and unsent outbox entries. A message the queue refuses on its own is dead-lettered here so the rest still go.
 */
export async function relayStranded(deps: EngineDeps): Promise<RelayReport> {
  const now = deps.now();
  const [stranded, entries] = await Promise.all([
    findStrandedRuns(deps.db, now, RELAY_STALE_MS, RELAY_LIMIT),
    findStaleOutboxEntries(deps.db, now - RELAY_STALE_MS, RELAY_LIMIT),
  ]);
  const unsent = await sendFollowUps(deps, stranded, entries);
  for (const u of unsent) {
    try {
      await deadLetterUnsent(deps, u);
    } catch (err) {
      // Left as it is: the next pass tries the send (and this) again.
      console.error(JSON.stringify({ event: "relay_dead_letter_failed", run_id: u.run?.id, error: String(err) }));
    }
  }
  const report: RelayReport = {
    event: "relay",
    runs: stranded.length,
    outbox: entries.length,
    unsendable: unsent.length,
  };
  if (stranded.length + entries.length > 0) console.log(JSON.stringify(report));
  return report;
}

/**
 * Closes a follow-up the queue refused as the dead-letter consumer would: a run `dead` (not delivered, with the
 * queue's answer in its log; `busy` leaves it for the next pass), an alert delivery failed, a callback given up.
 */
async function deadLetterUnsent(deps: EngineDeps, u: UnsentFollowUp): Promise<void> {
  if (u.run) {
    const { result } = await closeDeadRun(deps, runMessage(u.run), 0, u.error);
    console.error(JSON.stringify({ event: "dead_run", run_id: u.run.id, job_id: u.run.jobId, result, unsent: true }));
    return;
  }
  const { entry } = u;
  const msg = entry.message;
  if ((msg.type === "alert" || msg.type === "callback") && msg.deliveryId !== undefined) {
    await abandonDelivery(deps.db, msg.deliveryId, `the queue refused its message: ${u.error.slice(0, 200)}`);
  } else if (msg.type === "run") {
    if (msg.runId !== undefined) await closeDeadRun(deps, msg, 0, u.error);
  }
  console.error(
    JSON.stringify({
      event: `${msg.type}_unsendable`,
      outbox_id: entry.id,
      result: "gave-up",
      body: JSON.stringify(msg).slice(0, 2000),
      error: u.error,
    }),
  );
  const [first, ...rest] = deleteOutboxStatements(deps.db, [entry.id]);
  if (first) await deps.db.batch([first, ...rest]);
}
