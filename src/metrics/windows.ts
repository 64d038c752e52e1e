import { and, eq, gt, gte, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, cronJobs, latencyWindows, logHours, shardState } from "../db/schema";
import { firstRolledUpHour, HOUR } from "../logs/rollups";

import { type ClosedHours, merge, mergedHours, takePairs, windowText } from "./merge";

const DAY = 24 * HOUR;

/** The closed hours a window merges (the metrics' LATENCY_HOURS but the previous): it ends at `end`, starts 22 before. */
export const WINDOW_HOURS = 23;

/**
 * A window is rolled forward (hours added at its end, dropped at its start) at most this many hours: each costs two
 * hourly sketches, so past it reading the 23 hours again is as cheap.
 */
export const MAX_ROLL_HOURS = 8;

/** log_hours of a job's successful runs with latencies in hours `first`..`last`. */
const successHours = (job: SQL, first: SQL | number, last: SQL | number): SQL =>
  sql`${logHours.job} = ${job} AND ${logHours.status} = 0 AND ${logHours.hour} BETWEEN ${first} AND ${last} AND ${isNotNull(logHours.sketch)}`;

/** Their count: what a window's hours held when read, checked again when it is stored. */
const successCount = (job: SQL, first: SQL | number, last: SQL | number): SQL =>
  sql`(SELECT coalesce(sum(${logHours.n}), 0) FROM ${logHours} WHERE ${successHours(job, first, last)})`;

/**
 * Per job of `jobs` (a SELECT of job numbers), the success sketches stored for its hours matching `hours`, JSON
 * objects joined by commas, their max and count. Grouped in log_hours' key order: no sort.
 */
export function hourSketches(jobs: SQL, hours: SQL[]): SQL {
  return sql`SELECT ${logHours.job} AS job, group_concat(${logHours.sketch}) AS sketches, max(${logHours.maxMs}) AS mx,
      sum(${logHours.n}) AS n
    FROM ${logHours}
    WHERE ${and(sql`${logHours.job} IN (${jobs})`, eq(logHours.status, 0), ...hours, isNotNull(logHours.sketch))}
    GROUP BY ${logHours.job}`;
}

/**
 * A window that can serve the window ending at `end`: one ending at most MAX_ROLL_HOURS before it. A stored window
 * is current: the triggers on logs drop it when its hours change.
 */
const usable = (end: number): SQL => sql`${latencyWindows.endHour} BETWEEN ${end - MAX_ROLL_HOURS} AND ${end}`;

/** The usable windows of `jobs` (a SELECT of job numbers). */
export function usableWindows(jobs: SQL, end: number): SQL {
  const w = latencyWindows;
  return sql`SELECT ${w.job} AS job, ${w.endHour} AS e, ${w.maxMs} AS mx, ${w.sketch} AS sketch FROM ${w}
    WHERE ${w.job} IN (${jobs}) AND ${usable(end)}`;
}

/** Whether the job has a usable window. */
export const hasUsableWindow = (job: SQL, end: number): SQL =>
  sql`EXISTS (SELECT 1 FROM ${latencyWindows} WHERE ${latencyWindows.job} = ${job} AND ${usable(end)})`;

/**
 * Per job with a usable window: its sketch; when it must roll, the sketches of the hours after it up to `end` (to
 * add) and of those before the new start (to drop), the count of the added ones, and the new window's max. That max
 * is the old one or an added hour's, unless a dropped hour held it: only then are the window's hours read again.
 */
