/**
 * Shared by the benchmarks: where the bench's own D1 lives (never the developer's), the SQLite file
 * wrangler serves for it, the seed's metadata, and the JSON results that `bench/run.ts` turns into RESULTS.md.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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

/**
 * A copy of wrangler.toml for the load benchmark, identical but for the per-key rate limit (100 requests a
 * minute would refuse a load generator after 100 requests). Paths are made absolute, as the copy lives in
 * bench/.state. Returns the copy's path and what was changed.
 */
export function benchWranglerConfig(opts: { limiter?: boolean } = {}): { path: string; changes: string[] } {
  let text = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const changes: string[] = [];
  text = text.replace(/^#:schema.*\n/m, "");
  text = text.replace(/^main\s*=\s*"([^"]+)"/m, (_, p: string) => `main = ${JSON.stringify(join(ROOT, p))}`);
  text = text.replace(
    /^migrations_dir\s*=\s*"([^"]+)"/m,
    (_, p: string) => `migrations_dir = ${JSON.stringify(join(ROOT, p))}`,
  );
  text = text.replace(/^(simple\s*=\s*\{\s*limit\s*=\s*)(\d+)/m, (_, head: string, limit: string) => {
    changes.push(`[[ratelimits]] simple.limit ${limit} → ${BENCH_RATE_LIMIT}`);
    return `${head}${BENCH_RATE_LIMIT}`;
  });
  text = text.replace(/^RATE_LIMIT_REQUESTS\s*=\s*"\d+"/m, () => {
    changes.push(`RATE_LIMIT_REQUESTS → "${BENCH_RATE_LIMIT}" (the header that describes it)`);
    return `RATE_LIMIT_REQUESTS = "${BENCH_RATE_LIMIT}"`;
  });
  if (opts.limiter === false) {
    text = text.replace(/^\[\[ratelimits\]\][\s\S]*?(?=^\[)/m, () => {
      changes.push("no [[ratelimits]] binding (the middleware lets every request through without calling it)");
      return "";
    });
  }
  mkdirSync(STATE_DIR, { recursive: true });
  const path = join(STATE_DIR, opts.limiter === false ? "wrangler.bench-nolimiter.toml" : "wrangler.bench.toml");
  writeFileSync(path, text);
  return { path, changes };
}

/** The D1 database's SQLite file under `<persistTo>/v3/d1/` — the very file `wrangler dev --persist-to` serves. */
export function d1File(persistTo = STATE_DIR): string {
  const dir = join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite") : [];
  if (files.length !== 1) {
    throw new Error(
      `expected one D1 sqlite file in ${dir}, found ${files.length}: run \`npx tsx bench/seed-million.ts\``,
    );
  }
  return join(dir, files[0] as string);
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

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** `npx tsx bench/x.ts` must be run from the repository root; so is every command we print. */
export function commandLine(script: string) {
  return `npx tsx ${relative(ROOT, script)}`;
}
