/**
 * The benchmarks' shared harness: their own state, smoke sizes, other commits' trees, the frozen Worker and its
 * wrangler config, D1 files, /proc CPU and memory, paired rounds, and figures as bench/results/<name>.json and .md.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** `--smoke` or BENCH_SMOKE=1: every size tiny and one round, to prove a benchmark runs end to end. */
export const SMOKE = process.env.BENCH_SMOKE === "1" || process.argv.includes("--smoke");
export const size = <T>(full: T, smoke: T): T => (SMOKE ? smoke : full);
/** The bench's own local D1 and scratch files (gitignored); a smoke run keeps its own apart. */
export const STATE_DIR = join(ROOT, SMOKE ? "bench/.state/smoke" : "bench/.state");
export const RESULTS_DIR = SMOKE ? join(STATE_DIR, "results") : join(ROOT, "bench/results");
export const DAY_MS = 86_400_000;
export const MINUTE = 60_000;
/** wrangler's shebang is `env node`: the project's pinned Node 22 first, as under `npm run`. */
export const offlineEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

/** The value after `--name` on the command line, else `dflt`. */
export function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}
export const git = (args: string[], cwd = ROOT) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
const BIN = join(ROOT, "node_modules/.bin");
export const wranglerSync = (args: string[], cwd = ROOT) =>
  execFileSync(join(BIN, "wrangler"), args, { cwd, env: offlineEnv, encoding: "utf8" });

/** A commit's files (`paths`, or all) under bench/.state/trees with node_modules linked, kept for reuse. */
export function treeAt(commit: string, paths: string[] = []): string {
  const dir = join(ROOT, "bench/.state/trees", [commit, ...paths].join("-"));
  if (!existsSync(join(dir, ".done"))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync("sh", ["-c", `git archive ${commit} ${paths.join(" ")} | tar -x -C '${dir}'`], { cwd: ROOT });
    execFileSync("ln", ["-s", join(ROOT, "node_modules"), join(dir, "node_modules")]);
    writeFileSync(join(dir, ".done"), "");
  }
  return dir;
}

// ---- the frozen Worker and its wrangler config ---------------------------------------------------------------

const bundleDir = (faults?: boolean) => join(STATE_DIR, faults ? "bundle-faults" : "bundle");

/**
 * The Worker as one frozen bundle (`wrangler deploy --dry-run`), served with no_bundle so edits to src/ cannot reload
 * it under load (a reload also empties the local queues). Built once per `npm run bench` (BENCH_BUNDLE_READY), or
 * fresh. With `faults`, HEAD's src/ (not others' uncommitted work) wrapped by bench/lib/fault-worker.ts.
 */
export function ensureBundle(opts: { faults?: boolean } = {}) {
  const dir = bundleDir(opts.faults);
  const info = join(dir, "info.json");
  if (!opts.faults && process.env.BENCH_BUNDLE_READY === "1" && existsSync(info)) {
    return JSON.parse(readFileSync(info, "utf8")) as { built_at: string; git_head: string; src_changes: string[] };
  }
  rmSync(dir, { recursive: true, force: true });
  const entry = join(STATE_DIR, "fault-entry/index.ts");
  if (opts.faults) {
    const head = treeAt(git(["rev-parse", "--short", "HEAD"]), ["src"]);
    // The dashboard assets wrangler's [build] generates are gitignored: built in the working tree, copied.
    execFileSync(join(BIN, "tsx"), ["scripts/build-assets.ts"], { cwd: ROOT, env: offlineEnv });
    cpSync(join(ROOT, "src/dashboard/generated"), join(head, "src/dashboard/generated"), { recursive: true });
    mkdirSync(dirname(entry), { recursive: true });
    const wrapper = JSON.stringify(join(ROOT, "bench/lib/fault-worker.ts"));
    const source = `import worker from ${JSON.stringify(join(head, "src/index.ts"))};\nimport { withFaults } from ${wrapper};\n`;
    writeFileSync(entry, `${source}// @ts-ignore structural types\nexport default withFaults(worker);\n`);
  }
  wranglerSync(["deploy", ...(opts.faults ? [entry] : []), "--dry-run", "--outdir", dir]);
  const src_changes = opts.faults ? [] : git(["status", "--porcelain", "--", "src"]).split("\n").filter(Boolean);
  const built = { built_at: new Date().toISOString(), git_head: git(["rev-parse", "--short", "HEAD"]), src_changes };
  writeFileSync(info, JSON.stringify(built));
  return built;
}

