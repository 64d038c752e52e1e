/**
 * The log store against the layouts before it (bench/lib/log-layouts.ts): bytes per execution by body profile, and
 * reads (1 KB bodies) through each layout's own src/, their statements recorded over node:sqlite then replayed timed,
 * in paired rounds. Bytes merge by profile into the JSON, so a full run can take several invocations. The profile
 * issue12 is issue 12's comparison: the text schema up to migration 0014 beside fbedcaf's, no ledger, mock outcomes.
 *   npx tsx bench/log-store.ts [--logs N] [--rounds 11] [--profiles none,json53,mock,kb,issue12] [--reads yes|no|only]
 *     [--keep]
 */
import { createHash } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { mockOutcome } from "../src/engine/executors/mock";
import type { NewJobRow } from "../src/jobs/build";
import { importAll, nodeD1, recordingDb, replayer, type Stmt } from "./lib/d1-node";
import * as h from "./lib/harness";
import { type Bytes, build, idOf, makeShard, NOW, type Profile, type Shard, type Writer } from "./lib/log-layouts";

type Key = "A" | "B" | "C";
const layout = (label: string, commit: string | null, dir: string, writer: Writer) => ({ label, commit, writer, dir });
const ALL = { A: layout("A old tree (9769edb)", "9769edb", "drizzle", "text") } as Record<
  Key,
  ReturnType<typeof layout>
>;
ALL.B = layout("B compact (fbedcaf)", "fbedcaf", "drizzle/shard", "inline");
ALL.C = layout("C new store", null, "drizzle/shard", "app");
const KEYS: Key[] = ["A", "B", "C"];
const N = Number(h.arg("logs", String(h.size(1_000_000, 2_000))));
const ROUNDS = Number(h.arg("rounds", String(h.size(11, 1))));
const PROFILES = h.arg("profiles", "none,json53,mock,kb,issue12").split(",") as Array<Profile | "issue12">;
const READS = h.arg("reads", "yes");
const [LIMIT, WORK, SIZES] = [50, join(h.STATE_DIR, "log-store"), ["99", "2,000", "200,000", "1,000,000"]];
const LABELS: Record<string, string> = { none: "no body", json53: "53 B JSON", mock: "mock mix", kb: "1 KB JSON" };
const BYTES_TARGET: Record<string, number> = { none: 230, mock: 255, kb: 590 };
const CAPACITY_TARGET: Record<string, number> = { mock: 700, kb: 300 };
/** Executions/min one 10 GB shard keeps for 31 days at 80 % full. */
const capacity = (bytes = Number.NaN) => Math.floor((0.8 * 10e9) / 44_640 / bytes);

const job = (role: string, logs: number, days = 31, retries = true) => ({ role, logs, days, retries });
const sized = [
  job("stats", Math.round(N * 0.2592), 30, false),
  job("200,000", N / 5),
  job("2,000", Math.min(2000, N / 100)),
];
sized.push(job("99", 99));
const rest = N - h.sum(sized.map((s) => s.logs));
const others = Array.from({ length: 96 }, (_, i) => job("other", Math.floor(rest / 96) + (i < rest % 96 ? 1 : 0)));
const main = makeShard(1, 1, [...sized, ...others]);
const single = makeShard(2, 1, [job("1,000,000", N)]);
const file = (tag: string, k: Key) => join(WORK, `${tag}-${k}.sqlite`);

type Result = { logs: number; rounds: number; bytes: Record<string, Record<Key, Bytes>>; reads: Reads | null };
const prev = h.readResult<Result>("log-store");
const result: Result =
  prev?.logs === N ? { ...prev, rounds: ROUNDS } : { logs: N, rounds: ROUNDS, bytes: {}, reads: null };
