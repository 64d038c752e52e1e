import { and, count, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, cronJobs, type RunOrigin, type RunReason, type RunRow, runs, runsV1 } from "../db/schema";
import { RUNNABLE_STATES } from "../jobs/state";
import { executionId, executionIdFloor } from "../lib/execution-id";
import { logKeyOf } from "../logs/log-key";
import { overlapClear } from "./overlap";
import {
  insertRunSelect,
  type RunInsert,
  type RunRef,
  reasonNumber,
  runColumns,
  runWhere,
  STATE,
  selectedRuns,
  stateNumber,
  toRunRow,
} from "./run-row";

export type { RunRef } from "./run-row";

/**
 * The run ledger's SQL (table `runs`, src/db/schema.ts). A run row is written before anything can call the
 * target — by the tick in the claim's batch, by POST /trigger before it executes, by the recording batch for the
 * next attempt — and every start goes through one conditional UPDATE (the lease), so two deliveries in flight
 * can never both call the target. Rows are keyed by integers (src/engine/run-row.ts); callers name a run by its
 * execution id and job id (RunRef), as run messages do.
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

const queuedInsert = (r: NewRun): RunInsert => ({
  jobId: r.jobId,
  accountId: r.accountId,
  id: runId(r),
  attempt: r.attempt,
  origin: r.origin,
  plannedAt: r.plannedAt,
  nonce: r.nonce,
  state: STATE.queued,
  reason: null,
  sentAt: r.sentAt,
});

/** Inserts a queued run; a second insert of the same attempt changes nothing. */
export function insertRunStatement(db: Db, r: NewRun) {
  return insertRunSelect(db, queuedInsert(r));
}

/**
 * Inserts a queued run only where `condition` holds when the statement runs (in a batch, after what precedes it).
 * The condition may read the job's row (`cron_jobs`), which the statement selects from.
 */
export function insertRunWhenStatement(db: Db, r: NewRun, condition: SQL) {
  return insertRunSelect(db, queuedInsert(r), condition);
}

/** The run, as the engine sees it; undefined when there is none (or its job is gone). */
export async function findRun(db: Db, ref: RunRef): Promise<RunRow | undefined> {
  const rows = await db.select(runColumns).from(runs).where(runWhere(ref)).limit(1);
  return selectedRuns(rows)[0];
}

/**
 * One job's runs in key order (slot, then execution id): a range of the primary key, no other index. `limit` bounds
 * the rows read.
 */
export async function jobRuns(db: Db, jobId: string, limit = 1000): Promise<RunRow[]> {
  const rows = await db
    .select(runColumns)
    .from(runs)
    .where(sql`${runs.job} = (SELECT ${cronJobs.num} FROM ${cronJobs} WHERE ${cronJobs.id} = ${jobId})`)
    .orderBy(runs.slot, runs.idHi, runs.idLo)
    .limit(limit);
  return selectedRuns(rows);
}

/**
 * Takes the run's lease: `queued`, or `running` with an expired lease, becomes `running` until
 * `now + timeout + LEASE_MARGIN_MS` — only while the job is live and not paused, checked in the same statement,
 * so nothing starts after a pause or delete is committed — and, for a job with an overlap policy, only while no
 * earlier run of the job is unfinished (overlapClear, src/engine/overlap.ts). Returns the leased row (with `leases`
 * already counting this lease), or undefined when another delivery holds it, it is finished, or the job may not run.
 */
export async function takeLease(
  db: Db,
  run: RunRef & { accountId: string },
  now: number,
  timeoutSeconds: number,
): Promise<RunRow | undefined> {
  const [row] = await takeLeaseStatement(db, run, now, timeoutSeconds);
  return row && toRunRow(row, run);
}

