import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  accounts,
  cronJobs,
  type RunOrigin,
  type RunReason,
  type RunRow,
  type RunState,
  runOrigins,
  runReasons,
  runStates,
  runs,
  type StoredRunRow,
} from "../db/schema";
import { idOfLogKey, type LogKey, logKeyOf } from "../logs/log-key";

/**
 * Stored ledger row (integer keys, enums as list indexes) ↔ RunRow (text ids, named states); the execution id's
 * key is as logs store it (src/logs/log-key.ts).
 */

export const stateNumber = (s: RunState): number => runStates.indexOf(s);
export const reasonNumber = (r: RunReason): number => runReasons.indexOf(r);
export const originNumber = (o: RunOrigin): number => runOrigins.indexOf(o);

/** Stored state numbers for SQL text, e.g. the partial index's `state IN (0, 1)`. */
export const STATE = Object.fromEntries(runStates.map((s, i) => [s, i])) as Record<RunState, number>;

/** What identifies a ledger row to a lookup: the execution id, and the job (the key's first column). */
export interface RunRef {
  id: string;
  jobId: string;
}

/** The key of a run's execution id; null for an id no row can have. */
export const runKeyOf = (id: string): LogKey | null => logKeyOf(id);

/** The job's number for its id, as a scalar subquery. */
export const jobNum = (jobId: string): SQL =>
  sql`(SELECT ${cronJobs.num} FROM ${cronJobs} WHERE ${cronJobs.id} = ${jobId})`;

/** A primary-key probe by job number and id key; an id without a key (slot -3) matches nothing. */
export function runWhere(ref: RunRef): SQL {
  const k = runKeyOf(ref.id) ?? { slot: -3, hi: 0, lo: 0 };
  return and(
    sql`${runs.job} = ${jobNum(ref.jobId)}`,
    eq(runs.slot, k.slot),
    eq(runs.idHi, k.hi),
    eq(runs.idLo, k.lo),
  ) as SQL;
}

/** Columns that rebuild a RunRow, ids looked up by number; qualified, since in a subquery `job` must be the run's. */
export const runColumns = {
  slot: runs.slot,
  idHi: runs.idHi,
  idLo: runs.idLo,
  attempt: runs.attempt,
  origin: runs.origin,
  state: runs.state,
  reason: runs.reason,
  plannedAt: runs.plannedAt,
  leaseUntil: runs.leaseUntil,
  leases: runs.leases,
  sentAt: runs.sentAt,
  nonce: runs.nonce,
  replayOf: runs.replayOf,
  lastSlot: runs.lastSlot,
  slotCount: runs.slotCount,
  jobId: sql<string | null>`(SELECT "cron_jobs"."id" FROM "cron_jobs" WHERE "cron_jobs"."num" = "runs"."job")`,
  accountId: sql<string | null>`(SELECT "accounts"."id" FROM "accounts" WHERE "accounts"."num" = "runs"."account")`,
};

/** The stored columns runColumns reads: async completion's own (src/engine/completion.ts) are read where used. */
type RunColumnsRow = Omit<StoredRunRow, "job" | "account" | "completionHash" | "startedAt" | "deadlineAt">;

export type SelectedRun = RunColumnsRow & { jobId: string | null; accountId: string | null };

/** A stored row as the engine's run, with its job's and account's ids (read with it, or known to the caller). */
export function toRunRow(r: RunColumnsRow, ids: { jobId: string; accountId: string }): RunRow {
  return {
    id: idOfLogKey({ slot: r.slot, hi: r.idHi, lo: r.idLo }),
    jobId: ids.jobId,
    accountId: ids.accountId,
    slot: r.slot,
    nonce: r.nonce,
    origin: runOrigins[r.origin] ?? "schedule",
    attempt: r.attempt,
    plannedAt: r.plannedAt,
    state: runStates[r.state] ?? "queued",
    reason: r.reason === null ? null : (runReasons[r.reason] ?? null),
    leaseUntil: r.leaseUntil,
    leases: r.leases,
    sentAt: r.sentAt,
    replayOf: r.replayOf,
  };
}

/** Selected rows as runs; a row whose job or account row is gone (a purged job) has no run to act on. */
export function selectedRuns(rows: SelectedRun[]): RunRow[] {
  return rows.flatMap((r) =>
    r.jobId === null || r.accountId === null ? [] : [toRunRow(r, { jobId: r.jobId, accountId: r.accountId })],
  );
}

/** The job's and the account's numbers, for an INSERT … SELECT: FROM both, one row when both exist. */
const ownersFrom = (jobId: string, accountId: string): SQL =>
  sql`FROM ${cronJobs}, ${accounts} WHERE ${cronJobs.id} = ${jobId} AND ${accounts.id} = ${accountId}`;

/** A value of an inserted run: bound, or SQL decided in the statement (the claim's skip, src/engine/overlap.ts). */
type Value = SQL | number | string | null;

export interface RunInsert {
  jobId: string;
  accountId: string;
  /** The execution id: an id without a key (log-key.ts) cannot be stored. */
  id: string;
  attempt: number;
  origin: RunOrigin;
  plannedAt: number;
  nonce: string | null;
  state: Value;
  reason: Value;
  sentAt: Value;
  /** 0 and null for a new run; a moved legacy row keeps its own. */
  leases?: number;
  leaseUntil?: number | null;
  /** The execution id a replay run replays (src/runs/replay.ts); null otherwise. */
  replayOf?: string | null;
  /** A missed span's last slot and slot count (src/engine/catchup.ts); null for a one-slot row. */
  lastSlot?: number | null;
  slotCount?: number | null;
}

/**
 * INSERT … SELECT FROM cron_jobs, accounts: ids become numbers in the statement; written only while job,
 * account and condition hold, and a repeat writes nothing.
 */
export function insertRunSelect(db: Db, r: RunInsert, condition?: SQL) {
  const k = logKeyOf(r.id);
  if (!k) throw new Error(`not a storable run id: ${r.id}`);
  // Every column of `runs`, in the table's order (drizzle names them all in the INSERT).
  const values = sql.join(
    [
      sql`${cronJobs.num}`,
      sql`${k.slot}`,
      sql`${k.hi}`,
      sql`${k.lo}`,
      sql`${accounts.num}`,
      sql`${r.attempt}`,
      sql`${originNumber(r.origin)}`,
      sql`${r.state}`,
      sql`${r.reason}`,
      sql`${r.plannedAt}`,
      sql`${r.leaseUntil ?? null}`,
      sql`${r.leases ?? 0}`,
      sql`${r.sentAt}`,
      sql`${r.nonce}`,
      sql`${r.replayOf ?? null}`,
      sql`${r.lastSlot ?? null}`,
      sql`${r.slotCount ?? null}`,
      // completion_hash, started_at, deadline_at: set when a completion-mode attempt starts (completion.ts).
      sql`NULL`,
      sql`NULL`,
      sql`NULL`,
    ],
    sql`, `,
  );
  const where = condition ? sql` AND ${condition}` : sql``;
  return db
    .insert(runs)
    .select(sql`SELECT ${values} ${ownersFrom(r.jobId, r.accountId)}${where}`)
    .onConflictDoNothing();
}
