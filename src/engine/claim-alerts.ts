import { and, eq, type SQL, sql } from "drizzle-orm";
import { scheduleAlertPlan } from "../alerts/fire";
import type { ScheduleAlertFacts } from "../alerts/payloads";
import type { Db } from "../db/client";
import { cronJobs, runs } from "../db/schema";
import { executionId } from "../lib/execution-id";
import { type MessageSender, type OutboxEntry, sendAll } from "../lib/messages";
import { type ClaimPlan, claimedBy } from "./catchup";
import type { DueJob } from "./due-jobs";
import { deleteOutboxStatements, insertOutboxStatement } from "./outbox";
import type { SlotRun } from "./overlap";
import { reasonNumber, runWhere, STATE } from "./run-row";

/** A claim's alert statements: outbox inserts first (entry i is statement i), then deliveries and spell UPDATEs. */
export interface ClaimAlerts {
  statements: unknown[];
  entries: OutboxEntry[];
}

const NONE: ClaimAlerts = { statements: [], entries: [] };

/**
 * The `skipped` and `missed` alerts of one claim (src/alerts/schedule-health.ts), for the claim's batch after its
 * ledger rows, so each is written exactly when its row is: `skipped` when the slot's row is `skipped` (overlap),
 * `missed` when the claim won and recorded missed slots. Nothing for a job whose policy does not opt in.
 */
export function claimAlerts(db: Db, job: DueJob, plan: ClaimPlan, run: SlotRun | null, now: number): ClaimAlerts {
  if (job.alertPolicy === null) return NONE;
  const outbox: unknown[] = [];
  const entries: OutboxEntry[] = [];
  const rest: unknown[] = [];
  const add = (facts: ScheduleAlertFacts, occurred: SQL) => {
    const alert = scheduleAlertPlan(db, job, facts, occurred);
    if (!alert) return;
    for (const { entry, when } of alert.entries) {
      entries.push(entry);
      outbox.push(insertOutboxStatement(db, facts.executionId, entry, now, when));
    }
    rest.push(...alert.statements);
  };
  if (run) {
    const skipped = and(runWhere(run), eq(runs.state, STATE.skipped), eq(runs.reason, reasonNumber("overlap")));
    const facts = { executionId: run.id, executedAt: now, firstSlot: run.slot, lastSlot: run.slot, count: 1 };
    add({ event: "skipped", ...facts }, sql`EXISTS (SELECT 1 FROM ${runs} WHERE ${skipped})`);
  }
  const missed = plan.missed;
  if (missed) {
    const won = sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${job.id} AND ${claimedBy(plan)})`;
    // Keyed by this claim's newest missed slot, so each claim's missed slots are their own alert or reminder.
    const id = executionId(job.id, missed.last, 0);
    const facts = {
      executionId: id,
      executedAt: now,
      firstSlot: missed.first,
      lastSlot: missed.last,
      count: missed.count,
    };
    add({ event: "missed", ...facts }, won);
  }
  return { statements: [...outbox, ...rest], entries };
}

/** Rows an INSERT of the batch wrote (D1's meta.changes). */
export const insertedRows = (result: unknown): number =>
  (result as { meta?: { changes?: number } } | undefined)?.meta?.changes ?? 0;

/**
 * Sends the alerts a claim batch wrote, then deletes their outbox entries; a failed send leaves them to the relay
 * (src/engine/relay.ts), which sends stale outbox entries.
 */
export async function sendClaimAlerts(db: Db, queue: MessageSender, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  try {
    await sendAll(
      queue,
      entries.map((e) => ({ body: e.message, contentType: "json" as const })),
    );
    const deletes = deleteOutboxStatements(
      db,
      entries.map((e) => e.id),
    );
    await db.batch(deletes as [(typeof deletes)[number], ...(typeof deletes)[number][]]);
  } catch (err) {
    console.error(JSON.stringify({ event: "claim_alerts_unsent", alerts: entries.length, error: String(err) }));
  }
}
