import { and, count, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { insertWhere } from "../db/insert-where";
import { cronJobs, type RunOrigin, type RunRow, runs } from "../db/schema";
import { RUNNABLE_STATES } from "../jobs/state";
import { executionId, executionIdFloor } from "./execution-id";
import { accountNotFenced } from "./fence";
import { overlapClear } from "./overlap";

/**
 * The run ledger's SQL (table `runs`, src/db/schema.ts). A run row is written before anything can call the
 * target — by the tick in the claim's batch, by POST /trigger before it executes, by the recording batch for the
 * next attempt — and every start goes through one conditional UPDATE (the lease), so two deliveries in flight
 * can never both call the target.
 */

/** Time a lease adds to the job's timeout for recording the outcome (ms). */
export const LEASE_MARGIN_MS = 30_000;

/** What identifies one attempt; its execution id is derived from it. */
export interface RunKey {
  jobId: string;
  slot: number;
  attempt: number;
  nonce: string | null;
}

export const runId = (k: RunKey) => executionId(k.jobId, k.slot, k.attempt, k.nonce);

/** The key of the attempt after `k`. */
export const nextAttempt = (k: RunKey): RunKey => ({ ...k, attempt: k.attempt + 1 });

export interface NewRun extends RunKey {
  accountId: string;
  origin: RunOrigin;
  plannedAt: number;
  /** When its message was sent; null for a run whose message is still to be sent (an outbox entry). */
  sentAt: number | null;
  now: number;
}

function runValues(r: NewRun) {
  return {
    id: runId(r),
    jobId: r.jobId,
    accountId: r.accountId,
    slot: r.slot,
    nonce: r.nonce,
    origin: r.origin,
    attempt: r.attempt,
    plannedAt: r.plannedAt,
    state: "queued" as const,
    sentAt: r.sentAt,
    createdAt: r.now,
  };
}

/** Inserts a queued run; a second insert of the same attempt changes nothing. */
export function insertRunStatement(db: Db, r: NewRun) {
  return db.insert(runs).values(runValues(r)).onConflictDoNothing();
}

/** Inserts a queued run only where `condition` holds when the statement runs (in a batch, after what precedes it). */
export function insertRunWhenStatement(db: Db, r: NewRun, condition: SQL) {
  return insertWhere(db, runs, runValues(r), condition);
}

/**
 * The queued run of a schedule slot, inserted in the claim's batch right after the claim, only if that claim is
 * committed: a lost claim — another tick won, or the job was paused in between — writes nothing new.
 */
export function insertClaimedRunStatement(db: Db, r: NewRun) {
  return insertRunWhenStatement(
    db,
    r,
    sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${r.jobId} AND ${cronJobs.lastClaimedSlot} = ${r.slot})`,
  );
}

export async function findRun(db: Db, id: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(runs).where(eq(runs.id, id)).limit(1);
  return row;
}

/**
 * Takes the run's lease: `queued`, or `running` with an expired lease, becomes `running` until
 * `now + timeout + LEASE_MARGIN_MS` — only while the job is live and not paused, checked in the same statement,
 * so nothing starts after a pause or delete is committed — and, for a job with an overlap policy, only while no
 * earlier run of the job is unfinished (overlapClear, src/engine/overlap.ts). Returns the leased row (with `leases`
 * already counting this lease), or undefined when another delivery holds it, it is finished, or the job may not run.
 */
export async function takeLease(db: Db, id: string, now: number, timeoutSeconds: number): Promise<RunRow | undefined> {
  const [row] = await takeLeaseStatement(db, id, now, timeoutSeconds);
  return row;
}

/** takeLease as a statement, for a batch. */
export function takeLeaseStatement(db: Db, id: string, now: number, timeoutSeconds: number) {
  return db
    .update(runs)
    .set({
      state: "running",
      leaseUntil: now + timeoutSeconds * 1000 + LEASE_MARGIN_MS,
      leases: sql`${runs.leases} + 1`,
    })
    .where(
      and(
        eq(runs.id, id),
        or(eq(runs.state, "queued"), and(eq(runs.state, "running"), lt(runs.leaseUntil, now))),
        sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${runs.jobId} AND ${cronJobs.deletedAt} IS NULL AND ${inArray(cronJobs.state, [...RUNNABLE_STATES])})`,
        overlapClear(),
        accountNotFenced(runs.accountId),
      ),
    )
    .returning();
}