async function measure(tag: string, sh: Shard, profile: Profile) {
  const layouts = KEYS.map((k) => ({
    file: file(tag, k),
    migrations: h.migrationsAt(ALL[k].commit, ALL[k].dir),
    ...ALL[k],
  }));
  const out = await build(sh, profile, layouts);
  console.log(`  ${tag}: ${out.map((o, i) => `${KEYS[i]} ${o.per_execution}`).join(", ")} bytes/execution`);
  return Object.fromEntries(out.map((b, i) => [KEYS[i], b])) as Record<Key, Bytes>;
}
/** Issue 12: 1,000 jobs of 10 accounts over 35 days, mockOutcome's failures, no ledger; before (0000–0014), compact. */
async function issue12(profile: Profile) {
  const jobs = h.size(1000, 20);
  const failed = (id: string, row: NewJobRow) => mockOutcome({ ...row, executionId: id }).status !== "success";
  const sizes = Array.from({ length: jobs }, () => job("job", Math.ceil(N / jobs), 35));
  const layouts = [
    { file: file("issue12", "A"), migrations: h.migrationsAt(null, "drizzle/shard", "0014"), writer: "text" as const },
    { file: file("issue12", "B"), migrations: h.migrationsAt("fbedcaf", "drizzle/shard"), writer: "inline" as const },
  ];
  const [A, B] = await build(makeShard(3, 10, sizes, failed), profile, layouts, false);
  for (const l of layouts) rmSync(l.file, { force: true });
  return { A, B } as Record<Key, Bytes>;
}
// ---- reads: each layout's own src/, round trips recorded over node:sqlite, then replayed timed
type Row = Record<string, unknown>;
interface App {
  findLogsPage(db: unknown, scope: unknown, f: unknown, paging: unknown): Promise<{ rows: Row[] } | null>;
  openLogExport(db: unknown, scope: unknown, f: unknown, o: { asOf: number }): Promise<AsyncGenerator<Row[]> | null>;
  exportPreamble(format: string): string;
  exportRecord(format: string, log: unknown): string;
  serialiseLog(row: unknown): unknown;
  jobStats(db: unknown, accountId: string, jobId: string, w: unknown): Promise<{ totals: Row } | null>;
  statsWindow(q: unknown, now: number): { window?: unknown };
  createDb(d1: unknown): unknown;
}
type Side = { key: Key; app: App; root: string; db: DatabaseSync; timer: ReturnType<typeof replayer> };
type Job = ReturnType<typeof jobOf>;
type Reads = Awaited<ReturnType<typeof reads>>;
const READ_LABEL: Record<string, string> = { page1: "page 1", pageN: "page=N (middle, offset)" };
Object.assign(READ_LABEL, { cursor: "cursor page (middle)" });
Object.assign(READ_LABEL, { status_none: "status=timeout, no match", status_some: "status=failure, page 1" });

/** A job of the shard by role: its ids, size, middle log (newest first) and the start of its newest 20,000. */
function jobOf(sh: Shard, role: string) {
  const j = sh.jobs.findIndex((x) => x.role === role);
  const mine = sh.logs.flatMap((l, i) => (l.job === j ? [i] : [])).reverse();
  const [mid, from] = [mine[mine.length >> 1] as number, mine[Math.min(20_000, mine.length) - 1] as number];
  const { id, accountId } = (sh.jobs[j] as Shard["jobs"][number]).row;
  const at = (i: number) => sh.logs[i]?.at as number;
  return { id, accountId, logs: mine.length, middle: { executedAt: at(mid), id: idOf(sh, mid) }, exportFrom: at(from) };
}

function call(s: Side, name: string, job: Job): (db: unknown) => Promise<unknown> {
  const scope = { kind: "job", accountId: job.accountId, cronJobId: job.id };
  const page =
    (f: unknown, paging: unknown = { page: 1, limit: LIMIT }, sc: unknown = scope) =>
    (db: unknown) =>
      s.app.findLogsPage(db, sc, f, paging);
  const start = NOW - 30 * h.DAY_MS;
  const window = () =>
    s.app.statsWindow({ start: { start, end: start }, end: { start: NOW, end: NOW }, bucket: "day" }, NOW).window;
  return {
    page1: page({}),
    pageN: page({}, { page: Math.max(2, Math.floor(job.logs / 2 / LIMIT)), limit: LIMIT }),
    cursor: page({}, { after: job.middle, limit: LIMIT }),
    status_none: page({ status: "timeout" }),
    status_some: page({ status: "failure" }),
    account_none: page({ status: "timeout" }, undefined, { kind: "account", accountId: job.accountId }),
    stats: (db: unknown) => s.app.jobStats(db, job.accountId, job.id, window()),
  }[name] as (db: unknown) => Promise<unknown>;
}

