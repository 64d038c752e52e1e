/**
 * Issue 28's reads against a logs page 1 of a 200,000-log job (1 KB JSON bodies, the working tree's store): the
 * response_code and latency filters, the account's metrics, and apart the text search q and the tick's metrics
 * windows. Per read: CPU ms of the whole call (drizzle, SQLite, rows as JSON or the exposition) over node:sqlite.
 *   npx tsx bench/filter-reads.ts [--big 1] [--jobs 100] [--others-per-hour 90] [--rounds 55]
 */
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { importAll, nodeD1 } from "./lib/d1-node";
import * as h from "./lib/harness";
import { build, makeShard, NOW } from "./lib/log-layouts";

const num = (name: string, dflt: number) => Number(h.arg(name, String(dflt)));
const [BIG, JOBS, ROUNDS, RATE] = [num("big", 1), num("jobs", 100), num("rounds", 55), num("others-per-hour", 90)];
const PER_JOB = h.size(200_000, 2_000);
// The other jobs only over the metrics' window (the current hour and 24 before), at RATE runs an hour.
const size = (i: number) => (i < BIG ? { logs: PER_JOB, days: 31 } : { logs: Math.round(RATE * 26), days: 26 / 24 });
const shard = makeShard(
  28,
  1,
  [...Array(JOBS).keys()].map((i) => ({ role: "", retries: true, ...size(i) })),
);
const migrations = h.migrationsAt(null, "drizzle/shard");
const file = join(h.STATE_DIR, `filter-reads-${BIG}-${JOBS}-${PER_JOB}-${RATE}-m${migrations.length}.sqlite`);
if (!existsSync(file)) await build(shard, "kb", [{ file, migrations, writer: "app" }], false);
const mods = ["db/client", ...["query", "search", "serialise"].map((m) => `logs/${m}`), "metrics/job-metrics"];
// biome-ignore lint/suspicious/noExplicitAny: src/ by computed path, as d1-node.ts importSrc explains
const app = await importAll<any>([...mods, "metrics/exposition", "metrics/windows"]);
const { id, accountId } = (shard.jobs[0] as (typeof shard.jobs)[number]).row;
const raw = new DatabaseSync(file); // writable: a scrape marks its account, the tick stores windows
const db = app.createDb(nodeD1(raw));
const one = { kind: "job", accountId, cronJobId: id };
const all = { kind: "account", accountId };
// Every read's text encoded to UTF-8 as its Response would: a string built in pieces is flattened there.
const utf8 = new TextEncoder();
const sent = (text: string | undefined) => utf8.encode(text).length;
const json = (res: { rows: unknown[] } | null) => sent(JSON.stringify(res?.rows.map(app.serialiseLog)));
// A cursor past every log: the first page without page numbers' totals (keyset.ts positionKey).
const first = { after: { executedAt: NOW + 1, id: "-" }, limit: 50 };
function page(f: object, scope: object = one, paging: object = { page: 1, limit: 50 }) {
  return async () => json(await app.findLogsPage(db, scope, f, paging));
}
const since = { start: { start: NOW - 31 * h.DAY_MS, end: 0 } };
const search = (q: string) => async () => json(await app.searchLogs(db, one, since, q, { limit: 50 }));
const [c5xx, slow] = [{ code: { lo: 500, hi: 599 } }, { minMs: 1000 }];
const metrics =
  (cache?: () => unknown, on = db) =>
  async () =>
    sent(app.renderExposition(await app.accountJobFamilies(on, accountId, NOW, cache?.()), "openmetrics"));
// The tick's latency windows as of NOW and an hour before (src/metrics/windows.ts), put back before each read.
const windows = (saved?: string) => () =>
  raw.exec(`DELETE FROM latency_windows; ${saved ? `INSERT INTO latency_windows SELECT * FROM ${saved}` : ""}`);
/** The tick's hour not yet scanned for busy jobs. */
const unscanned = () => raw.exec(`DELETE FROM shard_state WHERE key = '${app.BUSY_SCANNED}'`);
/** The windows the tick leaves at `at` (rolling those it left before), kept in a temp table named `as`. */
const save = async (at: number, as: string) => {
  unscanned();
  await app.maintainWindows(db, at, 30);
  return raw.exec(`CREATE TEMP TABLE ${as} AS SELECT * FROM latency_windows`) ?? as;
};
/** The account's last scrape `hours` ago (a scrape an hour old or more marks it again). */
const scrapedAgo = (on: DatabaseSync, hours: number) => () =>
  on.exec(`UPDATE accounts SET metrics_scraped_hour = ${Math.floor(NOW / (h.DAY_MS / 24)) - hours}`);