export function rollQuery(db: Db, jobs: SQL, end: number) {
  const start = end - (WINDOW_HOURS - 1);
  const job = sql`w.job`;
  const hours = (first: SQL, last: SQL | number) =>
    sql`SELECT w.job AS job, group_concat(${logHours.sketch}) AS s, sum(${logHours.n}) AS n, max(${logHours.maxMs}) AS mx
      FROM w JOIN ${logHours} ON w.e < ${sql.raw(String(end))} AND ${successHours(job, first, last)} GROUP BY w.job`;
  const rescan = sql`(SELECT max(${logHours.maxMs}) FROM ${logHours} WHERE ${successHours(job, start, end)})`;
  // SQLite's two-argument max() is NULL if either is: an empty window or no added hour has none.
  const kept = sql`coalesce(max(w.mx, a.mx), w.mx, a.mx)`;
  const rows = sql`WITH w AS MATERIALIZED (${usableWindows(jobs, end)}),
      a AS MATERIALIZED (${hours(sql`w.e + 1`, end)}),
      d AS MATERIALIZED (${hours(sql`w.e - ${WINDOW_HOURS - 1}`, start - 1)})
    SELECT w.job AS job, w.e AS e, w.sketch AS sketch, a.s AS added, d.s AS dropped, coalesce(a.n, 0) AS n,
      CASE WHEN d.mx >= w.mx THEN ${rescan} ELSE ${kept} END AS mx
    FROM w LEFT JOIN a ON a.job = w.job LEFT JOIN d ON d.job = w.job`;
  return db
    .select({
      job: sql<number>`job`.mapWith(Number),
      endHour: sql<number>`e`.mapWith(Number),
      sketch: sql<string | null>`sketch`,
      added: sql<string | null>`added`,
      dropped: sql<string | null>`dropped`,
      n: sql<number>`n`.mapWith(Number),
      max: sql<number | null>`mx`,
    })
    .from(sql`(${rows})`);
}

export type RollRow = Awaited<ReturnType<typeof rollQuery>>[number];

/**
 * A window to store: the job's merged counts of hours end − 22..end (merge.ts windowText, null when empty); `n`
 * counts the successful runs of the hours read to make it, those after `from` (the window it rolled, whose sketch
 * was `fromSketch`) or all.
 */
export interface Window {
  job: number;
  endHour: number;
  from: number | null;
  fromSketch: string | null;
  n: number;
  maxMs: number | null;
  sketch: string | null;
}

/** Windows a statement: D1 binds ≤ 100 parameters, 7 a window. */
const PER_STATEMENT = 14;

/**
 * Stores windows, each only if what it was made of is unchanged: the window it rolled still stored as read (the
 * triggers drop it when its hours change) and the hours read still holding the same count. A newer window (another
 * isolate's) stays.
 */
export function writeWindows(db: Db, windows: readonly Window[]) {
  const w = latencyWindows;
  const out = [];
  for (let i = 0; i < windows.length; i += PER_STATEMENT) {
    const chunk = windows.slice(i, i + PER_STATEMENT);
    const values = sql.join(
      chunk.map((x) => sql`(${x.job}, ${x.endHour}, ${x.maxMs}, ${x.sketch}, ${x.from}, ${x.n}, ${x.fromSketch})`),
      sql`, `,
    );
    const [job, endHour, from, n, fromSketch] = [sql`column1`, sql`column2`, sql`column5`, sql`column6`, sql`column7`];
    const first = sql`coalesce(${from} + 1, ${endHour} - ${sql.raw(String(WINDOW_HOURS - 1))})`;
    // The very window read, not one rebuilt since with the same end (another tick's, after a late log).
    const same = sql`${w.job} = ${job} AND ${w.endHour} = ${from} AND ${w.sketch} IS ${fromSketch}`;
    const rolled = sql`(${from} IS NULL OR EXISTS (SELECT 1 FROM ${w} WHERE ${same}))`;
    const read = sql`SELECT column1, column2, column3, column4 FROM (VALUES ${values})
      WHERE ${rolled} AND ${n} = ${successCount(job, first, endHour)}`;
    out.push(
      db
        .insert(w)
        .select(read)
        .onConflictDoUpdate({
          target: w.job,
          set: { endHour: sql`excluded.end_hour`, maxMs: sql`excluded.max_ms`, sketch: sql`excluded.sketch` },
          setWhere: sql`excluded.end_hour >= ${w.endHour}`,
        }),
    );
  }
  return out;
}