/** A read's recorded round trips and its answer (rows serialised as the API sends them). */
async function capture(s: Side, name: string, job: Job) {
  const trips: Stmt[][] = [];
  const res = (await call(s, name, job)(await recordingDb(s.db, trips, s.root))) as { rows?: unknown[] } | null;
  const rows = res?.rows?.map((r) => s.app.serialiseLog(r));
  return { trips, answer: JSON.stringify(rows ? { ...res, rows } : res) };
}

/** C's stats as B's: counts and max exact, percentiles within the sketch's 1 %. */
function statsAgree(b: string, c: string) {
  type Stats = { totals?: Record<string, number | null> } | null;
  const [tb, tc] = [b, c].map((a) => (JSON.parse(a || "null") as Stats)?.totals ?? {});
  const agree = ([k, v]: [string, number | null]) =>
    k.startsWith("p") && v !== null ? Math.abs((tc?.[k] ?? 0) - v) <= 0.01 * v : tc?.[k] === v;
  return Object.entries(tb ?? {}).every(agree);
}

/** An export as the route streams it: chunks serialised and encoded; rows/s end to end, heap growth, output hash. */
async function exportRun(s: Side, job: Job, format: string) {
  const sha = createHash("sha1").update(s.app.exportPreamble(format));
  const [h0, t] = [process.memoryUsage().heapUsed, h.now()];
  let [rows, peak] = [0, h0];
  const scope = { kind: "job", accountId: job.accountId, cronJobId: job.id };
  const since = { start: { start: job.exportFrom, end: job.exportFrom } };
  const chunks = await s.app.openLogExport(s.app.createDb(nodeD1(s.db)), scope, since, { asOf: NOW + 1 });
  for await (const chunk of chunks ?? []) {
    sha.update(new TextEncoder().encode(chunk.map((r) => s.app.exportRecord(format, s.app.serialiseLog(r))).join("")));
    [rows, peak] = [rows + chunk.length, Math.max(peak, process.memoryUsage().heapUsed)];
  }
  return { rows_per_s: Math.round(rows / ((h.now() - t) / 1000)), heap_mb: h.mb(peak - h0), sha1: sha.digest("hex") };
}