/** takeLease as a statement, for a batch: it returns the stored row (toRunRow makes it a RunRow). */
export function takeLeaseStatement(db: Db, run: RunRef, now: number, timeoutSeconds: number) {
  return db
    .update(runs)
    .set({
      state: STATE.running,
      leaseUntil: now + timeoutSeconds * 1000 + LEASE_MARGIN_MS,
      leases: sql`${runs.leases} + 1`,
    })
    .where(
      and(
        runWhere(run),
        or(eq(runs.state, STATE.queued), and(eq(runs.state, STATE.running), lt(runs.leaseUntil, now))),
        sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.num} = ${runs.job} AND ${cronJobs.deletedAt} IS NULL AND ${inArray(cronJobs.state, [...RUNNABLE_STATES])})`,
        overlapClear(),
        // The account fence of a move (src/engine/fence.ts), by the account's number.
        sql`NOT EXISTS (SELECT 1 FROM ${accounts} WHERE ${accounts.num} = ${runs.account} AND ${accounts.fencedAt} IS NOT NULL)`,
      ),
    )
    .returning();
}

/**
 * Closes a run that did not start (paused or deleted job): it stays in the ledger, never as a log. Overlap skips
 * are written `skipped` by the claim's batch itself (src/engine/overlap.ts).
 */
export async function skipRun(db: Db, ref: RunRef, reason: Extract<RunReason, "paused" | "deleted">): Promise<boolean> {
  const rows = await db
    .update(runs)
    .set({ state: STATE.skipped, reason: reasonNumber(reason), leaseUntil: null })
    .where(and(runWhere(ref), eq(runs.state, STATE.queued)))
    .returning({ slot: runs.slot });
  return rows.length === 1;
}

/** Marks the attempt recorded; part of the recording batch. */
export function finishRunStatement(db: Db, ref: RunRef) {
  return db
    .update(runs)
    .set({ state: stateNumber("done"), leaseUntil: null })
    .where(runWhere(ref));
}

/** Ids per statement that also binds one more value: D1 allows 100 bound parameters per statement. */
const IDS_PER_STATEMENT = 99;

export function idChunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) out.push(ids.slice(i, i + IDS_PER_STATEMENT));
  return out;
}

/** Records that the messages of these runs were sent: one primary-key UPDATE per run, for a batch. */
export function markRunsSentStatements(db: Db, refs: readonly RunRef[], now: number) {
  return refs.map((ref) => db.update(runs).set({ sentAt: now }).where(runWhere(ref)));
}

/** Forgets a send: the relay sends these runs at its next pass. */
export async function markRunsUnsent(db: Db, refs: readonly RunRef[]) {
  const statements = refs.map((ref) => db.update(runs).set({ sentAt: null }).where(runWhere(ref)));
  if (statements.length > 0)
    await db.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
}

/** A queued run whose message is still to be sent, if any (the follow-up attempt of a recorded run). */
export async function findUnsentRun(db: Db, ref: RunRef): Promise<RunRow | undefined> {
  const rows = await db
    .select(runColumns)
    .from(runs)
    .where(and(runWhere(ref), eq(runs.state, STATE.queued), isNull(runs.sentAt)))
    .limit(1);
  return selectedRuns(rows)[0];
}

/**
 * Runs the relay should (re-)send, oldest first: queued runs never sent, queued runs due more than `staleMs` ago
 * whose message has not come (lost, or waiting behind a long backlog — a duplicate is harmless), and running
 * runs whose lease expired (their consumer died; one that finds the expired lease may run it).
 */
export async function findStrandedRuns(db: Db, now: number, staleMs: number, limit: number): Promise<RunRow[]> {
  return selectedRuns(await strandedRunsQuery(db, now, staleMs, limit));
}

/** The relay's query (findStrandedRuns), unexecuted, so its plan can be checked. */
export function strandedRunsQuery(db: Db, now: number, staleMs: number, limit: number) {
  const stale = now - staleMs;
  return db
    .select(runColumns)
    .from(runs)
    .where(
      and(
        // The partial index's own condition, spelt as it is, so the planner scans runs_job_unfinished_idx (only
        // unfinished runs) instead of the whole ledger: test/logs/query-plan.test.ts checks it.
        sql`${runs.state} IN (0, 1)`,
        or(
          and(eq(runs.state, STATE.queued), isNull(runs.sentAt)),
          and(eq(runs.state, STATE.queued), lt(runs.plannedAt, stale), lt(runs.sentAt, stale)),
          and(eq(runs.state, STATE.running), lt(runs.leaseUntil, now), sql`coalesce(${runs.sentAt}, 0) < ${stale}`),
        ),
      ),
    )
    .orderBy(runs.plannedAt)
    .limit(limit);
}

/**
 * Where the retention sweep's ledger deletes stand (deleteRunsBefore): one per sweep, so its calls walk the legacy
 * table once, then the jobs in number order once, then deleted jobs.
 */
export interface RunsSweep {
  /** Whether `runs_v1` exists and may still hold expired rows; undefined until looked up. */
  legacy?: boolean;
  /** The job number the walk of expired rows has reached (every smaller job is clear). */
  job: number;
  /** The expired rows are done; deleted jobs' runs are next. */
  expiredDone: boolean;
}

export const newRunsSweep = (): RunsSweep => ({ job: Number.MIN_SAFE_INTEGER, expiredDone: false });

/** Whether the legacy ledger table (before migration 0028) still exists. */
export async function legacyRunsExist(db: Db): Promise<boolean> {
  const rows = await db.all<{ n: number }>(
    sql`SELECT 1 AS n FROM sqlite_master WHERE type = 'table' AND name = 'runs_v1'`,
  );
  return rows.length > 0;
}

/** Deletes the ledger rows `chunk` names (a select of the primary key) in one batch; returns how many, and the last job. */
async function deleteRunsChunk(db: Db, chunk: SQL): Promise<{ n: number; lastJob: number | null }> {
  const [counted] = await db.batch([
    db.select({ n: count(), lastJob: sql<number | null>`max(job)` }).from(sql`(${chunk})`),
    db.delete(runs).where(sql`(${runs.job}, ${runs.slot}, ${runs.idHi}, ${runs.idLo}) IN (${chunk})`),
  ]);
  return { n: counted[0]?.n ?? 0, lastJob: counted[0]?.lastJob ?? null };
}

/**
 * Deletes up to `limit` ledger rows the retention sweep removes, and returns how many: call again (with the same
 * `sweep`) until it returns fewer than `limit`. In order: rows of slots before `cutoff` (epoch ms) in `runs_v1`
 * while it exists (its text ids sort by slot time, so its primary key serves the range); then, job by job, rows of
 * slots before `cutoff` in `runs` (each job's expired rows are the start of its key range: one seek per job, no time
 * index); then every row of a deleted job, so a purged job's number (reused by the next job, max + 1) owns no rows.
 */
export async function deleteRunsBefore(
  db: Db,
  cutoff: number,
  limit: number,
  sweep: RunsSweep = newRunsSweep(),
): Promise<number> {
  let deleted = 0;
  if (sweep.legacy === undefined) sweep.legacy = await legacyRunsExist(db);
  if (sweep.legacy) {
    const chunk = db
      .select({ id: runsV1.id })
      .from(runsV1)
      .where(lt(runsV1.id, executionIdFloor(cutoff)))
      .limit(limit);
    const [counted] = await db.batch([
      db.select({ n: count() }).from(chunk.as("chunk")),
      db.delete(runsV1).where(inArray(runsV1.id, chunk)),
    ]);
    deleted += counted[0]?.n ?? 0;
    if (deleted === limit) return deleted;
    sweep.legacy = false;
  }
  if (!sweep.expiredDone) {
    const { n, lastJob } = await deleteRunsChunk(db, expiredRunsChunk(cutoff, sweep.job, limit - deleted));
    deleted += n;
    if (lastJob !== null) sweep.job = lastJob;
    if (deleted === limit) return deleted;
    sweep.expiredDone = true;
  }
  deleted += (await deleteRunsChunk(db, deletedJobsRunsChunk(limit - deleted))).n;
  return deleted;
}

/**
 * The keys of up to `limit` rows of slots before `cutoff`, jobs in number order from `fromJob` (the unique index on
 * num), each job's expired rows by a primary-key range (job = ? AND slot < ?): test/engine/ledger-keys.test.ts
 * checks the plan.
 */
export const expiredRunsChunk = (cutoff: number, fromJob: number, limit: number): SQL =>
  sql`SELECT r.job, r.slot, r.id_hi, r.id_lo FROM ${cronJobs} j, ${runs} r
    WHERE j.num >= ${fromJob} AND r.job = j.num AND r.slot < ${cutoff} ORDER BY j.num LIMIT ${limit}`;

/** The keys of up to `limit` rows of deleted jobs (cron_jobs_deleted_idx, then each job's key range). */
export const deletedJobsRunsChunk = (limit: number): SQL =>
  sql`SELECT r.job, r.slot, r.id_hi, r.id_lo FROM ${cronJobs} j, ${runs} r
    WHERE j.deleted_at IS NOT NULL AND r.job = j.num LIMIT ${limit}`;

/** A runs_v1 row as stored. */
type LegacyRun = typeof runsV1.$inferSelect;

/**
 * Moves up to `limit` rows of the legacy ledger (`runs_v1`, only finished rows: migration 0028 moved the
 * unfinished ones) into `runs`, in one batch: each row's id becomes its key and its job and account ids their
 * numbers (in the INSERT), `ON CONFLICT DO NOTHING`, and the rows read are deleted. A row whose job or account is
 * gone, or whose id has no key, has nothing to move to and is only deleted. Returns the rows read: 0 once the table
 * is empty or gone. The store migration (src/engine/migrate-logs.ts) calls it in chunks.
 */
export async function moveLegacyRunsChunk(db: Db, limit: number): Promise<number> {
  if (!(await legacyRunsExist(db))) return 0;
  const rows: LegacyRun[] = await db.select().from(runsV1).orderBy(runsV1.id).limit(limit);
  if (rows.length === 0) return 0;
  const inserts = rows.flatMap((r) => (logKeyOf(r.id) ? [insertRunSelect(db, legacyInsert(r))] : []));
  const deletes = idChunks(rows.map((r) => r.id)).map((ids) => db.delete(runsV1).where(inArray(runsV1.id, ids)));
  const statements = [...inserts, ...deletes];
  await db.batch(statements as unknown as Parameters<typeof db.batch>[0]);
  return rows.length;
}

const LEGACY_STATES: Record<string, number> = { queued: STATE.queued, running: STATE.running, skipped: STATE.skipped };
const LEGACY_REASONS: Record<string, RunReason> = { overlap: "overlap", paused: "paused", deleted: "deleted" };

/** A legacy row as an insert into `runs` (state and reason by name; the lease and send times as they were). */
function legacyInsert(r: LegacyRun): RunInsert {
  const reason = r.skipReason === null ? undefined : LEGACY_REASONS[r.skipReason];
  return {
    jobId: r.jobId,
    accountId: r.accountId,
    id: r.id,
    attempt: r.attempt,
    origin: r.origin,
    plannedAt: r.plannedAt,
    nonce: r.nonce,
    state: LEGACY_STATES[r.state] ?? STATE.done,
    reason: reason === undefined ? null : reasonNumber(reason),
    sentAt: r.sentAt,
    leaseUntil: r.leaseUntil,
    leases: r.leases,
  };
}
