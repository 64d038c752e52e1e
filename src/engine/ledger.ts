import { and, count, eq, inArray, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
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
import { skipCountIncrement } from "./skip-counts";
import type { DeadReason } from "./unknown-outcome";

export type { RunRef } from "./run-row";

/**
 * The run ledger's SQL (`runs`, src/db/schema.ts). A run row exists before anything calls the target, and every
 * start goes through one conditional UPDATE (the lease), so two deliveries never both call it.
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
  /** When its message was sent; null while it is still to be sent. */
  sentAt: number | null;
  now: number;
  /** The execution a replay run replays (src/engine/trigger.ts); absent or null otherwise. */
  replayOf?: string | null;
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
  replayOf: r.replayOf ?? null,
});

/** Inserts a queued run; a second insert of the same attempt changes nothing. */
export function insertRunStatement(db: Db, r: NewRun) {
  return insertRunSelect(db, queuedInsert(r));
}

/** Inserts a queued run only where `condition` holds at that point of the batch; it may read `cron_jobs`. */
export function insertRunWhenStatement(db: Db, r: NewRun, condition: SQL) {
  return insertRunSelect(db, queuedInsert(r), condition);
}

/** The run, as the engine sees it; undefined when there is none (or its job is gone). */
export async function findRun(db: Db, ref: RunRef): Promise<RunRow | undefined> {
  const rows = await db.select(runColumns).from(runs).where(runWhere(ref)).limit(1);
  return selectedRuns(rows)[0];
}

/** One job's runs in key order (slot, execution id): a primary-key range, at most `limit` rows. */
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
 * Takes the lease: `queued`, or `running` with an expired lease, becomes `running` until now + timeout +
 * LEASE_MARGIN_MS, in the same statement only while the job is live, unpaused and clear of overlap
 * (src/engine/overlap.ts). Returns the leased row, or undefined.
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
 * Closes a run that did not start (paused or deleted job): ledger only, never a log. A paused job's skip is counted
 * on its row (skip-counts.ts) in the same batch, only while the run is still queued, so a repeat counts nothing.
 */
export async function skipRun(db: Db, ref: RunRef, reason: Extract<RunReason, "paused" | "deleted">): Promise<boolean> {
  const skip = db
    .update(runs)
    .set({ state: STATE.skipped, reason: reasonNumber(reason), leaseUntil: null })
    .where(and(runWhere(ref), eq(runs.state, STATE.queued)))
    .returning({ slot: runs.slot });
  if (reason !== "paused") return (await skip).length === 1;
  const count = db
    .update(cronJobs)
    .set(skipCountIncrement("paused"))
    .where(
      and(
        eq(cronJobs.id, ref.jobId),
        sql`EXISTS (SELECT 1 FROM ${runs} WHERE ${runWhere(ref)} AND ${runs.state} = ${STATE.queued})`,
      ),
    );
  const [, rows] = await db.batch([count, skip]);
  return rows.length === 1;
}

/** Marks the attempt recorded, `done`, or `dead` with its reason (closed without an outcome); part of the recording batch. */
export function finishRunStatement(db: Db, ref: RunRef, dead: DeadReason | null = null) {
  const state = dead === null ? { state: stateNumber("done") } : { state: STATE.dead, reason: reasonNumber(dead) };
  return db
    .update(runs)
    .set({ ...state, leaseUntil: null })
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
 * A crashed run (running, its lease expired, nothing recorded) is re-sent this long after its lease_until, and
 * again at most this often: room for the queue's own redelivery, which comes when the lease ends.
 */
export const CRASH_RESEND_AFTER_MS = 2 * 60_000;

/**
 * Runs the relay re-sends, oldest first: never sent, overdue by `staleMs`, or crashed (CRASH_RESEND_AFTER_MS past
 * lease_until and past the last send). Never a fenced account's: its messages are held until the move ends.
 */
export async function findStrandedRuns(db: Db, now: number, staleMs: number, limit: number): Promise<RunRow[]> {
  return selectedRuns(await strandedRunsQuery(db, now, staleMs, limit));
}

/** The relay's query (findStrandedRuns), unexecuted, so its plan can be checked. */
export function strandedRunsQuery(db: Db, now: number, staleMs: number, limit: number) {
  const stale = now - staleMs;
  const crashed = now - CRASH_RESEND_AFTER_MS;
  return db
    .select(runColumns)
    .from(runs)
    .where(
      and(
        // Spelt as runs_job_unfinished_idx's own condition so the planner uses it (test/logs/query-plan.test.ts).
        sql`${runs.state} IN (0, 1)`,
        or(
          and(eq(runs.state, STATE.queued), isNull(runs.sentAt)),
          and(eq(runs.state, STATE.queued), lt(runs.plannedAt, stale), lt(runs.sentAt, stale)),
          and(
            eq(runs.state, STATE.running),
            lte(runs.leaseUntil, crashed),
            sql`coalesce(${runs.sentAt}, 0) <= ${crashed}`,
          ),
        ),
        // The account fence of a move (src/engine/fence.ts), by the account's number.
        sql`NOT EXISTS (SELECT 1 FROM ${accounts} WHERE ${accounts.num} = ${runs.account} AND ${accounts.fencedAt} IS NOT NULL)`,
      ),
    )
    .orderBy(runs.plannedAt)
    .limit(limit);
}

/** Where the sweep's ledger deletes stand: legacy table, then jobs in number order, then deleted jobs. */
export interface RunsSweep {
  /** Whether `runs_v1` exists and may still hold expired rows; undefined until looked up. */
  legacy?: boolean;
  /** The job number the walk of expired rows has reached (every smaller job is clear). */
  job: number;
  /** The expired rows are done; deleted jobs' runs are next. */
  expiredDone: boolean;
}

export const newRunsSweep = (): RunsSweep => ({ job: Number.MIN_SAFE_INTEGER, expiredDone: false });

/** Whether the legacy ledger table `runs_v1` still exists. */
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
 * Deletes up to `limit` ledger rows the sweep removes; call again with the same `sweep` until fewer come back.
 * Order: expired `runs_v1` rows, expired `runs` rows job by job (one key seek each), then deleted jobs' rows,
 * so a reused job number (max + 1) owns no rows.
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

/** Keys of up to `limit` expired rows from `fromJob` on, a key range per job (test/engine/ledger-keys.test.ts). */
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
 * Moves up to `limit` rows of `runs_v1` (finished rows only) into `runs` in one batch, ON CONFLICT DO NOTHING,
 * deleting what it read; orphans are only deleted. Returns the rows read: 0 once empty or gone.
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