/** A window's closed hours rolled forward to the query's end, and whether a count fell below 0. */
export function rollForward(w: RollRow): ClosedHours & { negative: boolean } {
  merge(
    [
      [w.added, 1],
      [w.dropped, -1],
    ],
    undefined,
    w.sketch,
  );
  return takePairs(w.max);
}

/** The triggers on logs make a negative count impossible; were one to appear, it is said (the job returned). */
export function reportNegative(job: number, end: number): number {
  console.error(JSON.stringify({ event: "latency_window_inconsistent", job, end_hour: end }));
  return job;
}

/** Windows are kept for accounts scraped within a week (metrics_scraped_hour): a scraper down a weekend finds them. */
export const SCRAPED_WITHIN_HOURS = 7 * 24;
/**
 * And for any job whose last closed hour's success sketch is this long, scraped or not: an account's first scrape
 * would otherwise merge 23 such hours a job, and the window's one row an hour is about 1 % of such a job's writes.
 * Measured: bench/RESULTS.md §15 (100 jobs just under it, merged cold, stay within the reads' budget).
 */
export const BUSY_SKETCH_BYTES = 64;
/** shard_state key: the last closed hour whose scan for busy jobs went through every job (once an hour). */
export const BUSY_SCANNED = "latency_windows_busy_hour";
/** Jobs a maintenance round trip handles; a tick makes at most MAINTAIN_CHUNKS of them (3 D1 queries each). */
const MAINTAIN_JOBS = 100;
export const MAINTAIN_CHUNKS = 10;

/** The job's success sketch of hour `end` is BUSY_SKETCH_BYTES or longer. */
const busyAt = (end: number): SQL =>
  sql`EXISTS (SELECT 1 FROM ${logHours} WHERE ${logHours.job} = ${cronJobs.num} AND ${logHours.status} = 0
    AND ${logHours.hour} = ${end} AND length(${logHours.sketch}) >= ${BUSY_SKETCH_BYTES})`;

/**
 * The tick's part: every live job of an account scraped within a week, and every busy job, gets its window ending at
 * the last closed hour, rolled from the one it has or merged from its hours, so scrapes only read. Busy jobs are
 * looked for once an hour (they need every job read). Stops after `chunks` round trips (the next tick goes on). None
 * while the store migration still holds legacy logs of those hours, nor when they come within an hour of the
 * retention cutoff: the sweep recounts the cutoff's hour without a log trigger to drop them.
 */
