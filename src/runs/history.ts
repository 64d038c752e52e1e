import { and, asc, desc, eq, gte, isNotNull, lt, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jobNumber } from "../db/numbers";
import {
  logs,
  type RunOrigin,
  type RunReason,
  type RunState,
  runOrigins,
  runReasons,
  runStates,
  runs,
} from "../db/schema";
import type { InstantRange } from "../lib/dates";
import { idOfLogKey, logKeyOf } from "../logs/log-key";
import { batchInScope } from "../logs/scope";

/**
 * A job's schedule history: its `runs` rows newest first. The ledger is keyed (job, slot, id_hi, id_lo), so a page
 * is one primary-key range of the job (test/runs/history-plan.test.ts); a missed span is one row keyed by its first
 * slot (src/engine/catchup.ts).
 */

export interface HistoryFilters {
  state?: RunState;
  /** Slots at or after start_date.start (a span: its last slot), at or before end_date.end (a span: its first). */
  start?: InstantRange;
  end?: InstantRange;
}

/** Where a page ends: the last row's slot and execution id (the row's key). */
export interface HistoryPosition {
  slot: number;
  id: string;
}

export interface HistoryRow {
  /** The row's execution id (a span's is its first slot's first attempt, which never ran). */
  id: string;
  slot: number;
  attempt: number;
  origin: RunOrigin;
  state: RunState;
  reason: RunReason | null;
  plannedAt: number;
  /** A span's last slot and slot count; null for a one-slot row. */
  lastSlot: number | null;
  slotCount: number | null;
  /** Whether the attempt has a log (its id is the log's). */
  logged: boolean;
}

const columns = {
  slot: runs.slot,
  idHi: runs.idHi,
  idLo: runs.idLo,
  attempt: runs.attempt,
  origin: runs.origin,
  state: runs.state,
  reason: runs.reason,
  plannedAt: runs.plannedAt,
  lastSlot: runs.lastSlot,
  slotCount: runs.slotCount,
  // The log shares the run's key: one primary-key probe per row. Spelt out: drizzle leaves select columns unqualified.
  logged: sql<number>`EXISTS (SELECT 1 FROM ${logs} AS l WHERE l.slot = "runs"."slot" AND l.id_hi = "runs"."id_hi" AND l.id_lo = "runs"."id_lo")`,
};

const newestFirst = [desc(runs.slot), desc(runs.idHi), desc(runs.idLo)];

/** A position's key; an id no run can have sorts before every id of its slot, so paging stays well-defined. */
function before(p: HistoryPosition): SQL {
  const k = logKeyOf(p.id) ?? { slot: p.slot, hi: -1, lo: -1 };
  return sql`(${runs.slot}, ${runs.idHi}, ${runs.idLo}) < (${k.slot}, ${k.hi}, ${k.lo})`;
}

const stateIs = (f: HistoryFilters) => (f.state ? eq(runs.state, runStates.indexOf(f.state)) : undefined);

/** The job's runs within `bounds` and the state filter, in history's columns. */
const selectJobRuns = (db: Db, cronJobId: string, f: HistoryFilters, ...bounds: Array<SQL | undefined>) =>
  db
    .select(columns)
    .from(runs)
    .where(and(eq(runs.job, jobNumber(cronJobId)), ...bounds, stateIs(f)));

/**
 * The page's rows from the job's key range, newest first, `limit` of them. Of the position and end_date only the
 * tighter bounds the range (SQLite would only filter by the other, walking every row back to the position).
 */
export function historyRangeQuery(
  db: Db,
  cronJobId: string,
  f: HistoryFilters,
  after: HistoryPosition | undefined,
  limit: number,
) {
  const endFirst = f.end && after && f.end.end < after.slot;
  return selectJobRuns(
    db,
    cronJobId,
    f,
    f.start ? gte(runs.slot, f.start.start) : undefined,
    f.end && (!after || endFirst) ? lte(runs.slot, f.end.end) : undefined,
    after && !endFirst ? before(after) : undefined,
  )
    .orderBy(...newestFirst)
    .limit(limit);
}

/**
 * The span covering start_date from before it (first slot earlier, last slot at or after): runs_job_span_idx holds
 * only span rows, and spans never overlap, so the first entry ending at or after start_date is the only candidate.
 */
export function spanIntoRangeQuery(db: Db, cronJobId: string, f: HistoryFilters, after: HistoryPosition | undefined) {
  const start = f.start?.start ?? 0;
  return selectJobRuns(
    db,
    cronJobId,
    f,
    isNotNull(runs.lastSlot),
    gte(runs.lastSlot, start),
    lt(runs.slot, start),
    after ? before(after) : undefined,
  )
    .orderBy(asc(runs.lastSlot))
    .limit(1);
}

type Selected = Awaited<ReturnType<typeof historyRangeQuery>>[number];

const toRow = (r: Selected): HistoryRow => ({
  id: idOfLogKey({ slot: r.slot, hi: r.idHi, lo: r.idLo }),
  slot: r.slot,
  attempt: r.attempt,
  origin: runOrigins[r.origin] ?? "schedule",
  state: runStates[r.state] ?? "queued",
  reason: r.reason === null ? null : (runReasons[r.reason] ?? null),
  plannedAt: r.plannedAt,
  lastSlot: r.lastSlot,
  slotCount: r.slotCount,
  logged: Boolean(r.logged),
});

export interface HistoryPage {
  rows: HistoryRow[];
  /** The last row's position when more rows follow, else null. */
  next: HistoryPosition | null;
}

/**
 * A page of the job's history with the job check in one D1 batch; null when the job is not a live job of the
 * account. One extra row tells whether another page follows; the span reaching into start_date comes last, being
 * the oldest key.
 */
export async function findHistoryPage(
  db: Db,
  accountId: string,
  cronJobId: string,
  f: HistoryFilters,
  after: HistoryPosition | undefined,
  limit: number,
): Promise<HistoryPage | null> {
  const scope = { kind: "job" as const, accountId, cronJobId };
  const range = historyRangeQuery(db, cronJobId, f, after, limit + 1);
  const spansIn = f.start !== undefined && (f.state === undefined || f.state === "skipped");
  const res = spansIn
    ? await batchInScope(db, scope, [range, spanIntoRangeQuery(db, cronJobId, f, after)])
    : await batchInScope(db, scope, [range]);
  if (!res) return null;
  const selected = res.flat() as Selected[];
  const rows = selected.slice(0, limit + 1).map(toRow);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next: rows.length > limit && last ? { slot: last.slot, id: last.id } : null };
}
