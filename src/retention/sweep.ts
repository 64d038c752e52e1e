import { and, count, eq, getTableName, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import { deleteExpiredConfirmationSends } from "../alerts/recipients";
import type { Db } from "../db/client";
import {
  accounts,
  confirmationSends,
  cronJobs,
  deliveries,
  idempotencyKeys,
  latencyWindows,
  logBodies,
  logHours,
  logs,
  monitorPings,
  monitors,
  runs,
  runsV1,
} from "../db/schema";
import { deleteExpiredDeliveries } from "../deliveries/store";
import { deleteRunsBefore, newRunsSweep } from "../engine/ledger";
import { deleteExpiredIdempotencyKeys } from "../lib/idempotency/store";
import { logKeyIn } from "../logs/late-lookup";
import { recountHourStatements } from "../logs/rollups";
import { deleteExpiredPings, newPingsSweep, purgeDeletedMonitors } from "../monitors/sweep";
import { CHUNK_START, nextChunkSizeAfter } from "./chunk-size";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Stop starting new chunks after this long; the next sweep continues where this one stopped. */
export const SWEEP_BUDGET_MS = 20_000;

/** Shard tables the sweep deletes from, named from the drizzle schema (test/shards/tables.test.ts checks coverage). */
export const SWEPT_TABLES: readonly string[] = [
  logs,
  logBodies,
  logHours,
  latencyWindows,
  runs,
  runsV1,
  idempotencyKeys,
  deliveries,
  confirmationSends,
  cronJobs,
  monitorPings,
  monitors,
].map((table) => getTableName(table));

export interface SweepOptions {
  retentionDays: number;
  /** The sweep's start: logs older than start - retentionDays go. */
  now: number;
  /** A fixed chunk size instead of the adaptive one (chunk-size.ts). */
  chunk?: number;
  budgetMs?: number;
}

export interface SweepReport {
  event: "retention_sweep";
  cutoff: string;
  expired_deleted: number;
  /** Run-ledger rows of slots older than the cutoff, and every row of a deleted job. */
  runs_deleted: number;
  /** Idempotency keys past their 24-hour window. */
  idempotency_keys_deleted: number;
  /** Callback and alert deliveries fired before the cutoff (src/deliveries/store.ts). */
  deliveries_deleted: number;
  /** Confirmation e-mails sent before the cutoff (src/alerts/recipients.ts). */
  confirmation_sends_deleted: number;
  /** Monitor pings received before the cutoff, and monitors deleted before it with none left (src/monitors/sweep.ts). */
  monitor_pings_deleted: number;
  monitors_purged: number;
  deleted_job_logs_deleted: number;
  jobs_purged: number;
  chunks: number;
  slowest_chunk_ms: number;
  /** Rows asked of the smallest and largest chunk. */
  chunk_rows: { min: number; max: number };
  complete: boolean;
  duration_ms: number;
}

/**
 * Deletes up to `limit` matching logs with their text and subtracts them from log_hours (n, sum_ms; min, max,
 * sketch stay until the hour expires) in one batch. Every statement names the chunk by the same `SELECT … LIMIT`,
 * so all see the same rows; legacy rows (body NULL) subtract nothing. Rows are counted, not read from `changes`,
 * which D1 reports with trigger writes included.
 */
async function deleteChunk(db: Db, where: SQL | undefined, limit: number): Promise<number> {
  const chunkKeys = db
    .select({ slot: logs.slot, idHi: logs.idHi, idLo: logs.idLo })
    .from(logs)
    .where(where)
    .limit(limit);
  // The primary key (slot, id_hi, id_lo) names each row of the chunk.
  const inChunk = logKeyIn(chunkKeys);
  const removed = db
    .select({
      job: sql<number>`${logs.job}`.as("removed_job"),
      // The insert trigger's hour: integer division of the epoch milliseconds (migration 0027).
      hour: sql<number>`${logs.executedAt} / ${sql.raw(String(HOUR_MS))}`.as("removed_hour"),
      status: sql<number>`${logs.status}`.as("removed_status"),
      n: count().as("removed_n"),
      sumMs: sql<number | null>`sum(${logs.responseTimeMs})`.as("removed_sum"),
    })
    .from(logs)
    .where(and(inChunk, isNotNull(logs.body)))
    .groupBy(sql`1`, sql`2`, sql`3`)
    // Aliases no log_hours column shares: drizzle renders them unqualified inside the UPDATE.
    .as("removed");
  const [counted] = await db.batch([
    db.select({ n: count() }).from(chunkKeys.as("chunk")),
    db
      .update(logHours)
      .set({ n: sql`${logHours.n} - ${removed.n}`, sumMs: sql`${logHours.sumMs} - coalesce(${removed.sumMs}, 0)` })
      .from(removed)
      .where(and(eq(logHours.job, removed.job), eq(logHours.status, removed.status), eq(logHours.hour, removed.hour))),
    db
      .delete(logBodies)
      .where(sql`${logBodies.id} IN (SELECT ${logs.body} FROM ${logs} WHERE ${inChunk} AND ${logs.body} > 0)`),
    db.delete(logs).where(inChunk),
  ]);
  return counted[0]?.n ?? 0;
}

/**
 * The daily sweep: logs older than the retention window (a log exactly retentionDays old stays), the run ledger's
 * rows of slots as old, then the logs and rows of deleted jobs, in chunks, until a chunk comes back short or the time budget runs out.
 */
export async function sweep(db: Db, opts: SweepOptions): Promise<SweepReport> {
  const started = Date.now();
  const budget = opts.budgetMs ?? SWEEP_BUDGET_MS;
  const cutoff = opts.now - opts.retentionDays * DAY_MS;
  const withinBudget = () => Date.now() - started < budget;
  let size = opts.chunk ?? CHUNK_START;
  let chunks = 0;
  let slowest = 0;
  const rows = { min: Number.POSITIVE_INFINITY, max: 0 };
  let complete = true;
  /** One chunk; `full` when it deleted all it asked for, so more may match. */
  const timed = async (where: SQL | undefined) => {
    const asked = size;
    const t = Date.now();
    const n = await deleteChunk(db, where, asked);
    const ms = Date.now() - t;
    chunks++;
    slowest = Math.max(slowest, ms);
    rows.min = Math.min(rows.min, asked);
    rows.max = Math.max(rows.max, asked);
    if (opts.chunk === undefined) size = nextChunkSizeAfter(asked, n, ms);
    return { n, full: n === asked };
  };

  // Expired logs per account, each a range of logs_account_time_idx (logs keep no time-only index: it would cost
  // every log another index entry). One probe per account finds those that have any.
  let expired = 0;
  const expiring = await db
    .select({ num: accounts.num })
    .from(accounts)
    .where(
      sql`EXISTS (SELECT 1 FROM ${logs} WHERE ${logs.account} = ${accounts.num} AND ${logs.executedAt} < ${cutoff})`,
    );
  for (const { num } of expiring) {
    if (num === null) continue;
    let done = false;
    while (withinBudget()) {
      const { n, full } = await timed(and(eq(logs.account, num), lt(logs.executedAt, cutoff)));
      expired += n;
      if (!full) {
        done = true;
        break;
      }
    }
    if (!done) {
      complete = false;
      break;
    }
    // The hour the cutoff falls in lost part of its logs: its max, min and sketch are recounted from the rest.
    if (cutoff % HOUR_MS !== 0) {
      await db.batch(
        recountHourStatements(db, num, Math.floor(cutoff / HOUR_MS)) as unknown as Parameters<typeof db.batch>[0],
      );
    }
  }

  /** Runs `step` a chunk at a time until one comes back short; the budget running out leaves the sweep incomplete. */
  const drain = async (step: (limit: number) => Promise<number>) => {
    let total = 0;
    while (complete) {
      if (!withinBudget()) {
        complete = false;
        break;
      }
      const n = await step(size);
      total += n;
      if (n < size) break;
    }
    return total;
  };
  // The ledger's walk (legacy table, then job by job, then deleted jobs) continues across its chunks.
  const runsSweep = newRunsSweep();
  const runsDeleted = await drain((limit) => deleteRunsBefore(db, cutoff, limit, runsSweep));
  // Idempotency keys live 24 hours (src/lib/idempotency/store.ts); a handful of rows a request at most.
  const idempotencyKeysDeleted = await drain((limit) => deleteExpiredIdempotencyKeys(db, opts.now, limit));
  // Deliveries and confirmation sends keep the logs' retention (src/deliveries/store.ts, src/alerts/recipients.ts).
  const deliveriesDeleted = await drain((limit) => deleteExpiredDeliveries(db, cutoff, limit));
  const confirmationSendsDeleted = await drain((limit) => deleteExpiredConfirmationSends(db, cutoff, limit));
  // Pings keep the logs' retention, walked monitor by monitor in one pass; a deleted monitor goes after its pings.
  const pingsSweep = newPingsSweep();
  const monitorPingsDeleted = await drain((limit) => deleteExpiredPings(db, cutoff, limit, pingsSweep));
  const monitorsPurged = await drain((limit) => purgeDeletedMonitors(db, cutoff, limit));

  let orphaned = 0;
  let purged = 0;
  const deleted = complete
    ? await db
        .select({ id: cronJobs.id, num: cronJobs.num })
        .from(cronJobs)
        .where(isNotNull(cronJobs.deletedAt))
        .limit(1000)
    : [];
  for (const job of deleted) {
    let done = false;
    while (withinBudget()) {
      // Every job has a number (migration 0016 numbers inserts); -1 would match no log.
      const { n, full } = await timed(eq(logs.job, job.num ?? -1));
      orphaned += n;
      if (!full) {
        done = true;
        break;
      }
    }
    if (!done) {
      complete = false;
      break;
    }
    // Job numbers are reused (max + 1): nothing keyed by this one may outlive the job, or it would attach to the next.
    await db.batch([
      db.delete(logHours).where(eq(logHours.job, job.num ?? -1)),
      db.delete(latencyWindows).where(eq(latencyWindows.job, job.num ?? -1)),
      db.delete(runs).where(eq(runs.job, job.num ?? -1)),
      db.delete(cronJobs).where(and(eq(cronJobs.id, job.id), isNotNull(cronJobs.deletedAt))),
    ]);
    purged++;
  }
  // A rollup goes once its whole hour has expired (chunks only decrement the hour the cutoff falls in). One scan of
  // log_hours per sweep: a row per job, status and hour, thousands of times fewer than logs.
  if (complete) {
    const hour = Math.floor(cutoff / HOUR_MS);
    // A metrics window merges hours up to its end: once that has expired, so have all of them.
    await db.batch([
      db.delete(logHours).where(lt(logHours.hour, hour)),
      db.delete(latencyWindows).where(lt(latencyWindows.endHour, hour)),
    ]);
  }

  const report: SweepReport = {
    event: "retention_sweep",
    cutoff: new Date(cutoff).toISOString(),
    expired_deleted: expired,
    runs_deleted: runsDeleted,
    idempotency_keys_deleted: idempotencyKeysDeleted,
    deliveries_deleted: deliveriesDeleted,
    confirmation_sends_deleted: confirmationSendsDeleted,
    monitor_pings_deleted: monitorPingsDeleted,
    monitors_purged: monitorsPurged,
    deleted_job_logs_deleted: orphaned,
    jobs_purged: purged,
    chunks,
    slowest_chunk_ms: slowest,
    chunk_rows: { min: chunks > 0 ? rows.min : 0, max: rows.max },
    complete,
    duration_ms: Date.now() - started,
  };
  console.log(JSON.stringify(report));
  return report;
}
