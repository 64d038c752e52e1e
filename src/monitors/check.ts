import { and, asc, getTableName, gt, gte, isNotNull, lte, or, type SQL, sql } from "drizzle-orm";
import { rulesFor } from "../calendars/cache";
import { windowAt } from "../calendars/rules";
import type { Db } from "../db/client";
import { accounts, type MonitorRow, maintenanceWindows, monitors } from "../db/schema";
import type { OutboxEntry } from "../lib/messages";
import { alertsFor, monitorAlertPlan } from "./alerts";
import type { CheckReport } from "./check-report";

/** Monitors per page: one indexed SELECT, then their flips in batches. */
export const CHECK_PAGE = 100;
/** Statements per flip batch: a page of monitors with five channels each is six batches, not one huge one. */
const BATCH_STATEMENTS = 200;
/**
 * The check's own share of the tick's D1 queries (an invocation may make 1,000; dispatch keeps 800, src/engine/
 * dispatch.ts MAX_PAGES). A page costs at most 1 + 1 (windows) + 6 + 1 (the alerts' send); past the budget a continuation
 * carries on in an invocation of its own (src/ticks.ts).
 */
export const CHECK_QUERY_BUDGET = 150;
const PAGE_WORST_CASE = 9;

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
  | "tags"
> & {
  /** Whether the monitor's account has any maintenance window: only then does the check load its windows. */
  hasWindows?: boolean;
};

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
      tags: monitors.tags,
      // Qualified by hand: drizzle writes a select's columns unqualified, which the subquery would take as its own.
      hasWindows:
        sql<boolean>`EXISTS (SELECT 1 FROM ${maintenanceWindows} AS mw WHERE mw.${sql.identifier(maintenanceWindows.accountId.name)} = ${sql.identifier(getTableName(monitors))}.${sql.identifier(monitors.accountId.name)})`.mapWith(
          Boolean,
        ),
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
export function flipStatements(db: Db, m: DueMonitor, now: number, silenced = false) {
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
  // A maintenance window over the deadline (src/calendars): the monitor goes down, no alert is written.
  if (silenced) return { statements: [flip] as Statement[], entries: [] };
  return { statements: [...plan.statements, flip] as Statement[], entries: plan.entries };
}

/**
 * The page's monitors whose `down` deadline falls in a `skip` or `mute` window covering them: one batch for the
 * accounts that have windows (the page query says which), none otherwise.
 */
async function silencedDeadlines(db: Db, page: DueMonitor[], now: number) {
  const needy = page.filter((m) => m.hasWindows && alertsFor(m, "down").length > 0);
  if (needy.length === 0) return { ids: new Set<string>(), queried: false };
  const rules = await rulesFor(
    db,
    needy.map((m) => m.accountId),
    now,
  );
  const ids = new Set<string>();
  for (const m of needy) {
    const account = rules.get(m.accountId);
    const subject = { kind: "monitor" as const, id: m.id, tags: JSON.parse(m.tags) as string[] };
    if (account && windowAt(account, subject, m.downAt as number, ["skip", "mute"])) ids.add(m.id);
  }
  return { ids, queried: true };
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

    const silenced = await silencedDeadlines(db, page, now);
    if (silenced.queried) report.queries++;
    const flips = page.map((m) => flipStatements(db, m, now, silenced.ids.has(m.id)));
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
