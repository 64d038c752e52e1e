import { and, asc, gt, gte, isNotNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accounts, type MonitorRow, monitors } from "../db/schema";
import type { OutboxEntry } from "../lib/messages";
import { monitorAlertPlan } from "./alerts";

/** Monitors per page: one indexed SELECT, then their flips in batches. */
export const CHECK_PAGE = 100;
/** Statements per flip batch: a page of monitors with five channels each is six batches, not one huge one. */
const BATCH_STATEMENTS = 200;
/**
 * The check's own share of the tick's D1 queries (an invocation may make 1,000; dispatch keeps 800, src/engine/
 * dispatch.ts MAX_PAGES). A page costs at most 1 + 6 + 1 (the alerts' send); past the budget a continuation
 * carries on in an invocation of its own (src/ticks.ts).
 */
export const CHECK_QUERY_BUDGET = 150;
const PAGE_WORST_CASE = 8;

type DueMonitor = Pick<
  MonitorRow,
  | "id"
  | "accountId"
  | "name"
  | "slug"
  | "alertPolicy"
  | "downAt"
  | "openStartAt"
  | "graceSeconds"
  | "lastPingAt"
  | "configVersion"
>;

const notFenced = sql`NOT EXISTS (SELECT 1 FROM ${accounts} WHERE ${accounts.id} = ${monitors.accountId} AND ${accounts.fencedAt} IS NOT NULL)`;

/** One page of monitors past their down_at, keyset-ordered by (down_at, id) along monitors_down_idx. */
export function selectDueMonitors(
  db: Db,
  now: number,
  after: { downAt: number; id: string } | null,
  limit: number,
): Promise<DueMonitor[]> {
  // One range on monitors_down_idx (down_at >= …), the rest a filter: an OR of ranges would make SQLite sort every
  // remaining due row for each page (bench/RESULTS.md "Heartbeat monitors").
  const keyset = after
    ? and(gte(monitors.downAt, after.downAt), or(gt(monitors.downAt, after.downAt), gt(monitors.id, after.id)))
    : undefined;
  return db
    .select({
      id: monitors.id,
      accountId: monitors.accountId,
      name: monitors.name,
      slug: monitors.slug,
      alertPolicy: monitors.alertPolicy,
      downAt: monitors.downAt,
      openStartAt: monitors.openStartAt,
      graceSeconds: monitors.graceSeconds,
      lastPingAt: monitors.lastPingAt,
      configVersion: monitors.configVersion,
    })
    .from(monitors)
    .where(and(isNotNull(monitors.downAt), lte(monitors.downAt, now), keyset, notFenced))
    .orderBy(asc(monitors.downAt), asc(monitors.id))
    .limit(limit);
}

type Statement = Parameters<Db["batch"]>[0][number];

/**
 * A due monitor's flip to `down` and its `down` alert, conditional on the row still being as read (up, this
 * down_at, this configuration), so of overlapping ticks exactly one flips it and a ping that came first wins.
 */
export function flipStatements(db: Db, m: DueMonitor, now: number) {
  const downAt = m.downAt as number;
  const still: SQL = sql`${monitors.id} = ${m.id} AND ${monitors.state} = 'up' AND ${monitors.downAt} = ${downAt} AND ${monitors.configVersion} = ${m.configVersion} AND ${monitors.deletedAt} IS NULL AND ${notFenced}`;
  const timedOut = m.openStartAt !== null && m.openStartAt + m.graceSeconds * 1000 === downAt;
  const plan = monitorAlertPlan(
    db,
    m,
    {
      event: "down",
      reason: timedOut ? "start_timeout" : "missed",
      at: downAt,
      exitStatus: null,
      lastPingAt: m.lastPingAt,
      startedAt: timedOut ? m.openStartAt : null,
    },
    `d${downAt}`,
    sql`EXISTS (SELECT 1 FROM ${monitors} WHERE ${still})`,
    now,
  );
  const flip = db
    .update(monitors)
    .set({ state: "down", stateChangedAt: downAt, downAt: null })
    .where(still)
    .returning({ id: monitors.id });
  return { statements: [...plan.statements, flip] as Statement[], entries: plan.entries };
}

export interface CheckReport {
  event: "monitor_check";
  due: number;
  flipped: number;
  alerts: number;
  pages: number;
  queries: number;
  complete: boolean;
  /** Wall time of the check, as dispatch_tick reports its own. */
  duration_ms: number;
}

/**
 * The tick's missed-ping check (README "Monitors"): pages of monitors past down_at, each flipped to `down` with its
 * alert in batches, the alerts handed to `send` after each page. Stops starting pages once `queryBudget` could be
 * exceeded and reports `complete: false`, so the caller continues in an invocation of its own.
 */
export async function checkMonitors(
  db: Db,
  now: number,
  send: (entries: OutboxEntry[]) => Promise<unknown>,
  opts: { queryBudget?: number; pageSize?: number } = {},
): Promise<CheckReport> {
  const budget = opts.queryBudget ?? CHECK_QUERY_BUDGET;
  const pageSize = opts.pageSize ?? CHECK_PAGE;
  const started = Date.now();
  const report: CheckReport = {
    event: "monitor_check",
    due: 0,
    flipped: 0,
    alerts: 0,
    pages: 0,
    queries: 0,
    complete: true,
    duration_ms: 0,
  };
  let cursor: { downAt: number; id: string } | null = null;
  for (;;) {
    if (report.queries + PAGE_WORST_CASE > budget) {
      report.complete = false;
      break;
    }
    const page = await selectDueMonitors(db, now, cursor, pageSize);
    report.pages++;
    report.queries++;
    if (page.length === 0) break;
    report.due += page.length;
    const last = page[page.length - 1] as DueMonitor;
    cursor = { downAt: last.downAt as number, id: last.id };

    const flips = page.map((m) => flipStatements(db, m, now));
    const sent: OutboxEntry[] = [];
    for (let i = 0; i < flips.length; ) {
      const chunk: typeof flips = [];
      let size = 0;
      while (
        i < flips.length &&
        (chunk.length === 0 || size + (flips[i]?.statements.length ?? 0) <= BATCH_STATEMENTS)
      ) {
        const f = flips[i++] as (typeof flips)[number];
        chunk.push(f);
        size += f.statements.length;
      }
      const results = (await db.batch(chunk.flatMap((f) => f.statements) as [Statement, ...Statement[]])) as unknown[];
      report.queries++;
      let at = 0;
      for (const f of chunk) {
        at += f.statements.length;
        // The flip is each monitor's last statement: RETURNING a row means this tick flipped it.
        if (((results[at - 1] as unknown[] | undefined)?.length ?? 0) === 1) {
          report.flipped++;
          sent.push(...f.entries);
        }
      }
    }
    if (sent.length > 0) {
      await send(sent);
      report.queries++;
      report.alerts += sent.length;
    }
    if (page.length < pageSize) break;
  }
  report.duration_ms = Date.now() - started;
  if (report.due > 0 || !report.complete) console.log(JSON.stringify(report));
  return report;
}
