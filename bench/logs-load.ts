/**
 * Load on the logs endpoint of the 200,000-log job through `wrangler dev --persist-to bench/.state --port 8788`,
 * against `GET /health` (the runtime's floor) in the same run, plus the same SQL straight on the same SQLite
 * file with node:sqlite (the storage floor).
 *
 *   npx tsx bench/logs-load.ts        (after bench/seed-million.ts)
 *
 * The SQL of the storage floor is written by hand, equivalent to what src/logs/{filters,keyset,scope,query}.ts
 * build with drizzle for one job's logs (drizzle's .toSQL() needs the Worker's D1 types, not reachable here).
 */
import autocannon from "autocannon";
import {
  type BenchMeta,
  benchWranglerConfig,
  commandLine,
  d1File,
  isMain,
  loadavg1,
  now,
  openDb,
  percentile,
  readMeta,
  round,
  writeResult,
} from "./lib/common";
import { type DevServer, withDev } from "./lib/wrangler-dev";

const PORT = 8788;
const CONNECTIONS = 8;
const DURATION_S = 10;
/** Each scenario is first run this long, unmeasured. */
const WARMUP_S = 1;
/** The /health run paired with each scenario. */
const HEALTH_S = 5;
const LIMIT = 50;
const DEEP_PAGE = 2000;

export interface Scenario {
  name: string;
  label: string;
  path: string;
  /** Storage-floor inputs: which filters, and offset or keyset position. */
  sql?: { status?: string; start?: number; end?: number; offset?: number; after?: { executedAt: number; id: string } };
}

export interface LoadResult {
  name: string;
  label: string;
  path: string;
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** The /health run just before this one. */
  health_req_per_s: number;
  health_p50_ms: number;
  health_p99_ms: number;
  ratio_to_health: number;
  loadavg_before: number;
}

export interface FloorResult {
  name: string;
  label: string;
  job_check_ms: number;
  page_ms: number;
  count_ms: number | null;
  total_ms: number;
  plan: { page: string[]; count: string[] | null };
}

// ---- the storage floor -------------------------------------------------------------------------------

const COLS =
  '"id", "cron_job_id", "account_id", "executed_at", "status", "response_code", "response_body", "error_message", "response_time_ms", "retry_attempt"';
const ORDER = 'order by "execution_logs"."executed_at" desc, "execution_logs"."id" desc';

function whereOf(s: NonNullable<Scenario["sql"]>) {
  const conds = ['"execution_logs"."cron_job_id" = ?'];
  const params: Array<string | number> = [];
  if (s.status) {
    conds.push('"execution_logs"."status" = ?');
    params.push(s.status);
  }
  if (s.start !== undefined) {
    conds.push('"execution_logs"."executed_at" >= ?');
    params.push(s.start);
  }
  if (s.end !== undefined) {
    conds.push('"execution_logs"."executed_at" <= ?');
    params.push(s.end);
  }
  return { conds, params };
}

/** Median of `reps` timed runs (after one untimed run). */
function timeQuery(run: () => unknown, reps: number): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = now();
    run();
    times.push(now() - t);
  }
  times.sort((a, b) => a - b);
  return percentile(times, 50);
}

