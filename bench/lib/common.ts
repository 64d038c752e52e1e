/**
 * Shared by the benchmarks: where the bench's own D1 lives (never the developer's), the SQLite file
 * wrangler serves for it, the seed's metadata, and the JSON results that `bench/run.ts` turns into RESULTS.md.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg as osLoadavg } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The bench's persisted local state (`wrangler --persist-to bench/.state`), gitignored. */
export const STATE_DIR = join(ROOT, "bench/.state");
/** Raw per-benchmark JSON (gitignored); RESULTS.md is written from it. */
export const RESULTS_DIR = join(ROOT, "bench/results");
export const META_FILE = join(STATE_DIR, "bench-meta.json");

export const offlineEnv: NodeJS.ProcessEnv = {
  ...process.env,
  // wrangler's shebang is `env node`: the project's pinned Node 22 comes first, as under `npm run`.
  PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

export const DAY_MS = 86_400_000;
export const D1_DATABASE = "edgecron";

/** True when this module is the script being run (not imported by another benchmark). */
export const isMain = (filename: string) => resolve(process.argv[1] ?? "") === filename;

/** Runs wrangler from node_modules (never a global one), offline; throws with its output on failure. */
export function wranglerSync(args: string[]): string {
  return execFileSync(join(ROOT, "node_modules/.bin/wrangler"), args, {
    cwd: ROOT,
    env: offlineEnv,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** A limit no benchmark can reach: the limiter is still called on every request, it just never refuses. */
export const BENCH_RATE_LIMIT = 1_000_000_000;

export const BUNDLE_DIR = join(STATE_DIR, "bundle");
/** The Worker wrapped by bench/lib/fault-worker.ts (bench only: duplicated and failing sends, rows written). */
export const FAULT_BUNDLE_DIR = join(STATE_DIR, "bundle-faults");

export interface BundleInfo {
  built_at: string;
  git_head: string;
  /** Uncommitted changes under src/ when it was built (others edit src/ while the bench runs). */
  src_changes: string[];
  bytes: number;
}

/**
 * The Worker as one frozen bundle (`wrangler deploy --dry-run --outdir bench/.state/bundle`), served by
 * `wrangler dev` with no_bundle: edits to src/ during a run cannot reload the Worker under the load (a reload
 * also empties the local queue). Built once per `npm run bench` (run.ts sets BENCH_BUNDLE_READY), or fresh
 * when a benchmark runs alone.
 */
export function ensureBundle(opts: { faults?: boolean } = {}): BundleInfo {
  const dir = opts.faults ? FAULT_BUNDLE_DIR : BUNDLE_DIR;
  const infoFile = join(dir, "info.json");
  if (process.env.BENCH_BUNDLE_READY === "1" && existsSync(infoFile)) {
    return JSON.parse(readFileSync(infoFile, "utf8")) as BundleInfo;
  }
  rmSync(dir, { recursive: true, force: true });
  if (opts.faults) {
    // src/ as committed (HEAD), not the working tree, which others edit while the bench runs: `git archive` into
    // bench/.state/head, plus the dashboard assets the [build] step generates (gitignored).
    const head = join(STATE_DIR, "head");
    rmSync(head, { recursive: true, force: true });
    mkdirSync(head, { recursive: true });
    execFileSync("sh", ["-c", `git archive HEAD src | tar -x -C ${JSON.stringify(head)}`], { cwd: ROOT });
    execFileSync(join(ROOT, "node_modules/.bin/tsx"), ["scripts/build-assets.ts"], { cwd: ROOT, env: offlineEnv });
    cpSync(join(ROOT, "src/dashboard/generated"), join(head, "src/dashboard/generated"), { recursive: true });
    // A generated entry (not type-checked: it joins the Worker's types and the bench's) that wraps src/index.ts.
    // Named index.ts so that the bundle is index.js, as for the plain one.
    const entry = join(STATE_DIR, "fault-entry", "index.ts");
    mkdirSync(dirname(entry), { recursive: true });
    writeFileSync(
      entry,
      `import worker from ${JSON.stringify(join(head, "src/index.ts"))};\n` +
        `import { withFaults } from ${JSON.stringify(join(ROOT, "bench/lib/fault-worker.ts"))};\n` +
        "// @ts-ignore structural types\nexport default withFaults(worker);\n",
    );
    wranglerSync(["deploy", entry, "--dry-run", "--outdir", dir]);
  } else {
    wranglerSync(["deploy", "--dry-run", "--outdir", dir]);
  }
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  const info: BundleInfo = {
    built_at: new Date().toISOString(),
    git_head: git(["rev-parse", "--short", "HEAD"]),
    // The fault bundle is built from HEAD's src/, so uncommitted changes are not in it.
    src_changes: opts.faults ? [] : git(["status", "--porcelain", "--", "src"]).split("\n").filter(Boolean),
    bytes: statSync(join(dir, "index.js")).size,
  };
  writeFileSync(infoFile, `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/**
 * A copy of wrangler.toml in bench/.state that serves the frozen bundle (paths made absolute), and, for the
 * load benchmark, a per-key rate limit no load generator reaches (100 requests a minute would refuse it after
 * 100 requests) or no limiter binding at all. Returns the copy's path and what differs from wrangler.toml.
 */
export function benchWranglerConfig(opts: {
  limiter: "as-is" | "raised" | "none";
  faults?: boolean;
  /** N shard bindings SHARD_0 … SHARD_{N-1} instead of wrangler.toml's (bench/scale.ts). */
  shards?: number;
  /** false: no consumer for edgecron-runs, so run messages stay queued (a benchmark of the tick alone). */
  runsConsumer?: boolean;
  /** Suffix of the generated file's name, so that concurrent shapes do not overwrite each other. */
  tag?: string;
}): {
  path: string;
  changes: string[];
} {
  let text = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const changes: string[] = [
    opts.faults
      ? "main → the frozen bundle of src/index.ts wrapped by bench/lib/fault-worker.ts (no_bundle = true)"
      : "main → the frozen bundle (no_bundle = true)",
  ];
  text = text.replace(/^#:schema.*\n/m, "");
  text = text.replace(
    /^main\s*=\s*"([^"]+)"/m,
    () => `main = ${JSON.stringify(join(opts.faults ? FAULT_BUNDLE_DIR : BUNDLE_DIR, "index.js"))}\nno_bundle = true`,
  );
  // The [assets] directory (the /docs script), made absolute like the migrations folders below.
  text = text.replace(/^directory\s*=\s*"([^"]+)"/m, (_, p: string) => `directory = ${JSON.stringify(join(ROOT, p))}`);
  // Every database's migrations folder (the control plane's and the shards'), made absolute.
  text = text.replace(
    /^migrations_dir\s*=\s*"([^"]+)"/gm,
    (_, p: string) => `migrations_dir = ${JSON.stringify(join(ROOT, p))}`,
  );
  if (opts.shards !== undefined) text = withShardBindings(text, opts.shards, changes);
  if (opts.runsConsumer === false) {
    text = text.replace(/^\[\[queues\.consumers\]\]\nqueue = "edgecron-runs"\n[\s\S]*?(?=^\[|^#|(?![\s\S]))/m, () => {
      changes.push("no consumer for edgecron-runs (run messages stay queued: the tick is measured alone)");
      return "";
    });
    if (!changes.some((c) => c.startsWith("no consumer"))) throw new Error("wrangler.toml: no edgecron-runs consumer");
  }
  if (opts.limiter === "raised") {
    text = text.replace(/^(simple\s*=\s*\{\s*limit\s*=\s*)(\d+)/m, (_, head: string, limit: string) => {
      changes.push(`[[ratelimits]] simple.limit ${limit} → ${BENCH_RATE_LIMIT}`);
      return `${head}${BENCH_RATE_LIMIT}`;
    });
    text = text.replace(/^RATE_LIMIT_REQUESTS\s*=\s*"\d+"/m, () => {
      changes.push(`RATE_LIMIT_REQUESTS → "${BENCH_RATE_LIMIT}" (the header that describes it)`);
      return `RATE_LIMIT_REQUESTS = "${BENCH_RATE_LIMIT}"`;
    });
  }
  if (opts.limiter === "none") {
    text = text.replace(/^\[\[ratelimits\]\][\s\S]*?(?=^\[)/m, () => {
      changes.push("no [[ratelimits]] binding (the middleware lets every request through without calling it)");
      return "";
    });
  }
  mkdirSync(STATE_DIR, { recursive: true });
  const path = join(
    STATE_DIR,
    `wrangler.${opts.limiter}${opts.faults ? ".faults" : ""}${opts.tag ? `.${opts.tag}` : ""}.toml`,
  );
  writeFileSync(path, text);
  return { path, changes };
}

/**
 * wrangler.toml's [[d1_databases]] blocks, each from its header to the next table header (comment lines inside a
 * block included: keys and comments may come in any order), with its binding and database_id.
 */
export function d1Blocks(
  text: string,
): Array<{ binding: string; id: string; text: string; start: number; end: number }> {
  return [...text.matchAll(/^\[\[d1_databases\]\]\n(?:(?!\[)[^\n]*\n)*/gm)].map((m) => ({
    binding: /^binding\s*=\s*"(\w+)"/m.exec(m[0])?.[1] ?? "",
    id: /^database_id\s*=\s*"([^"]+)"/m.exec(m[0])?.[1] ?? "",
    text: m[0],
    start: m.index ?? 0,
    end: (m.index ?? 0) + m[0].length,
  }));
}

/**
 * wrangler.toml's SHARD_n [[d1_databases]] blocks replaced by N of them (SHARD_0 … SHARD_{N-1}, the same migrations
 * folder, made-up ids: local D1 keys its files by id). The Worker counts its shards from these bindings.
 */
function withShardBindings(text: string, shards: number, changes: string[]): string {
  const blocks = d1Blocks(text).filter((b) => b.binding.startsWith("SHARD_"));
  const first = blocks[0];
  if (!first) throw new Error("wrangler.toml declares no SHARD_n database");
  const dir = /^migrations_dir = .*$/m.exec(first.text)?.[0] ?? "";
  const generated = Array.from(
    { length: shards },
    (_, i) =>
      `[[d1_databases]]\nbinding = "SHARD_${i}"\ndatabase_name = "edgecron-shard-${i}"\n` +
      `database_id = "00000000-0000-0000-0001-${String(i).padStart(12, "0")}"\n${dir}\n\n`,
  ).join("");
  // Back to front, so earlier offsets stay valid; the generated blocks take the first one's place.
  for (const [i, b] of [...blocks.entries()].reverse())
    text = text.slice(0, b.start) + (i === 0 ? generated : "") + text.slice(b.end);
  changes.push(`${shards} shard bindings SHARD_0 … SHARD_${shards - 1} (wrangler.toml has ${blocks.length})`);
  return text;
}

const D1_DIR = (persistTo: string) => join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
/** Which file is which database: written by migrateBench (bench/.state/…/d1-files.json). */
const D1_MAP = (persistTo: string) => join(persistTo, "d1-files.json");

const sqliteFiles = (persistTo: string) =>
  existsSync(D1_DIR(persistTo))
    ? readdirSync(D1_DIR(persistTo)).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
    : [];

/** The bench state's databases: the control plane's SQLite file and each shard's (index = shard number). */
export interface BenchD1Files {
  control: string;
  shards: string[];
}

/**
 * Creates and migrates the control plane (DB) and every SHARD_n of `config` under `persistTo`, and records which
 * file is which: local D1 names its files by an internal hash, and fresh shard files cannot be told apart by content.
 * DB and SHARD_0 are migrated by `wrangler d1 migrations apply <binding> --local` (one process each, ≈ 20 s on a
 * busy 2-core machine); SHARD_1 … are created empty through miniflare's own D1 binding (one process for all, the
 * same file names wrangler dev uses) and then made copies of the migrated SHARD_0 (`VACUUM INTO`), schema and
 * d1_migrations record alike — 16 wrangler runs would take minutes.
 */
export async function migrateBench(persistTo: string, config?: string): Promise<BenchD1Files> {
  const text = readFileSync(config ?? join(ROOT, "wrangler.toml"), "utf8");
  const ids = new Map(d1Blocks(text).map((b) => [b.binding, b.id]));
  const shards = [...ids.keys()].filter((b) => b.startsWith("SHARD_")).length;
  const map: Record<string, string> = {};
  const newFile = (before: Set<string>, binding: string) => {
    const created = sqliteFiles(persistTo).filter((f) => !before.has(f));
    if (created.length !== 1) throw new Error(`${binding}: expected one new D1 file, found ${created.length}`);
    map[binding] = created[0] as string;
  };
  for (const binding of ["DB", "SHARD_0"]) {
    const before = new Set(sqliteFiles(persistTo));
    const args = ["d1", "migrations", "apply", binding, "--local", "--persist-to", persistTo];
    wranglerSync([...args, ...(config ? ["--config", config] : [])]);
    newFile(before, binding);
  }
  if (shards > 1) {
    const { Miniflare, convertV4MiniflareOptions } = await import("miniflare");
    const rest = Array.from({ length: shards - 1 }, (_, i) => `SHARD_${i + 1}`);
    const mf = new Miniflare(
      convertV4MiniflareOptions({
        modules: true,
        script: "export default { fetch() { return new Response(null); } }",
        compatibilityDate: "2026-11-01",
        resourcePersistencePath: join(persistTo, "v3"),
        d1Databases: Object.fromEntries(rest.map((b) => [b, ids.get(b) as string])),
      } as never),
    );
    try {
      for (const binding of rest) {
        const before = new Set(sqliteFiles(persistTo));
        await (await mf.getD1Database(binding)).prepare("SELECT 1").first();
        newFile(before, binding);
      }
    } finally {
      await mf.dispose();
    }
    const template = openDb(join(D1_DIR(persistTo), map.SHARD_0 as string));
    for (const binding of rest) {
      const file = join(D1_DIR(persistTo), map[binding] as string);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      template.prepare("VACUUM INTO ?").run(file);
      // wrangler's files are in WAL mode; VACUUM INTO writes a rollback-journal file.
      const copy = openDb(file);
      copy.exec("PRAGMA journal_mode = WAL");
      copy.close();
    }
    template.close();
  }
  writeFileSync(D1_MAP(persistTo), `${JSON.stringify(map, null, 2)}\n`);
  return d1Files(persistTo);
}

const tablesOf = (file: string) => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map(
        (r) => r.name,
      ),
    );
  } finally {
    db.close();
  }
};

/**
 * The control plane's and each shard's file under `<persistTo>/v3/d1/`, the very files `wrangler dev --persist-to`
 * serves: from migrateBench's record, or else by content as scripts/lib/local-d1-files.ts does (the control plane
 * has `account_shards`; a shard is the file whose accounts the directory places on it).
 */
export function d1Files(persistTo = STATE_DIR): BenchD1Files {
  const dir = D1_DIR(persistTo);
  if (existsSync(D1_MAP(persistTo))) {
    const map = JSON.parse(readFileSync(D1_MAP(persistTo), "utf8")) as Record<string, string>;
    const shards = Object.keys(map).filter((k) => k.startsWith("SHARD_")).length;
    const files = ["DB", ...Array.from({ length: shards }, (_, i) => `SHARD_${i}`)].map((k) => join(dir, map[k] ?? ""));
    if (files.every((f) => existsSync(f))) return { control: files[0] as string, shards: files.slice(1) };
  }
  const files = sqliteFiles(persistTo).map((f) => join(dir, f));
  const control = files.find((f) => tablesOf(f).has("account_shards"));
  if (!control) throw new Error(`no control-plane D1 file in ${dir}: run \`npx tsx bench/seed-million.ts\``);
  const cdb = openDb(control, { readOnly: true });
  const directory = new Map(
    (
      cdb.prepare("SELECT account_id, shard FROM account_shards").all() as Array<{ account_id: string; shard: number }>
    ).map((r) => [r.account_id, r.shard]),
  );
  cdb.close();
  const shards: string[] = [];
  for (const file of files) {
    if (file === control || !tablesOf(file).has("cron_jobs")) continue;
    const db = openDb(file, { readOnly: true });
    const ids = (db.prepare("SELECT id FROM accounts LIMIT 100").all() as Array<{ id: string }>).map((r) => r.id);
    db.close();
    const shard = ids.map((id) => directory.get(id)).find((s) => s !== undefined);
    if (shard !== undefined) shards[shard] = file;
  }
  if (shards.length === 0 || shards.some((f) => f === undefined)) {
    throw new Error(`cannot tell the shard files in ${dir} apart (no d1-files.json, shards without accounts)`);
  }
  return { control, shards };
}

/** SHARD_0's SQLite file: the shard that holds the bench's seeded accounts, jobs and logs. */
export function d1File(persistTo = STATE_DIR): string {
  return d1Files(persistTo).shards[0] as string;
}

/** The control plane's SQLite file (accounts, API keys, the shard directory). */
export function controlFile(persistTo = STATE_DIR): string {
  return d1Files(persistTo).control;
}

export function openDb(file: string, opts: { readOnly?: boolean } = {}): DatabaseSync {
  const db = new DatabaseSync(file, { readOnly: opts.readOnly ?? false });
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}

export interface BenchAccount {
  account_id: string;
  api_key: string;
  api_secret: string;
}

/** What the seed leaves for the other benchmarks (local-only credentials of a throwaway bench DB). */
export interface BenchMeta {
  seededAt: number;
  historyFrom: number;
  accounts: BenchAccount[];
  bigJob: { id: string; accountId: string; logs: number };
  jobs: number;
  logs: number;
}

export function readMeta(): BenchMeta {
  if (!existsSync(META_FILE)) throw new Error(`${relative(ROOT, META_FILE)} missing: run bench/seed-million.ts first`);
  return JSON.parse(readFileSync(META_FILE, "utf8")) as BenchMeta;
}

export function writeMeta(meta: BenchMeta) {
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(META_FILE, `${JSON.stringify(meta, null, 2)}\n`);
}

export function writeResult(name: string, result: unknown) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

export function readResult<T>(name: string): T | null {
  const file = join(RESULTS_DIR, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : null;
}

const CLK_TCK = 100; // getconf CLK_TCK on Linux

/** Every live process of a process group: its pid, command name and the /proc stat fields after "(comm)". */
function groupProcesses(pgid: number): Array<{ pid: string; comm: string; fields: string[] }> {
  const out: Array<{ pid: string; comm: string; fields: string[] }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // Fields after "(comm)": state ppid pgrp … utime(14) stime(15), 1-indexed over the whole line.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    out.push({ pid: entry, comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), fields });
  }
  return out;
}

/**
 * CPU time (user + system, ms) used so far by every live process of a process group — wrangler dev, its
 * Node proxy and workerd. Per request it stays meaningful when other work on the machine slows the wall clock.
 */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const { fields } of groupProcesses(pgid)) {
    // utime + stime, plus cutime + cstime: the CPU of children that exited and were reaped by this one.
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return (ticks * 1000) / CLK_TCK;
}

/** Resident memory (KiB) of the group's processes named `comm` (e.g. workerd), from /proc/<pid>/status. */
export function groupRssKb(pgid: number, comm: string): number {
  let kb = 0;
  for (const p of groupProcesses(pgid)) {
    if (p.comm !== comm) continue;
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p.pid}/status`, "utf8"));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return kb;
}

/** The 1-minute load average: other work on this 2-core machine shows here. */
export function loadavg1() {
  return round(osLoadavg()[0] ?? 0, 2);
}

export function machine() {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? "unknown",
    node: process.version,
    sqlite: (new DatabaseSync(":memory:").prepare("select sqlite_version() v").get() as { v: string }).v,
    wrangler: wranglerSync(["--version"]).trim().split("\n").pop() ?? "",
  };
}

/** Milliseconds since an origin, with sub-ms precision. */
export const now = () => performance.now();

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Bytes as MiB, one decimal. */
export const mb = (bytes: number) => round(bytes / 1048576, 1);

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** `npx tsx bench/x.ts` must be run from the repository root; so is every command we print. */
export function commandLine(script: string) {
  return `npx tsx ${relative(ROOT, script)}`;
}

/** What a load test reports of its autocannon run (bench/soak.ts, bench/ledger-load.ts). */
export interface LoadSummary {
  requests: number;
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  status_codes: Record<string, number>;
  /** wrangler + workerd CPU seconds during the load. */
  cpu_s: number;
}

export function loadSummary(load: import("autocannon").Result, cpuS: number): LoadSummary {
  const codes = (load as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  return {
    requests: load.requests.total,
    req_per_s: round(load.requests.average, 1),
    p50_ms: load.latency.p50,
    p99_ms: load.latency.p99,
    max_ms: load.latency.max,
    non2xx: load.non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
    status_codes: Object.fromEntries(Object.entries(codes).map(([k, v]) => [k, v.count])),
    cpu_s: cpuS,
  };
}