/**
 * Closes a run that did not start (paused or deleted job): it stays in the ledger, never as a log. Overlap skips
 * are written `skipped` by the claim's batch itself (src/engine/overlap.ts).
 */
export async function skipRun(db: Db, id: string, reason: "paused" | "deleted"): Promise<boolean> {
  const rows = await db
    .update(runs)
    .set({ state: "skipped", skipReason: reason, leaseUntil: null })
    .where(and(eq(runs.id, id), eq(runs.state, "queued")))
    .returning({ id: runs.id });
  return rows.length === 1;
}

/** Marks the attempt recorded; part of the recording batch. */
export function finishRunStatement(db: Db, id: string) {
  return db.update(runs).set({ state: "done", leaseUntil: null }).where(eq(runs.id, id));
}

/** Ids per statement that also binds one more value: D1 allows 100 bound parameters per statement. */
const IDS_PER_STATEMENT = 99;

export function idChunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) out.push(ids.slice(i, i + IDS_PER_STATEMENT));
  return out;
}

/** Records that the messages of these runs were sent: one statement per 99 ids, for a batch. */
export function markRunsSentStatements(db: Db, ids: readonly string[], now: number) {
  return idChunks(ids).map((chunk) => db.update(runs).set({ sentAt: now }).where(inArray(runs.id, chunk)));
}

/** Forgets a send: the relay sends these runs at its next pass. */
export async function markRunsUnsent(db: Db, ids: readonly string[]) {
  const statements = idChunks(ids).map((chunk) => db.update(runs).set({ sentAt: null }).where(inArray(runs.id, chunk)));
  if (statements.length > 0)
    await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
}

/** A queued run whose message is still to be sent, if any (the follow-up attempt of a recorded run). */
export async function findUnsentRun(db: Db, id: string): Promise<RunRow | undefined> {
  const [row] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.id, id), eq(runs.state, "queued"), isNull(runs.sentAt)))
    .limit(1);
  return row;
}

/**
 * Runs the relay should (re-)send, oldest first: queued runs never sent, queued runs due more than `staleMs` ago
 * whose message has not come (lost, or waiting behind a long backlog — a duplicate is harmless), and running
 * runs whose lease expired (their consumer died; one that finds the expired lease may run it).
 */
export async function findStrandedRuns(db: Db, now: number, staleMs: number, limit: number): Promise<RunRow[]> {
  return strandedRunsQuery(db, now, staleMs, limit);
}

/** The relay's query (findStrandedRuns), unexecuted, so its plan can be checked. */
export function strandedRunsQuery(db: Db, now: number, staleMs: number, limit: number) {
  const stale = now - staleMs;
  return db
    .select()
    .from(runs)
    .where(
      and(
        // The partial index's own condition, spelt as it is, so the planner scans runs_job_unfinished_idx (only
        // unfinished runs) instead of the whole ledger: test/logs/query-plan.test.ts checks it.
        sql`${runs.state} IN ('queued', 'running')`,
        or(
          and(eq(runs.state, "queued"), isNull(runs.sentAt)),
          and(eq(runs.state, "queued"), lt(runs.plannedAt, stale), lt(runs.sentAt, stale)),
          and(eq(runs.state, "running"), lt(runs.leaseUntil, now), sql`coalesce(${runs.sentAt}, 0) < ${stale}`),
        ),
      ),
    )
    .orderBy(runs.plannedAt)
    .limit(limit);
}

/**
 * Deletes up to `limit` ledger rows of slots before `cutoff` (epoch ms), whatever their state: ids sort by slot
 * time (src/engine/execution-id.ts), so the primary key serves the range and the ledger needs no time index.
 * Returns the number deleted.
 */
export async function deleteRunsBefore(db: Db, cutoff: number, limit: number): Promise<number> {
  const chunk = db
    .select({ id: runs.id })
    .from(runs)
    .where(lt(runs.id, executionIdFloor(cutoff)))
    .limit(limit);
  const [counted] = await db.batch([
    db.select({ n: count() }).from(chunk.as("chunk")),
    db.delete(runs).where(inArray(runs.id, chunk)),
  ]);
  return counted[0]?.n ?? 0;
}