export function storageFloor(meta: BenchMeta, scenarios: Scenario[]): FloorResult[] {
  const db = openDb(d1File(), { readOnly: true });
  const job = meta.bigJob;
  const check = db.prepare(
    'select "id" from "cron_jobs" where ("cron_jobs"."id" = ? and "cron_jobs"."account_id" = ? and "cron_jobs"."deleted_at" is null)',
  );
  const out: FloorResult[] = [];
  for (const sc of scenarios) {
    if (!sc.sql) continue;
    const { conds, params } = whereOf(sc.sql);
    const base = [job.id, ...params];
    let pageSql: string;
    let pageParams: Array<string | number>;
    if (sc.sql.after) {
      pageSql = `select ${COLS} from "execution_logs" where (${[...conds, '("execution_logs"."executed_at", "execution_logs"."id") < (?, ?)'].join(" and ")}) ${ORDER} limit ?`;
      pageParams = [...base, sc.sql.after.executedAt, sc.sql.after.id, LIMIT + 1];
    } else {
      pageSql = `select ${COLS} from "execution_logs" where (${conds.join(" and ")}) ${ORDER} limit ? offset ?`;
      pageParams = [...base, LIMIT, sc.sql.offset ?? 0];
    }
    const countSql = sc.sql.after ? null : `select count(*) from "execution_logs" where (${conds.join(" and ")})`;
    const page = db.prepare(pageSql);
    const count = countSql ? db.prepare(countSql) : null;
    const plan = (sql: string, p: Array<string | number>) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...p) as Array<{ detail: string }>).map((r) => r.detail);
    const checkMs = timeQuery(() => check.all(job.id, job.accountId), 200);
    const pageMs = timeQuery(() => page.all(...pageParams), 100);
    const countMs = count ? timeQuery(() => count.all(...base), 20) : null;
    out.push({
      name: sc.name,
      label: sc.label,
      job_check_ms: round(checkMs, 3),
      page_ms: round(pageMs, 3),
      count_ms: countMs === null ? null : round(countMs, 3),
      total_ms: round(checkMs + pageMs + (countMs ?? 0), 3),
      plan: { page: plan(pageSql, pageParams), count: countSql ? plan(countSql, base) : null },
    });
    console.log(
      `  floor ${sc.label.padEnd(28)} page ${pageMs.toFixed(3)} ms, count ${countMs === null ? "—" : `${countMs.toFixed(3)} ms`}`,
    );
  }
  db.close();
  return out;
}

/** The position (executed_at, id) of the last row before `offset` in newest-first order: what a cursor names. */
function positionAt(meta: BenchMeta, offset: number) {
  const db = openDb(d1File(), { readOnly: true });
  const row = db
    .prepare(
      `select "executed_at" as executedAt, "id" from "execution_logs" where "execution_logs"."cron_job_id" = ? ${ORDER} limit 1 offset ?`,
    )
    .get(meta.bigJob.id, offset - 1) as { executedAt: number; id: string };
  db.close();
  return row;
}

// ---- load through the Worker -------------------------------------------------------------------------

async function load(dev: DevServer, path: string, headers: Record<string, string>, duration: number) {
  return autocannon({ url: dev.base + path, connections: CONNECTIONS, duration, headers });
}

