import type { EngineDeps } from "./deps";
import { sendFollowUps } from "./follow-ups";
import { findStrandedRuns } from "./ledger";
import { findStaleOutboxEntries } from "./outbox";

/** A run or outbox entry still unsent this long after it was due is sent again (ms). */
export const RELAY_STALE_MS = 10 * 60_000;
/** Rows per pass: one tick's relay stays a few queries and one sendBatch or two. */
export const RELAY_LIMIT = 100;

export interface RelayReport {
  event: "relay";
  runs: number;
  outbox: number;
}

/** The tick's safety net: re-sends unsent or overdue runs, expired leases and unsent outbox entries. */
export async function relayStranded(deps: EngineDeps): Promise<RelayReport> {
  const now = deps.now();
  const [stranded, entries] = await Promise.all([
    findStrandedRuns(deps.db, now, RELAY_STALE_MS, RELAY_LIMIT),
    findStaleOutboxEntries(deps.db, now - RELAY_STALE_MS, RELAY_LIMIT),
  ]);
  await sendFollowUps(deps, stranded, entries);
  const report: RelayReport = { event: "relay", runs: stranded.length, outbox: entries.length };
  if (stranded.length + entries.length > 0) console.log(JSON.stringify(report));
  return report;
}
