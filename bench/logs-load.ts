/**
 * The logs endpoint of the big job under load, each scenario right after its own /health run (so the machine's load
 * moves both), with and without the limiter binding, CPU per request from /proc; then the storage floor: the
 * statements src/logs/query.ts sends, recorded over node:sqlite and replayed timed, beside a plain count(*).
 *   npx tsx bench/logs-load.ts [--smoke]        (after bench/seed-million.ts)
 */
import autocannon from "autocannon";
import { idOfLogKey } from "../src/logs/log-key";
import { statusNumber } from "../src/logs/log-row";
import { importSrc, recordingDb, replayer, type Stmt } from "./lib/d1-node";
import * as h from "./lib/harness";
import { type DevServer, withDev } from "./lib/wrangler-dev";

const [CONNECTIONS, DURATION_S, HEALTH_S, DEEP_PAGE] = h.size([8, 10, 5, 2000], [2, 1, 1, 4]);
const LIMIT = 50;
type Position = { executedAt: number; id: string };
/** The storage floor's request: findLogsPage's filters and paging as the route passes them. */
type Floor = { status?: string; day?: { start: number; end: number }; offset?: number; after?: Position };
type Scenario = {
  name: string;
  label: string;
  path: string;
  headers?: Record<string, string>;
  expect?: number;
  floor?: Floor;
};

const meta = h.readMeta();
const job = meta.bigJob;
const headers = h.bigJobHeaders(meta);
const logsPath = (q: string, limit = LIMIT) => `/v1/cron-jobs/${job.accountId}/logs/${job.id}?limit=${limit}${q}`;
const details = `/v1/cron-jobs/${job.accountId}/details/${job.id}`;
const day = new Date(meta.seededAt - 10 * h.DAY_MS).toISOString().slice(0, 10);
const dayStart = Date.parse(`${day}T00:00:00.000Z`);
const sc = (name: string, label: string, path: string, floor?: Floor): Scenario => ({ name, label, path, floor });

/** The position of the row just before `offset`, newest first: what a cursor names. */
function positionAt(offset: number): Position {
  const order = "executed_at DESC, slot DESC, id_hi DESC, id_lo DESC";
  const sql = `SELECT executed_at AS executedAt, slot, id_hi AS hi, id_lo AS lo FROM logs WHERE job = (SELECT num FROM cron_jobs WHERE id = ?) ORDER BY ${order} LIMIT 1 OFFSET ?`;
  const db = h.openDb(h.d1File(), true);
  const row = db.prepare(sql).get(job.id, offset - 1) as { executedAt: number; slot: number; hi: number; lo: number };
  db.close();
  return { executedAt: row.executedAt, id: idOfLogKey(row) };
}

const scenarios = [
  sc("page1", "page 1", logsPath(""), {}),
  ...["success", "failure", "error", "timeout"].map((s) =>
    sc(`status_${s}`, `status=${s}, page 1`, logsPath(`&status=${s}`), { status: s }),
  ),
  sc("day", `one day (${day}), page 1`, logsPath(`&start_date=${day}&end_date=${day}`), {
    day: { start: dayStart, end: dayStart + h.DAY_MS - 1 },
  }),
  sc("deep_page", `page=${DEEP_PAGE} (offset ${(DEEP_PAGE - 1) * LIMIT})`, logsPath(`&page=${DEEP_PAGE}`), {
    offset: (DEEP_PAGE - 1) * LIMIT,
  }),
];