async function reads() {
  const mods = [
    "db/client",
    ...["query", "export", "formats", "serialise", "stats", "stats-window"].map((m) => `logs/${m}`),
  ];
  const open = (tag: string) =>
    Promise.all(
      KEYS.map(async (key): Promise<Side> => {
        const root = ALL[key].commit ? h.treeAt(ALL[key].commit as string, ["src"]) : h.ROOT;
        const app = await importAll<App>(mods, root);
        const db = new DatabaseSync(file(tag, key), { readOnly: true });
        db.exec("PRAGMA cache_size = -262144");
        return { key, app, root, db, timer: replayer(db) };
      }),
    );
  const [sidesMain, sidesSingle] = [await open("main-kb"), await open("single-kb")];
  const sidesOf = (size: string) => (size === "1,000,000" ? sidesSingle : sidesMain);
  const jobs: Record<string, Job> = Object.fromEntries(
    SIZES.map((z) => [z, jobOf(z === "1,000,000" ? single : main, z)]),
  );
  const [big, statsJob] = [jobs["200,000"] as Job, jobOf(main, "stats")];
  const paired: Array<{ read: string; logs: number; median: Row; c_over_a: number; c_over_b: number; same: boolean }> =
    [];
  type Run = (s: Side) => Promise<number> | number;
  const pair = async (read: string, logs: number, same: boolean, run: Run, sides = sidesMain) => {
    const t = await h.pairedRounds(KEYS, ROUNDS, (k) => run(sides.find((s) => s.key === k) as Side));
    const median = Object.fromEntries(KEYS.map((k) => [k, h.round(h.median(t[k]), 3)]));
    paired.push({ read, logs, median, c_over_a: h.pairedRatio(t.C, t.A), c_over_b: h.pairedRatio(t.C, t.B), same });
  };
  const replayed = async (read: string, name: string, job: Job, sides = sidesMain) => {
    const cap = new Map(await Promise.all(sides.map(async (s) => [s.key, await capture(s, name, job)] as const)));
    const [bAnswer, cAnswer] = [cap.get("B")?.answer ?? "", cap.get("C")?.answer ?? ""];
    const same = name === "stats" ? statsAgree(bAnswer, cAnswer) : bAnswer === cAnswer;
    await pair(read, job.logs, same, (s) => s.timer.time(cap.get(s.key)?.trips ?? []), sides);
    return cap;
  };
  const page1 = await replayed("page 1", "page1", big);
  const stats = await replayed("stats, 30 days (bucket=day)", "stats", statsJob);
  for (const z of SIZES) await replayed(`status_none ${z}`, "status_none", jobs[z] as Job, sidesOf(z));
  await replayed("account-wide status=timeout, no match", "account_none", big);
  const exportHeap: Row = {};
  for (const format of ["ndjson", "csv"]) {
    const once = new Map<Key, Awaited<ReturnType<typeof exportRun>>>();
    for (const s of sidesMain) once.set(s.key, await exportRun(s, big, format)); // one at a time: the heap is shared
    for (const [k, v] of once) exportHeap[`${format} ${k}`] = v.heap_mb;
    const rowsPerS = async (s: Side) => (await exportRun(s, big, format)).rows_per_s;
    await pair(`export ${format}, rows/s`, big.logs, once.get("C")?.sha1 === once.get("B")?.sha1, rowsPerS);
  }
  // Growth: every read at each job size, each layout alone; export rows/s over the newest ≤ 20,000, median of 3.
  const growth: Row[] = [];
  for (const z of SIZES) {
    for (const name of [...Object.keys(READ_LABEL), "stats"]) {
      const row: Row = { read: READ_LABEL[name] ?? "stats, 30 days (bucket=day)", size: z };
      for (const s of sidesOf(z)) row[s.key] = h.round(s.timer.time((await capture(s, name, jobs[z] as Job)).trips), 3);
      growth.push(row);
    }
    const rows: Row = { read: "export NDJSON, rows/s", size: z };
    const rate = async (s: Side) => (await exportRun(s, jobs[z] as Job, "ndjson")).rows_per_s;
    for (const s of sidesOf(z)) rows[s.key] = h.median([await rate(s), await rate(s), await rate(s)]);
    growth.push(rows);
  }
  const statsTotals = Object.fromEntries(
    [...stats].map(([k, v]) => [k, (JSON.parse(v.answer) as { totals: unknown }).totals]),
  );
  const statements = (s: Side) => (page1.get(s.key)?.trips ?? []).flat().map((st) => h.round(s.timer.time([[st]]), 3));
  const page1Statements = Object.fromEntries(sidesMain.map((s) => [s.key, statements(s)]));
  for (const s of [...sidesMain, ...sidesSingle]) s.db.close();
  return {
    paired,
    growth,
    stats_totals: statsTotals,
    export_heap_mb: exportHeap,
    page1_statements_ms: page1Statements,
  };
}

if (READS !== "only") {
  for (const p of PROFILES) {
    if (p === "issue12") {
      for (const q of ["mock_no_body", "mock"] as const) result.bytes[`issue12 ${q}`] = await issue12(q);
      continue;
    }
    result.bytes[p] = await measure(`main-${p}`, main, p);
    if (p !== "kb" || READS === "no") for (const k of KEYS) rmSync(file(`main-${p}`, k), { force: true });
  }
}
if (READS !== "no") {
  if (!KEYS.every((k) => existsSync(file("main-kb", k)))) result.bytes.kb = await measure("main-kb", main, "kb");
  if (!KEYS.every((k) => existsSync(file("single-kb", k)))) await measure("single-kb", single, "kb");
  result.reads = await reads();
  if (!process.argv.includes("--keep")) rmSync(WORK, { recursive: true, force: true });
}

// ---- figures (the reads' statements per page 1, export heap and stats totals are in the JSON)
const r = result.reads;
const profiles = Object.keys(result.bytes).filter((p) => !p.startsWith("issue12"));
const b = (p: string, k: Key) => result.bytes[p]?.[k];
const verdict = (ok: boolean) => (ok ? "PASS" : "**MISS**");
type Col<T> = [string, (x: T) => string | number | boolean | undefined];
const perKey = <T>(f: (k: Key) => (x: T) => number | string | undefined) => KEYS.map((k): Col<T> => [k, f(k)]);
const split = (p: string, k: Key) =>
  b(p, k)
    ?.tables.map((t) => `${t.table} ${t.per_execution}`)
    .join(" + ");
