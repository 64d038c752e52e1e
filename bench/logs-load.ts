/**
 * Load on the logs endpoint of the 200,000-log job through `wrangler dev --persist-to bench/.state --port 8788`,
 * against `GET /health` (the runtime's floor) in the same run, plus the same SQL straight on the same SQLite
 * file with node:sqlite (the storage floor).
 *
 *   npx tsx bench/logs-load.ts        (after bench/seed-million.ts)
 *
 * The storage floor's SQL is captured from src/logs/query.ts findLogsPage over a recording fake D1 (see
 * lib/capture-sql.ts); hand-written equivalents are the fallback if that ever fails.
 */

import autocannon from "autocannon";
import type { ExecutionStatus } from "../src/db/schema";
import { idOfLogKey, logKeyOf } from "../src/logs/log-key";
import { statusNumber } from "../src/logs/log-row";
import { captureLogsBatch } from "./lib/capture-sql";
import {
  type BenchMeta,
  benchWranglerConfig,
  commandLine,
  d1File,
  ensureBundle,
  groupCpuMs,
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
  /** Other headers than the account's key (default). */
  headers?: Record<string, string>;
  /** The status every response should have (default 2xx). */
  expect?: number;
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
  expected_status: number | "2xx";
  unexpected: number;
  /** The /health run just before this one. */
  health_req_per_s: number;
  health_p50_ms: number;
  health_p99_ms: number;
  ratio_to_health: number;
  /** CPU time of wrangler + workerd per request (all processes of its group), and the same for the paired /health. */
  cpu_ms_per_req: number;
  health_cpu_ms_per_req: number;
  /** health CPU per request ÷ this CPU per request: the throughput ratio a CPU-bound, uncontended machine would show. */
  cpu_ratio_to_health: number;
  loadavg_before: number;
}

export interface FloorResult {
  name: string;
  label: string;
  /** Where the SQL came from. */
  sql_source: string;
  job_check_ms: number;
  page_ms: number;
  /** The count statement the Worker sends (null for cursor pages: none). */
  count_ms: number | null;
  /** A plain count(*) over the same filter, for comparison. */
  naive_count_ms: number | null;
  total_ms: number;
  statements: number;
  sql: { page: string; count: string | null };
  plan: { page: string[]; count: string[] | null };
}

// ---- the storage floor -------------------------------------------------------------------------------

// The compact log table (issue 12, src/db/schema.ts `logs`): the id is (slot, id_hi, id_lo), the job its number.
const COLS =
  '"slot", "id_hi", "id_lo", "executed_at", "status", "kind", "response_code", "response_body", "error_message", "response_time_ms", "retry_attempt"';
const ORDER = 'order by "logs"."executed_at" desc, "logs"."slot" desc, "logs"."id_hi" desc, "logs"."id_lo" desc';