function summary(r: autocannon.Result) {
  return {
    req_per_s: round(r.requests.average, 1),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/**
 * Each scenario right after its own /health run, so its ratio compares two measurements a few seconds apart:
 * other work on this 2-core machine (test suites, builds) moves both alike.
 */
async function measurePaired(dev: DevServer, scenarios: Scenario[], headers: Record<string, string>) {
  const out: LoadResult[] = [];
  for (const sc of scenarios) {
    await load(dev, sc.path, headers, WARMUP_S);
    const load1 = loadavg1();
    const h = summary(await load(dev, "/health", headers, HEALTH_S));
    const r = summary(await load(dev, sc.path, headers, DURATION_S));
    const row: LoadResult = {
      name: sc.name,
      label: sc.label,
      path: sc.path,
      ...r,
      health_req_per_s: h.req_per_s,
      health_p50_ms: h.p50_ms,
      health_p99_ms: h.p99_ms,
      ratio_to_health: round(r.req_per_s / h.req_per_s, 3),
      loadavg_before: load1,
    };
    out.push(row);
    console.log(
      `  ${sc.label.padEnd(40)} ${r.req_per_s.toFixed(0).padStart(5)} req/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms` +
        `  | /health ${h.req_per_s.toFixed(0)} req/s → ratio ${row.ratio_to_health}  (load ${load1})` +
        (r.non2xx || r.errors || h.non2xx || h.errors
          ? `  non-2xx ${r.non2xx + h.non2xx}, errors ${r.errors + h.errors}`
          : ""),
    );
  }
  return out;
}

async function getJson(dev: DevServer, path: string, headers: Record<string, string>) {
  const res = await fetch(dev.base + path, { headers });
  if (!res.ok) throw new Error(`GET ${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as {
    data: Array<{ id: string; executed_at: string }>;
    pagination: { next_cursor?: string | null; total_items?: number };
  };
}

function isoDate(ms: number) {
  return new Date(ms).toISOString().slice(0, 10);
}

async function main() {
  const meta = readMeta();
  const job = meta.bigJob;
  const account = meta.accounts.find((a) => a.account_id === job.accountId);
  if (!account) throw new Error("bench meta: the big job's account is missing");
  const headers = { "x-api-key": account.api_key, "x-api-secret": account.api_secret };
  const logsPath = (q: string) => `/v1/cron-jobs/${job.accountId}/logs/${job.id}?${q}`;
  const day = isoDate(meta.seededAt - 10 * 86_400_000);
  const dayStart = Date.parse(`${day}T00:00:00.000Z`);
  const dayEnd = dayStart + 86_400_000 - 1;

  const scenarios: Scenario[] = [
    { name: "page1", label: "page 1", path: logsPath(`limit=${LIMIT}`), sql: {} },
    ...["success", "failure", "error", "timeout"].map((status) => ({
      name: `status_${status}`,
      label: `status=${status}, page 1`,
      path: logsPath(`limit=${LIMIT}&status=${status}`),
      sql: { status },
    })),
    {
      name: "day",
      label: `one day (${day}), page 1`,
      path: logsPath(`limit=${LIMIT}&start_date=${day}&end_date=${day}`),
      sql: { start: dayStart, end: dayEnd },
    },
    {
      name: "deep_page",
      label: `page=${DEEP_PAGE} (offset ${(DEEP_PAGE - 1) * LIMIT})`,
      path: logsPath(`limit=${LIMIT}&page=${DEEP_PAGE}`),
      sql: { offset: (DEEP_PAGE - 1) * LIMIT },
    },
  ];

  // What the cursors of page 2 and DEEP_PAGE name, for the storage floor (read before wrangler opens the file).
  const positions = { second: positionAt(meta, LIMIT), deep: positionAt(meta, (DEEP_PAGE - 1) * LIMIT) };
  const config = benchWranglerConfig();
  const t0 = now();
  const result = await withDev({ port: PORT, config: config.path }, async (dev) => {
    // Does the endpoint page by cursor in this build? (pagination.next_cursor on page 1)
    const first = await getJson(dev, logsPath(`limit=${LIMIT}`), headers);
    const cursorSupported = typeof first.pagination.next_cursor === "string";
    const cursorScenarios: Scenario[] = [];
    const cursorCheck: Record<string, unknown> = { supported: cursorSupported };
    if (cursorSupported) {
      // Walk every page by cursor, as a client would, keeping the cursors that open page 2, DEEP_PAGE and the last.
      const tWalk = now();
      const seen = new Set(first.data.map((r) => r.id));
      let cursor = first.pagination.next_cursor as string;
      let pageNo = 2; // the page `cursor` opens
      const keep: Record<number, string> = { 2: cursor };
      let deepFirstId = "";
      for (;;) {
        const res = await getJson(dev, logsPath(`limit=${LIMIT}&cursor=${encodeURIComponent(cursor)}`), headers);
        for (const r of res.data) seen.add(r.id);
        if (pageNo === DEEP_PAGE) deepFirstId = res.data[0]?.id ?? "";
        const next = res.pagination.next_cursor;
        if (typeof next !== "string") break; // `cursor` opened the last page
        cursor = next;
        pageNo++;
        if (pageNo === DEEP_PAGE) keep[DEEP_PAGE] = cursor;
      }
      const walkMs = now() - tWalk;
      const byPage = await getJson(dev, logsPath(`limit=${LIMIT}&page=${DEEP_PAGE}`), headers);
      Object.assign(cursorCheck, {
        pages_walked: pageNo - 1,
        last_page: pageNo,
        distinct_rows_seen: seen.size,
        every_row_once: seen.size === job.logs,
        walk_s: round(walkMs / 1000, 1),
        walk_ms_per_page: round(walkMs / (pageNo - 1), 2),
        deep_page_same_rows_as_page_param: byPage.data[0]?.id === deepFirstId && deepFirstId !== "",
      });
      cursorScenarios.push(
        {
          name: "cursor_2",
          label: "cursor, page 2",
          path: logsPath(`limit=${LIMIT}&cursor=${encodeURIComponent(keep[2] as string)}`),
          sql: { after: positions.second },
        },
        {
          name: "cursor_deep",
          label: `cursor, page ${DEEP_PAGE}`,
          path: logsPath(`limit=${LIMIT}&cursor=${encodeURIComponent(keep[DEEP_PAGE] as string)}`),
          sql: { after: positions.deep },
        },
        {
          name: "cursor_last",
          label: `cursor, last page (${pageNo})`,
          path: logsPath(`limit=${LIMIT}&cursor=${encodeURIComponent(cursor)}`),
          sql: { after: positionAt(meta, (pageNo - 1) * LIMIT) },
        },
        {
          name: "diag_cursor_limit1",
          label: "diagnostic: cursor, page 2, limit=1",
          path: logsPath(`limit=1&cursor=${encodeURIComponent(keep[2] as string)}`),
        },
      );
      console.log(`  cursor walk: ${JSON.stringify(cursorCheck)}`);
    } else {
      console.log("  the endpoint does not return pagination.next_cursor: no cursor scenarios");
    }

    const all: Scenario[] = [
      ...scenarios,
      ...cursorScenarios,
      {
        name: "diag_details",
        label: "diagnostic: GET job details",
        path: `/v1/cron-jobs/${job.accountId}/details/${job.id}`,
      },
    ];
    const loads = await measurePaired(dev, all, headers);
    return { loads, cursorScenarios, cursorCheck };
  });

  // Diagnostic: the same authenticated requests without the rate-limiter binding, to see what it costs locally.
  const noLimiter = benchWranglerConfig({ limiter: false });
  const diagnostic = await withDev({ port: PORT, config: noLimiter.path }, (dev) =>
    measurePaired(
      dev,
      [
        {
          name: "diag_details_nolimiter",
          label: "diagnostic: job details, no limiter",
          path: `/v1/cron-jobs/${job.accountId}/details/${job.id}`,
        },
        {
          name: "cursor_2_nolimiter",
          label: "diagnostic: cursor page 2, no limiter",
          path: result.cursorScenarios[0]?.path ?? logsPath(`limit=${LIMIT}&status=error`),
        },
        { name: "page1_nolimiter", label: "diagnostic: page 1, no limiter", path: logsPath(`limit=${LIMIT}`) },
      ],
      headers,
    ),
  );
  const loads = result.loads;
  const healthRuns = [...loads, ...diagnostic].map((l) => l.health_req_per_s);

  console.log("  storage floor (node:sqlite on the same file, wrangler stopped):");
  const floor = storageFloor(meta, [...scenarios, ...result.cursorScenarios]);

  writeResult("logs-load", {
    command: commandLine(import.meta.filename),
    wrangler_config: { path: config.path, changes: config.changes },
    connections: CONNECTIONS,
    duration_s: DURATION_S,
    warmup_s: WARMUP_S,
    limit: LIMIT,
    big_job: job,
    health_req_per_s: {
      min: Math.min(...healthRuns),
      max: Math.max(...healthRuns),
      mean: round(healthRuns.reduce((a, b) => a + b, 0) / healthRuns.length, 1),
    },
    cursor: result.cursorCheck,
    loads,
    diagnostic: { wrangler_config: { path: noLimiter.path, changes: noLimiter.changes }, loads: diagnostic },
    floor,
    total_s: round((now() - t0) / 1000, 1),
  });
}

if (isMain(import.meta.filename)) await main();