const texts = (p: string) => Object.entries(b(p, "C")?.text ?? {}).filter(([, t]) => t.raw > 0);
const text = (p: string) =>
  texts(p)
    .map(([c, t]) => `${c.replace("response_", "")} ${t.raw} → ${t.stored}`)
    .join(", ");
const bytesTarget = (p: string) =>
  `≤ ${BYTES_TARGET[p]}: ${verdict((b(p, "C")?.per_execution ?? 1e9) <= (BYTES_TARGET[p] ?? 0))}`;
const capTarget = (p: string) =>
  `≥ ${CAPACITY_TARGET[p]}: ${verdict(capacity(b(p, "C")?.per_execution) >= (CAPACITY_TARGET[p] ?? 0))}`;
const tables = [
  h.table(
    "Bytes per execution (tables + their indexes; C's text: UTF-8 bytes → stored codec bytes per log)",
    profiles,
    [
      ["profile", (p) => LABELS[p] ?? p],
      ...perKey<string>((k) => (p) => b(p, k)?.per_execution),
      ["target (C)", (p) => BYTES_TARGET[p] && bytesTarget(p)],
      ...KEYS.map((k): Col<string> => [`${k} split`, (p) => split(p, k)]),
      ["C text", text],
    ],
  ),
  h.table("Capacity of one 10 GB shard, executions/min kept 31 days (0.8 × 10 GB ÷ 44,640 min ÷ bytes)", profiles, [
    ["profile", (p) => LABELS[p] ?? p],
    ...perKey<string>((k) => (p) => capacity(b(p, k)?.per_execution)),
    ["target (C)", (p) => CAPACITY_TARGET[p] && capTarget(p)],
  ]),
];
type Paired = NonNullable<typeof r>["paired"][number];
if (r) {
  tables.push(
    h.table("Reads, 1 KB bodies: ms of SQLite (exports: rows/s); C ÷ A, C ÷ B: medians of per-round ratios", r.paired, [
      ["read", (p) => p.read],
      ["job's logs", (p) => p.logs],
      ...perKey<Paired>((k) => (p) => p.median[k] as number),
      ["C ÷ A", (p) => p.c_over_a],
      ["C ÷ B", (p) => p.c_over_b],
      ["C answers as B", (p) => p.same],
    ]),
    h.table("Growth: ms of SQLite per read at each job size (export: rows/s)", r.growth, [
      ["read", (g) => g.read as string],
      ["job's logs", (g) => g.size as string],
      ...perKey<Row>((k) => (g) => g[k] as number),
    ]),
  );
}
const [w, m] = [result.bytes["issue12 mock_no_body"], result.bytes["issue12 mock"]];
if (w && m) {
  const indexes = (x: Bytes) => x.tables.flatMap((t) => Object.entries(t.objects).filter(([o]) => o !== t.table));
  const indexShare = (x: Bytes) => h.round((100 * h.sum(indexes(x).map(([, v]) => v))) / x.per_execution, 1);
  const objects = (label: string, x: Bytes) =>
    x.tables.flatMap((t) =>
      Object.entries(t.objects).map(([o, v]) => ({ object: `${label}: ${o}`, "bytes per log": v })),
    );
  const rows = [
    ["without response bodies", w.A.per_execution, w.B.per_execution],
    [`with the mock bodies (${m.A.text.response_body?.raw} B average)`, m.A.per_execution, m.B.per_execution],
    ["% of those bytes in indexes (without bodies)", indexShare(w.A), indexShare(w.B)],
  ];
  const head = ["bytes per log", "before (execution_logs)", "compact (logs)"];
  tables.push({ title: `Issue 12: bytes per log, ${w.A.executions.toLocaleString("en")} logs`, head, rows });
  const perObject = [...objects("before", w.A), ...objects("compact", w.B)];
  tables.push(h.records("Issue 12: per object, without bodies (bytes per log)", perObject));
}
h.writeResult("log-store", result, tables);