export async function maintainWindows(db: Db, now: number, retentionDays: number, chunks = MAINTAIN_CHUNKS) {
  const hour = Math.floor(now / HOUR);
  const end = hour - 2;
  const start = end - (WINDOW_HOURS - 1);
  const report = { windows: 0, complete: true };
  if (start <= Math.floor((now - retentionDays * DAY) / HOUR) + 1) return report;
  const [state] = await db
    .select({
      first: sql<number | null>`${firstRolledUpHour}`,
      scanned: sql<
        number | null
      >`(SELECT ${shardState.value} FROM ${shardState} WHERE ${shardState.key} = ${BUSY_SCANNED})`,
    })
    .from(sql`(SELECT 1)`);
  if (state?.first != null && state.first > start) return report;
  const scraped = gte(accounts.metricsScrapedHour, hour - SCRAPED_WITHIN_HOURS);
  const scanBusy = state?.scanned == null || state.scanned < end;
  // Stored with the pass's last batch: a pass cut short by `chunks` scans again next tick.
  const scannedMark = db
    .insert(shardState)
    .values({ key: BUSY_SCANNED, value: end })
    .onConflictDoUpdate({
      target: shardState.key,
      set: { value: sql`excluded.value` },
      setWhere: sql`excluded.value > ${shardState.value}`,
    });
  let after = Number.MIN_SAFE_INTEGER;
  for (let c = 0; c < chunks; c++) {
    // The hour's busy scan walks every job by number; otherwise only scraped accounts' jobs are read (CROSS JOIN
    // keeps accounts_metrics_scraped_idx the outer loop), so a tick with nothing due reads no other job.
    const due = (
      await db.all<{ num: number }>(sql`SELECT ${cronJobs.num} AS num
        FROM ${accounts} ${scanBusy ? sql`JOIN` : sql`CROSS JOIN`} ${cronJobs} ON ${cronJobs.accountId} = ${accounts.id}
        LEFT JOIN ${latencyWindows} ON ${latencyWindows.job} = ${cronJobs.num}
        WHERE ${and(
          scanBusy ? or(scraped, busyAt(end)) : scraped,
          isNull(cronJobs.deletedAt),
          gt(cronJobs.num, after),
          or(isNull(latencyWindows.job), lt(latencyWindows.endHour, end)),
        )}
        ORDER BY ${cronJobs.num} LIMIT ${MAINTAIN_JOBS}`)
    ).map((r) => ({ num: Number(r.num) }));
    const last = due.length < MAINTAIN_JOBS;
    if (due.length === 0) {
      if (scanBusy) await scannedMark;
      return report;
    }
    after = due[due.length - 1]?.num ?? after;
    const jobs = sql`SELECT value FROM json_each(${JSON.stringify(due.map((d) => d.num))})`;
    const usable = sql`SELECT job FROM (${usableWindows(jobs, end)})`;
    const [rolls, built] = await db.batch([
      rollQuery(db, jobs, end),
      db
        .select({
          job: sql<number>`job`.mapWith(Number),
          sketches: sql<string>`sketches`,
          max: sql<number | null>`mx`,
          n: sql<number>`n`.mapWith(Number),
        })
        .from(
          sql`(${hourSketches(sql`${jobs} EXCEPT ${usable}`, [sql`${logHours.hour} BETWEEN ${start} AND ${end}`])})`,
        ),
    ]);
    const windows: Window[] = [];
    const rolled = new Set<number>();
    const inconsistent: number[] = [];
    for (const w of rolls) {
      rolled.add(w.job);
      const { pairs, max, negative } = rollForward(w);
      if (negative) inconsistent.push(reportNegative(w.job, end));
      else {
        const from = { from: w.endHour, fromSketch: w.sketch };
        windows.push({ job: w.job, endHour: end, ...from, n: w.n, maxMs: max, sketch: windowText(pairs) });
      }
    }
    const byJob = new Map(built.map((b) => [b.job, b]));
    for (const { num } of due) {
      if (rolled.has(num)) continue;
      const b = byJob.get(num);
      const { pairs, max } = mergedHours(b?.sketches, b?.max ?? null);
      const built = { from: null, fromSketch: null, n: b?.n ?? 0 };
      windows.push({ job: num, endHour: end, ...built, maxMs: max, sketch: windowText(pairs) });
    }
    // An inconsistent window goes: the next tick merges the job's hours again.
    const drop = inconsistent.map((job) => db.delete(latencyWindows).where(eq(latencyWindows.job, job)));
    const mark = last && scanBusy ? [scannedMark] : [];
    const [first, ...rest] = [...writeWindows(db, windows), ...drop, ...mark];
    if (first) await db.batch([first, ...rest]);
    report.windows += windows.length;
    if (last) return report;
  }
  report.complete = false;
  return report;
}

/**
 * The account's metrics_scraped_hour, read with a scrape; and, after it, the statement that moves it to this hour
 * when it is older (at most one write an hour).
 */
export const scrapedHourQuery = (db: Db, accountId: string) =>
  db.select({ hour: accounts.metricsScrapedHour }).from(accounts).where(eq(accounts.id, accountId));

export function markScraped(db: Db, accountId: string, now: number, seen: number | null | undefined) {
  const hour = Math.floor(now / HOUR);
  if (seen != null && seen >= hour) return;
  return db
    .update(accounts)
    .set({ metricsScrapedHour: hour })
    .where(
      and(eq(accounts.id, accountId), or(isNull(accounts.metricsScrapedHour), lt(accounts.metricsScrapedHour, hour))),
    );
}