/** wrangler.toml's [[d1_databases]] blocks: binding, id and place in the text. */
const d1Blocks = (text: string) =>
  [...text.matchAll(/^\[\[d1_databases\]\]\n(?:(?!\[)[^\n]*\n)*/gm)].map((m) => {
    const [start, binding] = [m.index ?? 0, /^binding\s*=\s*"(\w+)"/m.exec(m[0])?.[1] ?? ""];
    return { binding, start, end: start + m[0].length, text: m[0] };
  });

/**
 * A copy of wrangler.toml serving the frozen bundle (paths made absolute), and what differs: a raised per-key limit
 * (the limiter is still called; 100 a minute would refuse a load generator), no limiter, N shard bindings, or no
 * consumer for edgecron-runs (the tick measured alone).
 */
type ConfigOptions = { limiter: "as-is" | "raised" | "none"; faults?: boolean; shards?: number; runsConsumer?: false };
export function benchWranglerConfig(o: ConfigOptions) {
  const absolute = (_: string, key: string, p: string) => `${key} = ${JSON.stringify(join(ROOT, p))}`;
  let text = readFileSync(join(ROOT, "wrangler.toml"), "utf8")
    .replace(/^main\s*=.*$/m, () => `main = ${JSON.stringify(join(bundleDir(o.faults), "index.js"))}\nno_bundle = true`)
    .replace(/^(directory|migrations_dir)\s*=\s*"([^"]+)"/gm, absolute);
  const changes = [`main → the frozen bundle${o.faults ? " wrapped by bench/lib/fault-worker.ts" : ""} (no_bundle)`];
  if (o.shards !== undefined) {
    const blocks = d1Blocks(text).filter((b) => b.binding.startsWith("SHARD_"));
    const dir = /^migrations_dir = .*$/m.exec(blocks[0]?.text ?? "")?.[0] ?? "";
    const id = (i: number) => `00000000-0000-0000-0001-${String(i).padStart(12, "0")}`;
    const block = (i: number) => `[[d1_databases]]\nbinding = "SHARD_${i}"\ndatabase_name = "edgecron-shard-${i}"\n`;
    const made = Array.from({ length: o.shards }, (_, i) => `${block(i)}database_id = "${id(i)}"\n${dir}\n\n`);
    for (const [i, b] of [...blocks.entries()].reverse())
      text = text.slice(0, b.start) + (i ? "" : made.join("")) + text.slice(b.end);
    changes.push(`${o.shards} shard bindings`);
  }
  if (o.runsConsumer === false) {
    text = text.replace(/^\[\[queues\.consumers\]\]\nqueue = "edgecron-runs"\n[\s\S]*?(?=^\[|^#|(?![\s\S]))/m, "");
    changes.push("no consumer for edgecron-runs");
  }
  if (o.limiter === "raised") {
    text = text.replace(/^(simple\s*=\s*\{\s*limit\s*=\s*)\d+/m, "$11000000000");
    text = text.replace(/^RATE_LIMIT_REQUESTS\s*=.*$/m, 'RATE_LIMIT_REQUESTS = "1000000000"');
    changes.push("[[ratelimits]] limit and RATE_LIMIT_REQUESTS → 1000000000");
  }
  if (o.limiter === "none") {
    text = text.replace(/^\[\[ratelimits\]\][\s\S]*?(?=^\[)/m, "");
    changes.push("no [[ratelimits]] binding");
  }
  mkdirSync(STATE_DIR, { recursive: true });
  cpSync(join(ROOT, ".dev.vars"), join(STATE_DIR, ".dev.vars")); // wrangler reads it beside the config: the local master key
  const tag = [o.limiter, o.faults && "faults", o.shards, o.runsConsumer].filter((x) => x !== undefined && x !== false);
  const path = join(STATE_DIR, `wrangler.${tag.join(".")}.toml`);
  writeFileSync(path, text);
  return { path, changes };
}

// ---- D1 files and SQLite ---------------------------------------------------------------------------------------

const d1Dir = (persistTo: string) => join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
const d1Map = (persistTo: string) => join(persistTo, "d1-files.json");

/**
 * Migrates the control plane (DB) and SHARD_0 of `config` by `wrangler d1 migrations apply`; SHARD_1 … are created
 * through miniflare (one process, the file names wrangler dev uses) as copies of SHARD_0 (VACUUM INTO), since a
 * wrangler run per shard takes minutes on a busy machine. Records which file is which (local D1 names files by hash).
 */
export async function migrateBench(persistTo: string, config = join(ROOT, "wrangler.toml")) {
  const dir = d1Dir(persistTo);
  const files = () =>
    (existsSync(dir) ? readdirSync(dir) : []).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  const map: Record<string, string> = {};
  const made = async (binding: string, create: () => unknown) => {
    const before = new Set(files());
    await create();
    const found = files().filter((f) => !before.has(f));
    if (found.length !== 1) throw new Error(`${binding}: expected one new D1 file, found ${found.length}`);
    map[binding] = found[0] as string;
  };
  const blocks = d1Blocks(readFileSync(config, "utf8"));
  const apply = (b: string) =>
    `d1 migrations apply ${b} --local`.split(" ").concat("--persist-to", persistTo, "--config", config);
  for (const binding of ["DB", "SHARD_0"]) await made(binding, () => wranglerSync(apply(binding)));
  const rest = blocks.filter((b) => /^SHARD_[1-9]/.test(b.binding));
  const { Miniflare, convertV4MiniflareOptions } = await import("miniflare");
  const script = "export default { fetch() { return new Response(null); } }";
  const id = (b: { text: string }) => /^database_id\s*=\s*"([^"]+)"/m.exec(b.text)?.[1] as string;
  const d1Databases = Object.fromEntries(rest.map((b) => [b.binding, id(b)]));
  const options = { modules: true, script, compatibilityDate: "2026-11-01", d1Databases };
  Object.assign(options, { resourcePersistencePath: join(persistTo, "v3") });
  const mf = new Miniflare(convertV4MiniflareOptions(options as never));
  const open = async (binding: string) => (await mf.getD1Database(binding)).prepare("SELECT 1").first();
  for (const { binding } of rest) await made(binding, () => open(binding));
  await mf.dispose();
  const template = openDb(join(dir, map.SHARD_0 as string));
  for (const { binding } of rest) {
    const file = join(dir, map[binding] as string);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    template.prepare("VACUUM INTO ?").run(file);
    const copy = openDb(file);
    copy.exec("PRAGMA journal_mode = WAL"); // as wrangler makes them
    copy.close();
  }
  template.close();
  writeFileSync(d1Map(persistTo), JSON.stringify(map));
  return d1Files(persistTo);
}

/** The control plane's and each shard's SQLite file, the very files `wrangler dev --persist-to` serves. */
export function d1Files(persistTo = STATE_DIR) {
  if (!existsSync(d1Map(persistTo))) throw new Error(`no ${d1Map(persistTo)}: run \`npm run bench -- seed\` first`);
  const map = JSON.parse(readFileSync(d1Map(persistTo), "utf8")) as Record<string, string>;
  const shards = Object.keys(map).filter((k) => k.startsWith("SHARD_")).length;
  const file = (k: string) => join(d1Dir(persistTo), map[k] ?? "");
  return { control: file("DB"), shards: Array.from({ length: shards }, (_, i) => file(`SHARD_${i}`)) };
}
/** SHARD_0's file: the shard of the seeded accounts, jobs and logs. */
export const d1File = () => d1Files().shards[0] as string;

export function openDb(file: string, readOnly = false): DatabaseSync {
  const db = new DatabaseSync(file, { readOnly });
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}
/** One number (a column named n) from a read-only query. */
export function scalar(file: string, sql: string, ...params: Array<string | number>): number {
  const db = openDb(file, true);
  try {
    return Number((db.prepare(sql).get(...params) as { n: number }).n);
  } finally {
    db.close();
  }
}

/** Migration SQL texts of `dir` (names up to `upTo`) in the working tree or at `commit`. */
export function migrationsAt(commit: string | null, dir: string, upTo = "9999") {
  const names = commit ? git(["ls-tree", "--name-only", `${commit}:${dir}`]).split("\n") : readdirSync(join(ROOT, dir));
  return names
    .filter((f) => f.endsWith(".sql") && f.slice(0, upTo.length) <= upTo)
    .sort()
    .map((f) => (commit ? git(["show", `${commit}:${dir}/${f}`]) : readFileSync(join(ROOT, dir, f), "utf8")));
}
/** A fresh SQLite file with the migrations applied, set up for a bulk load. */
export function migratedFile(file: string, migrations: string[]): DatabaseSync {
  rmSync(file, { force: true });
  mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144");
  for (const sql of migrations) for (const st of sql.split("--> statement-breakpoint")) if (st.trim()) db.exec(st);
  return db;
}

/** db.prepare, each SQL text prepared once. */
export function preparer(db: DatabaseSync) {
  const cache = new Map<string, StatementSync>();
  return (sql: string) => cache.get(sql) ?? (cache.set(sql, db.prepare(sql)).get(sql) as StatementSync);
}
type Named = { name: string; n: number };
/** The names of a table's columns. */
export const columnsOf = (db: DatabaseSync, table: string) =>
  new Set((db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as Named[]).map((c) => c.name));
/** dbstat bytes (pages, overflow included) of every table and index, by name. */
const DBSTAT = "SELECT name, sum(pgsize) AS n FROM dbstat GROUP BY name";
export const dbstat = (db: DatabaseSync) => new Map((db.prepare(DBSTAT).all() as Named[]).map((r) => [r.name, r.n]));

// ---- the seed's metadata ------------------------------------------------------------------------------------------

export type BenchAccount = { account_id: string; api_key: string; api_secret: string };
/** What the seed leaves for the other benchmarks (local-only credentials of a throwaway bench DB). */
export type BenchMeta = {
  seededAt: number;
  accounts: BenchAccount[];
  bigJob: { id: string; accountId: string; logs: number };
};
const META = join(STATE_DIR, "bench-meta.json");
export const writeMeta = (meta: BenchMeta) => writeFileSync(META, JSON.stringify(meta));
export function readMeta(): BenchMeta {
  if (!existsSync(META)) throw new Error(`${META} missing: run \`npm run bench -- seed\` first`);
  return JSON.parse(readFileSync(META, "utf8")) as BenchMeta;
}
export const keyHeaders = (a: BenchAccount) => ({ "x-api-key": a.api_key, "x-api-secret": a.api_secret });
export const bigJobHeaders = (meta: BenchMeta) =>
  keyHeaders(meta.accounts.find((a) => a.account_id === meta.bigJob.accountId) as BenchAccount);

// ---- figures: JSON and markdown tables ----------------------------------------------------------------------------

type Cell = string | number | boolean | null | undefined;
export type Table = { title: string; head: string[]; rows: Cell[][] };
/** A table of `rows`, one column per [header, value of a row]. */
export const table = <T>(title: string, rows: readonly T[], cols: Array<[string, (row: T) => Cell]>): Table => ({
  title,
  head: cols.map((c) => c[0]),
  rows: rows.map((r) => cols.map((c) => c[1](r))),
});
/** A table whose columns are its rows' keys: each figure named once, alike in the JSON and the table. */
export const records = (title: string, rows: Array<Record<string, Cell>>): Table => {
  const head = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return { title, head, rows: rows.map((r) => head.map((k) => r[k])) };
};
/** A two-column table, one figure a row: the object's entries, objects among them as JSON. */
export const figures = (title: string, values: object): Table => ({
  title,
  head: ["Figure", "Value"],
  rows: Object.entries(values).map(([k, v]) => [k, v !== null && typeof v === "object" ? JSON.stringify(v) : v]),
});

const cell = (v: Cell) => {
  if (typeof v === "number") return v.toLocaleString("en", { maximumFractionDigits: 3 });
  return typeof v === "boolean" ? ["**no**", "yes"][Number(v)] : String(v ?? "—").replace(/\|/g, "\\|");
};
const row = (cells: Cell[]) => `| ${cells.map(cell).join(" | ")} |`;
const rule = (t: Table) => row(t.head.map((_, i) => (i ? "---:" : "---")));
const markdown = (tables: Table[]) =>
  tables.map((t) => [`**${t.title}**\n`, row(t.head), rule(t), ...t.rows.map(row)].join("\n")).join("\n\n");

export function readResult<T>(name: string): T | null {
  const file = join(RESULTS_DIR, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : null;
}
/** A benchmark's figures: bench/results/<name>.json, and its tables in <name>.md and on stdout. */
export function writeResult(name: string, result: object, tables: Table[] = []) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const command = `npx tsx ${process.argv.slice(1).join(" ").replaceAll(`${ROOT}/`, "")}`;
  const run = { command, at: new Date(), head: git(["rev-parse", "--short", "HEAD"]), smoke: SMOKE };
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify({ ...run, ...result }, null, 2)}\n`);
  if (tables.length === 0) return;
  writeFileSync(join(RESULTS_DIR, `${name}.md`), `${markdown(tables)}\n`);
  console.log(`\n${markdown(tables)}\n`);
}

// ---- time, statistics, CPU and memory -------------------------------------------------------------------------

export const now = () => performance.now();
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
export const mb = (bytes: number) => round(bytes / 1048576, 1);
export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
export const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, Math.max(0, ms)));
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2 : Number.NaN;
}
/** Count, nearest-rank p50 and p99, max. */
export function dist(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q: number) => s[Math.max(0, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
  return { n: s.length, p50: p(0.5), p90: p(0.9), p99: p(0.99), max: s.at(-1) ?? Number.NaN };
}

/**
 * Paired rounds: every variant measured once a round, their order rotating, so the machine's load falls on all alike.
 * Sample i of each variant comes from round i.
 */
export async function pairedRounds<V extends string>(
  variants: V[],
  rounds: number,
  measure: (v: V) => Promise<number> | number,
) {
  const out = Object.fromEntries(variants.map((v) => [v, [] as number[]])) as Record<V, number[]>;
  for (let r = 0; r < rounds; r++)
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + r) % variants.length] as V;
      out[v].push(await measure(v));
    }
  return out;
}
/** Median of the per-round ratios a[i] ÷ b[i]. */
export const pairedRatio = (a: number[], b: number[]) => round(median(a.map((x, i) => x / (b[i] as number))), 3);

/** /proc stat fields (after "(comm)") of every live process of a process group. */
function group(pgid: number) {
  return readdirSync("/proc").flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return Number(fields[2]) === pgid
        ? [{ pid, comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), fields }]
        : [];
    } catch {
      return []; // not a process, or exited meanwhile
    }
  });
}
/** CPU ms (user + system, reaped children's included) of a process group: steadier than wall time on shared cores. */
export const groupCpuMs = (pgid: number) =>
  sum(group(pgid).map((p) => sum([11, 12, 13, 14].map((i) => Number(p.fields[i]))))) * 10; // CLK_TCK 100
/** Resident KiB of the group's processes named `comm` (e.g. workerd). */
export const groupRssKb = (pgid: number, comm: string) =>
  sum(
    group(pgid).map((p) =>
      p.comm === comm ? Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${p.pid}/status`, "utf8"))?.[1]) : 0,
    ),
  );