windows()();
scrapedAgo(raw, 24 * 8)(); // a week ago and more: its busy jobs get windows all the same
const [hourBefore, current] = [await save(NOW - h.DAY_MS / 24, "hour_before"), await save(NOW, "current")];
const [scrape, tick] = [metrics(app.newLatencyCache), async () => (await app.maintainWindows(db, NOW, 30)).windows];
// A copy whose jobs are all just under the busy threshold (64 B): every hourly success sketch 63 B, no window.
const quietFile = file.replace(/\.sqlite$/, ".quiet.sqlite");
copyFileSync(file, quietFile);
const quiet = new DatabaseSync(quietFile);
quiet.exec(`DELETE FROM latency_windows; UPDATE log_hours SET sketch = '{"600":11,"610":12,"620":13,"630":14,"640":15,"650":16,"660":1}'
  WHERE status = 0 AND sketch IS NOT NULL`);
const quietScrape = metrics(app.newLatencyCache, app.createDb(nodeD1(quiet)));
type Read = (() => Promise<number>) & { setup?: () => void };
const setUp = (setup: () => void, read: Read): Read => Object.assign(() => read(), { setup }); // unmeasured
const READS: Record<string, Read> = {
  "page 1": page({}),
  "response_code=5xx": page(c5xx),
  "response_code=503": page({ code: { lo: 503, hi: 503 } }),
  "response_code=404 (no match)": page({ code: { lo: 404, hi: 404 } }),
  "response_code=2xx (≈ 95 %: the range less the rest)": page({ code: { lo: 200, hi: 299 } }),
  "min_response_time_ms=1000": page(slow),
  "max_response_time_ms=100": page({ maxMs: 100 }),
  "5xx, min_response_time_ms=500": page({ ...c5xx, minMs: 500 }),
  "account-wide 5xx": page(c5xx, all),
  "account-wide min_response_time_ms=1000": page(slow, all),
  "cursor: page 1": page({}, one, first),
  "cursor: response_code=5xx": page(c5xx, one, first),
  "cursor: min_response_time_ms=1000": page(slow, one, first),
  "cursor: account-wide 5xx": page(c5xx, all, first),
  // An isolate's first scrape (a new cache) with the tick's windows, and before the hour's tick.
  [`metrics, ${JOBS} jobs (first scrape)`]: setUp(() => [windows(current)(), scrapedAgo(raw, 0)()], scrape),
  [`metrics, ${JOBS} jobs (first scrape, before the hour's tick: rolls)`]: setUp(
    () => [windows(hourBefore)(), scrapedAgo(raw, 0)()],
    scrape,
  ),
  [`metrics, ${JOBS} jobs (first scrape after a week without one)`]: setUp(
    () => [windows(current)(), scrapedAgo(raw, 24 * 8)()],
    scrape,
  ),
  [`metrics, ${JOBS} jobs just under the busy threshold (first after a week: merges 23 h)`]: setUp(
    scrapedAgo(quiet, 24 * 8),
    quietScrape,
  ),
  [`tick: ${JOBS} windows rolled an hour`]: setUp(() => [windows(hourBefore)(), unscanned()], tick),
  [`tick: ${JOBS} windows merged from 23 h`]: setUp(() => [windows()(), unscanned()], tick),
  [`tick: the hour's busy scan, ${JOBS} jobs, none due`]: setUp(() => [windows(current)(), unscanned()], tick),
  [`metrics, ${JOBS} jobs`]: metrics(),
  "q=customers (every body)": search("customers"),
  "q=status code 503 (≈ 1 %)": search("status code 503"),
  "q=no-such-text (the budget ends it)": search("no-such-text"),
};
const cpuMs = (read: string) => {
  READS[read]?.setup?.();
  const u = process.cpuUsage();
  return (READS[read] as Read)().then(() => ((d) => (d.user + d.system) / 1000)(process.cpuUsage(u)));
};
for (const n of Object.keys(READS)) await cpuMs(n); // warm: statements prepared, modules compiled
// Reads reported apart (q, the tick) churn memory: a rotation of their own, so their collections miss the targets.
const apart = (read: string) => /^(q=|tick:)/.test(read);
const among = (keep: boolean) => Object.keys(READS).filter((n) => n !== "page 1" && apart(n) === keep);
const rotation = (keep: boolean) => h.pairedRounds(["page 1", ...among(keep)], h.size(ROUNDS, 1), cpuMs);
const [targets, others] = [await rotation(false), await rotation(true)];
const rows = Object.keys(READS).map((read) => {
  const runs = apart(read) ? others : targets;
  const [t, ratio] = [runs[read] as number[], h.pairedRatio(runs[read] as number[], runs["page 1"] as number[])];
  const target = read.includes("page 1") || apart(read) ? "apart" : ratio <= 1.5 ? "PASS" : "**MISS**";
  return { read, cpu_ms: h.round(h.median(t), 3), over_page_1: ratio, "≤ 1.5×": target };
});
const setup = { jobs: JOBS, big_jobs: BIG, per_hour_others: RATE, logs: shard.logs.length, rounds: ROUNDS };
const title = `CPU ms per call, ÷ page 1 of a ${PER_JOB}-log job (median of paired ratios), ${JOBS} jobs`;
h.writeResult("filter-reads", { ...setup, rows }, [h.records(title, rows)]);