function whereOf(s: NonNullable<Scenario["sql"]>) {
  const conds = ['"logs"."job" = (select "num" from "cron_jobs" where "id" = ?)'];
  const params: Array<string | number> = [];
  if (s.status) {
    conds.push('"logs"."status" = ?');
    params.push(statusNumber(s.status as ExecutionStatus));
  }
  if (s.start !== undefined) {
    conds.push('"logs"."executed_at" >= ?');
    params.push(s.start);
  }
  if (s.end !== undefined) {
    conds.push('"logs"."executed_at" <= ?');
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

type Stmt = { sql: string; params: Array<string | number | null> };

/** Hand-written equivalents of src/logs for one job, used only if capturing the real SQL fails. */
function handWritten(jobId: string, accountId: string, spec: NonNullable<Scenario["sql"]>): Stmt[] {
  const { conds, params } = whereOf(spec);
  const base = [jobId, ...params];
  const check = {
    sql: 'select "id" from "cron_jobs" where ("cron_jobs"."id" = ? and "cron_jobs"."account_id" = ? and "cron_jobs"."deleted_at" is null)',
    params: [jobId, accountId],
  };
  if (spec.after) {
    const key = logKeyOf(spec.after.id) ?? { slot: -3, hi: 0, lo: 0 };
    return [
      check,
      {
        sql: `select ${COLS} from "logs" where (${[...conds, '("logs"."executed_at", "logs"."slot", "logs"."id_hi", "logs"."id_lo") < (?, ?, ?, ?)'].join(" and ")}) ${ORDER} limit ?`,
        params: [...base, spec.after.executedAt, key.slot, key.hi, key.lo, LIMIT + 1],
      },
    ];
  }
  return [
    check,
    {
      sql: `select ${COLS} from "logs" where (${conds.join(" and ")}) ${ORDER} limit ? offset ?`,
      params: [...base, LIMIT, spec.offset ?? 0],
    },
    naiveCount(jobId, spec),
  ];
}

/** `count(*)` over the matching index entries: what a page-numbered request cost before any rollup. */
function naiveCount(jobId: string, spec: NonNullable<Scenario["sql"]>): Stmt {
  const { conds, params } = whereOf(spec);
  return { sql: `select count(*) from "logs" where (${conds.join(" and ")})`, params: [jobId, ...params] };
}

/**
 * Times, on the SQLite file, the statements the Worker's logs batch sends for each scenario: the job check,
 * the page and (page numbers only) the count — captured from src/logs/query.ts, or hand-written if that fails.
 * The naive `count(*)` is timed too, for comparison.
 */
export async function storageFloor(meta: BenchMeta, scenarios: Scenario[]): Promise<FloorResult[]> {
  const db = openDb(d1File(), { readOnly: true });
  const job = meta.bigJob;
  const out: FloorResult[] = [];
  for (const sc of scenarios) {
    const spec = sc.sql;
    if (!spec) continue;
    let stmts: Stmt[];
    let source: FloorResult["sql_source"] = "captured from src/logs/query.ts findLogsPage";
    try {
      const range =
        spec.start !== undefined && spec.end !== undefined ? { start: spec.start, end: spec.end } : undefined;
      stmts = await captureLogsBatch({
        accountId: job.accountId,
        cronJobId: job.id,
        status: spec.status,
        start: range,
        end: range,
        paging: spec.after
          ? { after: spec.after, limit: LIMIT }
          : { page: Math.floor((spec.offset ?? 0) / LIMIT) + 1, limit: LIMIT },
      });
    } catch (e) {
      source = `hand-written (capture failed: ${String(e).slice(0, 200)})`;
      stmts = handWritten(job.id, job.accountId, spec);
    }
    const timed = (st: Stmt | undefined, reps: number) => {
      if (!st) return null;
      const q = db.prepare(st.sql);
      return round(
        timeQuery(() => q.all(...st.params), reps),
        3,
      );
    };
    const plan = (st: Stmt | undefined) =>
      st
        ? (db.prepare(`EXPLAIN QUERY PLAN ${st.sql}`).all(...st.params) as Array<{ detail: string }>).map(
            (r) => r.detail,
          )
        : null;
    const [check, page, count] = stmts;
    const checkMs = timed(check, 200) ?? 0;
    const pageMs = timed(page, 100) ?? 0;
    const countMs = timed(count, 50);
    const naive = spec.after ? null : naiveCount(job.id, spec);
    const naiveMs = timed(naive ?? undefined, 20);
    out.push({
      name: sc.name,
      label: sc.label,
      sql_source: source,
      job_check_ms: checkMs,
      page_ms: pageMs,
      count_ms: countMs,
      naive_count_ms: naiveMs,
      total_ms: round(checkMs + pageMs + (countMs ?? 0), 3),
      statements: stmts.length,
      sql: { page: page?.sql ?? "", count: count?.sql ?? null },
      plan: { page: plan(page) ?? [], count: plan(count) },
    });
    console.log(
      `  floor ${sc.label.padEnd(34)} check ${checkMs.toFixed(3)} ms, page ${pageMs.toFixed(3)} ms, count ` +
        `${countMs === null ? "—" : `${countMs.toFixed(3)} ms`} (naive count(*) ${naiveMs === null ? "—" : `${naiveMs.toFixed(3)} ms`})`,
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
      `select "executed_at" as executedAt, "slot", "id_hi" as hi, "id_lo" as lo from "logs"
       where "logs"."job" = (select "num" from "cron_jobs" where "id" = ?) ${ORDER} limit 1 offset ?`,
    )
    .get(meta.bigJob.id, offset - 1) as { executedAt: number; slot: number; hi: number; lo: number };
  db.close();
  return { executedAt: row.executedAt, id: idOfLogKey(row) };
}

// ---- load through the Worker -------------------------------------------------------------------------

async function load(dev: DevServer, path: string, headers: Record<string, string>, duration: number) {
  return autocannon({ url: dev.base + path, connections: CONNECTIONS, duration, headers });
}

function summary(r: autocannon.Result, expect?: number) {
  const codes = (r as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  const expected = expect === undefined ? r.requests.total - r.non2xx : (codes[String(expect)]?.count ?? 0);
  return {
    req_per_s: round(r.requests.average, 1),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    expected_status: expect ?? ("2xx" as const),
    /** Responses other than the expected status (errors aside). */
    unexpected: r.requests.total - expected,
  };
}

/**
 * Each scenario right after its own /health run, so its ratio compares two measurements a few seconds apart:
 * other work on this 2-core machine (test suites, builds) moves both alike.
 */
async function measurePaired(dev: DevServer, scenarios: Scenario[], headers: Record<string, string>) {
  const out: LoadResult[] = [];
  for (const sc of scenarios) {
    await load(dev, sc.path, sc.headers ?? headers, WARMUP_S);
    const load1 = loadavg1();
    const c0 = groupCpuMs(dev.pgid);
    const h = summary(await load(dev, "/health", headers, HEALTH_S));
    const c1 = groupCpuMs(dev.pgid);
    const r = summary(await load(dev, sc.path, sc.headers ?? headers, DURATION_S), sc.expect);
    const c2 = groupCpuMs(dev.pgid);
    const cpuPerReq = (c2 - c1) / Math.max(1, r.requests);
    const healthCpuPerReq = (c1 - c0) / Math.max(1, h.requests);
    const row: LoadResult = {
      name: sc.name,
      label: sc.label,
      path: sc.path,
      ...r,
      health_req_per_s: h.req_per_s,
      health_p50_ms: h.p50_ms,
      health_p99_ms: h.p99_ms,
      ratio_to_health: round(r.req_per_s / h.req_per_s, 3),
      cpu_ms_per_req: round(cpuPerReq, 2),
      health_cpu_ms_per_req: round(healthCpuPerReq, 2),
      cpu_ratio_to_health: round(healthCpuPerReq / cpuPerReq, 3),
      loadavg_before: load1,
    };
    out.push(row);
    console.log(
      `  ${sc.label.padEnd(40)} ${r.req_per_s.toFixed(0).padStart(5)} req/s  p50 ${r.p50_ms} ms  p99 ${r.p99_ms} ms` +
        `  | /health ${h.req_per_s.toFixed(0)} req/s → ratio ${row.ratio_to_health}` +
        `  | CPU ${row.cpu_ms_per_req} ms/req vs ${row.health_cpu_ms_per_req} → ${row.cpu_ratio_to_health}  (load ${load1})` +
        (r.unexpected || r.errors || h.unexpected || h.errors
          ? `  unexpected status ${r.unexpected + h.unexpected}, errors ${r.errors + h.errors}`
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
  const bundle = ensureBundle();
  const config = benchWranglerConfig({ limiter: "raised" });
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
    return { loads, cursorScenarios, cursorCheck, reloads: dev.reloads() };
  });

  // The same requests without the rate-limiter binding: locally it is a Durable Object that writes a SQLite row per
  // call (Cloudflare's binding is a counter cached on the machine running the Worker), so this separates its cost.
  const noLimiter = benchWranglerConfig({ limiter: "none" });
  let diagnosticReloads = 0;
  const diagnostic = await withDev({ port: PORT, config: noLimiter.path }, async (dev) => {
    const out = await measurePaired(
      dev,
      [
        ...scenarios
          .filter((sc) => sc.name !== "deep_page")
          .map((sc) => ({ ...sc, name: `${sc.name}_nolimiter`, label: `${sc.label}, no limiter`, sql: undefined })),
        {
          name: "cursor_2_nolimiter",
          label: "cursor, page 2, no limiter",
          path: result.cursorScenarios[0]?.path ?? logsPath(`limit=${LIMIT}&status=error`),
        },
        {
          name: "diag_details_nolimiter",
          label: "diagnostic: job details, no limiter",
          path: `/v1/cron-jobs/${job.accountId}/details/${job.id}`,
        },
        {
          // An unknown key is never cached: auth's D1 lookup and hash, then a 401 problem — one D1 round trip.
          name: "diag_401",
          label: "diagnostic: unknown key → 401",
          path: `/v1/cron-jobs/${job.accountId}/details/${job.id}`,
          headers: { ...headers, "x-api-key": `${account.api_key}x` },
          expect: 401,
        },
      ],
      headers,
    );
    diagnosticReloads = dev.reloads();
    return out;
  });
  const loads = result.loads;
  const healthRuns = [...loads, ...diagnostic].map((l) => l.health_req_per_s);

  console.log("  storage floor (node:sqlite on the same file, wrangler stopped):");
  const floor = await storageFloor(meta, [...scenarios, ...result.cursorScenarios]);

  writeResult("logs-load", {
    command: commandLine(import.meta.filename),
    bundle,
    wrangler_config: { path: config.path, changes: config.changes },
    reloads: result.reloads + diagnosticReloads,
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