const children = new Set<ChildProcess>();
/** Signals a child's process group (it and what it started, workerd) while the child runs. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
process.on("exit", () => {
  for (const child of children) killGroup(child, "SIGKILL");
});
/** `cmd` in a process group of its own, uncoloured output line by line to `onLine`; stop() ends the group. */
type Spawn = { onLine: (line: string) => void; cwd?: string; env?: object };
export function spawnGroup(cmd: string, args: string[], o: Spawn) {
  const env = { ...offlineEnv, FORCE_COLOR: "0", NO_COLOR: "1", ...o.env };
  const child = spawn(cmd, args, { cwd: o.cwd ?? ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.add(child);
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream?.on("data", (buf: Buffer) => {
      const parts = (rest + buf.toString()).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) o.onLine(line);
    });
  }
  const exited = new Promise<void>((res) => child.on("exit", () => res(void children.delete(child))));
  const stop = async (graceMs = 10_000) => {
    killGroup(child, "SIGTERM");
    if (!(await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]))) killGroup(child, "SIGKILL");
    await exited;
  };
  return { child, stop };
}
type Answers = { ms: number; pollMs: number; output: () => string[]; ok?: (r: Response) => boolean | Promise<boolean> };
/** Polls `url` until `ok` says so; throws with `output()` once the child exited or `o.ms` passed. */
export async function untilAnswers(url: string, child: ChildProcess, o: Answers) {
  const answers = () => fetch(url, { signal: AbortSignal.timeout(30_000) }).then(o.ok ?? ((r) => r.ok), () => false);
  for (const deadline = now() + o.ms; !(await answers()); await sleep(o.pollMs))
    if (child.exitCode !== null || now() > deadline)
      throw new Error(`${url}: no answer (exit ${child.exitCode}, ${o.ms} ms):\n${o.output().join("\n")}`);
}
/** A free loopback port: other sessions run servers on this machine too. */
export async function freePort() {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
export const loadavg1 = () => round(loadavg()[0] ?? 0, 2);
export const machine = () => ({
  nproc: cpus().length,
  cpu: cpus()[0]?.model,
  node: process.version,
  sqlite: (new DatabaseSync(":memory:").prepare("select sqlite_version() v").get() as { v: string }).v,
  wrangler: wranglerSync(["--version"]).trim().split("\n").pop(),
});

/** What a load test keeps of its autocannon run. */
export function loadSummary(r: import("autocannon").Result, cpu_s: number) {
  const codes = (r as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  const { requests: q, latency: l, non2xx, errors, timeouts } = r;
  const status_codes = JSON.stringify(Object.fromEntries(Object.entries(codes).map(([k, v]) => [k, v.count])));
  const reads = `${q.total} at ${round(q.average, 1)} req/s; p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms`;
  return {
    reads,
    requests: q.total,
    req_per_s: round(q.average, 1),
    p99_ms: l.p99,
    non2xx,
    errors,
    timeouts,
    cpu_s,
    status_codes,
  };
}