/** Each scenario after a 1 s warm-up and its own /health run. */
async function measurePaired(dev: DevServer, list: Scenario[]) {
  const run = async (path: string, hd: Record<string, string>, duration: number, expect?: number) => {
    const c0 = h.groupCpuMs(dev.pgid);
    const r = await autocannon({ url: dev.base + path, connections: CONNECTIONS, duration, headers: hd });
    const codes = (r as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
    const good = expect ? (codes[expect]?.count ?? 0) : r.requests.total - r.non2xx;
    const cpu = h.round((h.groupCpuMs(dev.pgid) - c0) / Math.max(1, r.requests.total), 2);
    return {
      req_per_s: h.round(r.requests.average, 1),
      p50_ms: r.latency.p50,
      p99_ms: r.latency.p99,
      cpu_ms_per_req: cpu,
      bad: r.requests.total - good + r.errors + r.timeouts,
    };
  };
  const out = [];
  for (const s of list) {
    await run(s.path, s.headers ?? headers, 1);
    const loadavg = h.loadavg1();
    const health = await run("/health", headers, HEALTH_S);
    out.push({
      name: s.name,
      label: s.label,
      ...(await run(s.path, s.headers ?? headers, DURATION_S, s.expect)),
      health,
      loadavg,
    });
    console.log(`  ${s.label}: ${out.at(-1)?.req_per_s} req/s against /health's ${health.req_per_s}`);
  }
  return out;
}

async function page(dev: DevServer, path: string) {
  const res = await fetch(dev.base + path, { headers });
  if (!res.ok) throw new Error(`GET ${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as { data: Array<{ id: string }>; pagination: { next_cursor?: string | null } };
}

/** Walks every page by cursor as a client would, keeping the cursors of page 2, DEEP_PAGE and the last page. */
async function cursorWalk(dev: DevServer) {
  const t = h.now();
  let res = await page(dev, logsPath(""));
  const seen = new Set(res.data.map((r) => r.id));
  const cursors: string[] = [];
  let deepFirstId = "";
  while (typeof res.pagination.next_cursor === "string") {
    cursors.push(encodeURIComponent(res.pagination.next_cursor)); // cursors[i] opens page i + 2
    res = await page(dev, logsPath(`&cursor=${cursors.at(-1)}`));
    for (const r of res.data) seen.add(r.id);
    if (cursors.length + 1 === DEEP_PAGE) deepFirstId = res.data[0]?.id ?? "";
  }
  const walkMs = h.now() - t;
  const last = cursors.length + 1;
  const samePage = (await page(dev, logsPath(`&page=${DEEP_PAGE}`))).data[0]?.id === deepFirstId;
  const perPage = h.round(walkMs / cursors.length, 2);
  const check = { pages_walked: cursors.length, walk_ms_per_page: perPage, every_row_once: seen.size === job.logs };
  Object.assign(check, { [`page ${DEEP_PAGE} by cursor = page=${DEEP_PAGE}`]: samePage });
  const at = (p: number) => logsPath(`&cursor=${cursors[p - 2]}`);
  const list = [
    sc("cursor_2", "cursor, page 2", at(2), { after: positionAt(LIMIT) }),
    sc("cursor_deep", `cursor, page ${DEEP_PAGE}`, at(DEEP_PAGE), { after: positionAt((DEEP_PAGE - 1) * LIMIT) }),
    sc("cursor_last", `cursor, last page (${last})`, at(last), { after: positionAt((last - 1) * LIMIT) }),
  ];
  return { check, cursors: list, limit1: logsPath(`&cursor=${cursors[0]}`, 1) };
}

const bundle = h.ensureBundle();
const config = h.benchWranglerConfig({ limiter: "raised" });
const measured = await withDev({ config: config.path }, async (dev) => {
  const walk = await cursorWalk(dev);
  const diag = [sc("diag_cursor_limit1", "diagnostic: cursor, page 2, limit=1", walk.limit1)];
  diag.push(sc("diag_details", "diagnostic: GET job details", details));
  return { walk, loads: await measurePaired(dev, [...scenarios, ...walk.cursors, ...diag]), reloads: dev.reloads() };
});
// Without the limiter binding (locally a Durable Object writing a SQLite row per call), to separate its cost; and an
// unknown key, never cached: the key lookup (one D1 round trip) and its hash, then a 401.
const noLimiter = h.benchWranglerConfig({ limiter: "none" });
const unknownKey = { ...sc("diag_401", "diagnostic: unknown key → 401", details), expect: 401 };
unknownKey.headers = { ...headers, "x-api-key": `${headers["x-api-key"]}x` };
const noLimit = (s: Scenario) => sc(`${s.name}_nolimiter`, `${s.label}, no limiter`, s.path);
const diagnostic = await withDev({ config: noLimiter.path }, (dev) =>
  measurePaired(dev, [
    ...[...scenarios.filter((s) => s.name !== "deep_page"), measured.walk.cursors[0] as Scenario].map(noLimit),
    sc("diag_details_nolimiter", "diagnostic: job details, no limiter", details),
    unknownKey,
  ]),
);

// The storage floor, wrangler stopped.
const { findLogsPage } = await importSrc<{ findLogsPage: (...a: unknown[]) => Promise<unknown> }>("src/logs/query.ts");
const db = h.openDb(h.d1File(), true);
const timer = replayer(db);
type FloorTime = { statement_ms: number[]; total_ms: number; naive_count_ms: number | null; [k: string]: unknown };
const floor = new Map<string, FloorTime>();
const OF_JOB = "job = (SELECT num FROM cron_jobs WHERE id = ?)";
for (const { name, floor: f = {} } of [...scenarios, ...measured.walk.cursors]) {
  const trips: Stmt[][] = [];
  const paging = f.after ? { after: f.after, limit: LIMIT } : { page: (f.offset ?? 0) / LIMIT + 1, limit: LIMIT };
  const scope = { kind: "job", accountId: job.accountId, cronJobId: job.id };
  await findLogsPage(await recordingDb(db, trips), scope, { status: f.status, start: f.day, end: f.day }, paging);
  const ms = trips.flat().map((st) => h.round(timer.time([[st]]), 3));
  const where = [OF_JOB, f.status && "status = ?", f.day && "executed_at BETWEEN ? AND ?"];
  const status = f.status ? [statusNumber(f.status as "success")] : [];
  const params = [job.id, ...status, ...(f.day ? [f.day.start, f.day.end] : [])];
  const naive = { sql: `SELECT count(*) FROM logs WHERE ${where.filter(Boolean).join(" AND ")}`, params };
  const total = h.round(h.sum(ms), 3);
  const [count, sql] = [f.after ? null : h.round(timer.time([[naive]]), 3), trips.flat().map((st) => st.sql)];
  floor.set(name, { statement_ms: ms, total_ms: total, naive_count_ms: count, sql, plan: timer.plan(trips) });
}
db.close();

type Load = (typeof measured.loads)[number];
const ratio = (l: Load) => h.round(l.req_per_s / l.health.req_per_s, 2);
const cpuRatio = (l: Load) => h.round(l.health.cpu_ms_per_req / l.cpu_ms_per_req, 2);
const all = [...measured.loads, ...diagnostic];
const setup = { bundle, wrangler_config: config.changes, no_limiter: noLimiter.changes, limit: LIMIT, big_job: job };
const title = `Logs endpoint: ${CONNECTIONS} connections, ${DURATION_S} s per scenario after its ${HEALTH_S} s /health run`;
const json = {
  ...setup,
  reloads: measured.reloads,
  cursor: measured.walk.check,
  loads: all,
  floor: Object.fromEntries(floor),
};
h.writeResult("logs-load", json, [
  h.table(title, all, [
    ["Scenario", (l) => l.label],
    ["req/s", (l) => l.req_per_s],
    ["p50 ms", (l) => l.p50_ms],
    ["p99 ms", (l) => l.p99_ms],
    ["paired /health req/s, p50 / p99 ms", (l) => `${l.health.req_per_s}, ${l.health.p50_ms} / ${l.health.p99_ms}`],
    ["ratio to /health: req/s", ratio],
    ["p50 ×", (l) => h.round(l.p50_ms / l.health.p50_ms, 1)],
    ["p99 ×", (l) => h.round(l.p99_ms / l.health.p99_ms, 1)],
    ["CPU ms/req (/health)", (l) => `${l.cpu_ms_per_req} (${l.health.cpu_ms_per_req})`],
    ["CPU ratio", cpuRatio],
    ["load avg", (l) => l.loadavg],
    ["unexpected status or errors", (l) => l.bad],
    ["SQLite: each statement ms", (l) => floor.get(l.name)?.statement_ms.join(" + ")],
    ["naive count(*) ms", (l) => floor.get(l.name)?.naive_count_ms],
  ]),
  h.figures("Cursor walk, sequential, before the load", measured.walk.check),
]);
