/**
 * `npm run bench`: seed → logs load → sweep → tick → export → soak → run-ledger load → bundle size → first npm start → tick at scale (per shard), each in
 * its own process, then bench/RESULTS.md from their JSON results (bench/results/*.json). `npm run bench -- --report` rewrites RESULTS.md
 * from the last results without running anything; `npm run bench -- --section ledger-load` rewrites only that
 * section of the existing file.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { CHUNK_MAX, CHUNK_MIN, CHUNK_START, CHUNK_TARGET_MS } from "../src/retention/chunk-size";
import { SWEEP_CRON } from "../src/triggers";
import { type BundleResult, spliceBundle } from "./bundle";
import type { ExportRun, LivePoint } from "./export";
import { type FirstStartResult, spliceFirstStart } from "./first-start";
import {
  type BundleInfo,
  ensureBundle,
  type LoadSummary,
  loadavg1,
  machine,
  mb,
  now,
  offlineEnv,
  RESULTS_DIR,
  ROOT,
  readResult,
  round,
  writeResult,
} from "./lib/common";
import { type LedgerLoad, ledgerSection, spliceSection } from "./lib/ledger-report";
import { scaleSection, spliceScale } from "./lib/scale-report";
import { type LogStorageResult, spliceLogStorage } from "./log-storage";
import { type LogStoreResult, spliceLogStore } from "./log-store";
import type { FloorResult, LoadResult } from "./logs-load";
import type { ScaleResult } from "./scale";

const STEPS = [
  { name: "seed", script: "bench/seed-million.ts" },
  { name: "logs-load", script: "bench/logs-load.ts" },
  { name: "sweep", script: "bench/sweep.ts" },
  { name: "tick", script: "bench/tick.ts" },
  { name: "export", script: "bench/export.ts" },
  { name: "soak", script: "bench/soak.ts" },
  { name: "ledger-load", script: "bench/ledger-load.ts" },
  { name: "log-storage", script: "bench/log-storage.ts" },
  // Three log layouts × four body profiles at a million logs, then reads: ≈ 35 min on two shared cores.
  { name: "log-store", script: "bench/log-store.ts" },
  // The Worker's script size and module load against the commit before the API reference became an asset.
  { name: "bundle-size", script: "bench/bundle.ts" },
  // A scratch state of its own (npm start -- --persist-to <temp dir>), timed against its own CPU baseline.
  { name: "first-start", script: "bench/first-start.ts" },
  // Last: it seeds states of its own (bench/.state/scale) and needs none of the seed's.
  { name: "scale", script: "bench/scale.ts" },
] as const;

interface RunInfo {
  command: string;
  started: string;
  finished: string;
  machine: ReturnType<typeof machine>;
  loadavg_start: number;
  loadavg_end: number;
  steps: Array<{ name: string; script: string; ok: boolean; seconds: number }>;
}

interface LogsBaseline {
  source: string;
  cursor_walk_ms_per_page: number;
  scenarios: Record<
    string,
    { label: string; ratio_to_health: number; cpu_ratio_to_health: number; sqlite_page_ms: number | null }
  >;
}

/**
 * Section 2 against the same scenarios before issue 12's compact logs and shards (bench/baseline/, copied from that
 * run's RESULTS.md), by what survives a change of machine load: each scenario's ratio to its own paired /health run.
 * CPU is shown as "× /health" (scenario CPU ms per request ÷ /health's), so a larger number costs more.
 */
function beforeIssue12(logs: Logs, floorBy: Map<string, Logs["floor"][number]>): string[] {
  const file = join(ROOT, "bench/baseline/logs-load-before-issue-12.json");
  if (!existsSync(file)) return [];
  const base = JSON.parse(readFileSync(file, "utf8")) as LogsBaseline;
  const out: string[] = [];
  const rows = logs.loads.filter((l) => base.scenarios[l.name]);
  if (rows.length === 0) return [];
  out.push(
    `**Against the run before issue 12** (${base.source}; same scenarios, settings and machine type). Ratios to the ` +
      "paired /health, which is what stays comparable between runs; CPU as × /health (scenario CPU per request ÷ " +
      "/health's), so more is worse.",
    "",
    "| Scenario | req/s ratio to /health: before → now | CPU per request, × /health: before → now | change | SQLite page ms: before → now |",
    "| --- | ---: | ---: | ---: | ---: |",
  );
  const changes: Array<{ label: string; change: number }> = [];
  for (const l of rows) {
    const b = base.scenarios[l.name];
    if (!b) continue;
    const before = 1 / b.cpu_ratio_to_health;
    const now = 1 / l.cpu_ratio_to_health;
    const change = now / before - 1;
    changes.push({ label: l.label, change });
    const pageMs = floorBy.get(l.name)?.page_ms;
    out.push(
      `| ${l.label} | ${b.ratio_to_health.toFixed(2)} → ${l.ratio_to_health.toFixed(2)} | ${before.toFixed(2)} → ` +
        `${now.toFixed(2)} | ${change >= 0 ? "+" : ""}${Math.round(change * 100)} % | ${b.sqlite_page_ms ?? "—"} → ${pageMs ?? "—"} |`,
    );
  }
  const worse = changes.filter((c) => c.change > 0.15);
  out.push(
    "",
    `Cursor walk, sequential: ${base.cursor_walk_ms_per_page} ms a page before, ${logs.cursor.walk_ms_per_page ?? "—"} now ` +
      "(absolute wall time, not paired with /health). " +
      (worse.length === 0
        ? "No scenario costs more than 15 % more CPU per request, relative to /health, than before."
        : `More than 15 % more CPU per request relative to /health than before: ${worse.map((w) => `${w.label} (+${Math.round(w.change * 100)} %)`).join(", ")}.`),
    "",
    "Why the SQLite column grows (≈ 0.05 → ≈ 0.7 ms for a page of 50): the compact `logs` table is WITHOUT ROWID, and " +
      "such a table's interior b-tree pages hold whole rows, not rowids (≈ 24–27 cells a page on this file, measured " +
      "with dbstat on 2026-11-30: five levels for a million rows), and a row whose response body nears the 1 KB cap " +
      "spills onto overflow pages, which SQLite reads in full to compare that key during a seek (btree.c, " +
      "sqlite3BtreeIndexMoveto). So each of the page's rows read by its key costs ≈ 10–15 µs here (the same after " +
      "VACUUM, and in rollback-journal mode), where the rowid table before took ≈ 1 µs. The page's ids come from the index alone in ≈ 0.04 ms (src/logs/late-lookup.ts). A rowid " +
      "table would need a unique index on the execution id — a fifth row per log insert and ≈ 40 B more per log, " +
      "against issue 12's budget of 4 rows — so the compact table pays this on reads: ≈ 0.65 ms of D1 time per page, " +
      "and the same per 50 rows exported (section 5).",
    "",
  );
  return out;
}

function runAll(): RunInfo {
  const started = new Date().toISOString();
  const loadStart = loadavg1();
  const steps: RunInfo["steps"] = [];
  for (const step of STEPS) {
    if (step.name !== "seed" && !steps.some((s) => s.name === "bundle")) {
      // One frozen Worker bundle for every step after the seed (which wipes bench/.state).
      const t = now();
      let ok = true;
      try {
        const info = ensureBundle();
        console.log(`\n▶ bundle: wrangler deploy --dry-run → bench/.state/bundle (HEAD ${info.git_head})`);
      } catch (e) {
        ok = false;
        console.error(`✗ bundle failed: ${String(e)}`);
      }
      steps.push({
        name: "bundle",
        script: "wrangler deploy --dry-run --outdir bench/.state/bundle",
        ok,
        seconds: round((now() - t) / 1000, 1),
      });
      if (!ok) break;
    }
    console.log(`\n▶ ${step.name}: npx tsx ${step.script}`);
    const t = now();
    const res = spawnSync(join(ROOT, "node_modules/.bin/tsx"), [step.script], {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...offlineEnv, NODE_OPTIONS: "--disable-warning=ExperimentalWarning", BENCH_BUNDLE_READY: "1" },
    });
    const ok = res.status === 0;
    steps.push({ name: step.name, script: step.script, ok, seconds: round((now() - t) / 1000, 1) });
    if (!ok) console.error(`✗ ${step.name} failed (exit ${res.status ?? res.signal})`);
    if (!ok && step.name === "seed") break; // nothing else can run without the seed
  }
  const info: RunInfo = {
    command: "npm run bench",
    started,
    finished: new Date().toISOString(),
    machine: machine(),
    loadavg_start: loadStart,
    loadavg_end: loadavg1(),
    steps,
  };
  writeResult("run", info);
  return info;
}

// ---- RESULTS.md --------------------------------------------------------------------------------------

interface Seed {
  command: string;
  accounts: number;
  jobs: number;
  logs: number;
  big_job_logs: number;
  status_mix: Record<string, number>;
  triggers_fired_on_insert?: string[];
  migrate_ms: number;
  load_ms: number;
  rows_per_s: number;
}
interface Logs {
  command: string;
  bundle?: BundleInfo;
  reloads?: number;
  wrangler_config: { path: string; changes: string[] };
  connections: number;
  duration_s: number;
  warmup_s: number;
  limit: number;
  big_job: { id: string; accountId?: string; logs: number };
  health_req_per_s: { min: number; max: number; mean: number };
  cursor: Record<string, unknown> & { supported: boolean };
  loads: LoadResult[];
  diagnostic?: { wrangler_config: { changes: string[] }; loads: LoadResult[] };
  floor: FloorResult[];
}
interface SweepRaw {
  rows_before: number;
  deleted: number;
  rows_after: number;
  indexes_on_execution_logs: string[];
  sql: string | string[];
  /** Rows per chunk: a fixed size, or "adaptive" (src/retention/chunk-size.ts) with the sizes it used. */
  chunk: number | "adaptive";
  chunk_rows?: { min: number; max: number };
  chunks: number;
  total_ms: number;
  rows_per_s: number;
  chunk_ms: { min: number; p50: number; p90: number; max: number };
  chunks_over_target: number;
  chunk_cpu_ms?: { p50: number; max: number };
  triggers_on_execution_logs?: string[];
  dropped?: string[];
  loadavg_before?: number;
  pragmas: { journal_mode: string; synchronous: number };
}
/** One `retention_sweep` log line of the Worker. */
interface SweepLog {
  cutoff: string;
  expired_deleted: number;
  chunks: number;
  slowest_chunk_ms: number;
  chunk_rows: { min: number; max: number };
  complete: boolean;
  duration_ms: number;
}
/** The sweep cron fired through the Worker until a sweep reported itself complete; figures over all runs. */
interface SweepWorker {
  endpoint: string;
  runs: Array<{ response: string; wall_ms: number; log: SweepLog }>;
  sweeps: number;
  complete: boolean;
  cutoff_matches_raw_run: boolean;
  expired_deleted: number;
  duration_ms: number;
  rows_per_s: number;
  chunks: number;
  slowest_chunk_ms: number;
  chunk_rows: { min: number; max: number };
  loadavg_before: number;
  reloads: number;
}
interface Sweep {
  command: string;
  bundle?: BundleInfo;
  code_chunk?: number | "adaptive";
  db_file_mb: number;
  target_chunk_ms: number;
  raw: SweepRaw;
  raw_without_account_indexes?: SweepRaw | null;
  raw_at_issue_chunk?: SweepRaw | null;
  raw_without_delete_trigger?: SweepRaw | null;
  /** The per-row delete trigger migration 0004 removed, re-created on a copy (comparison only). */
  raw_with_row_trigger?: SweepRaw | null;
  worker: SweepWorker | { error: string } | null;
}
interface Tick {
  command: string;
  bundle?: BundleInfo;
  endpoint?: string;
  reloads?: number;
  jobs: number;
  accounts: number;
  target_tick_ms: number;
  tick: { due: number; claimed: number; enqueued: number; duration_ms: number };
  tick_wall_ms: number;
  loadavg_before: number;
  first_attempts_recorded: number;
  reached_all: boolean;
  wait_s?: number;
  seconds_from_tick_to_last: number;
  runs_per_s_from_tick: number;
  consumer_span_s: number | null;
  runs_per_s_consumer: number | null;
  retries_recorded_meanwhile: number;
  queue_batches?: { count: number; mean_size: number | null; mean_ms: number | null; ms_per_message: number | null };
  cpu_ms_per_run?: number | null;
  poll_error: string | null;
  jobs_claimed_once_in_d1: number;
}
interface Export {
  command: string;
  bundle?: BundleInfo;
  wrangler_config: { path: string; changes: string[] };
  big_job: { id: string; accountId?: string; logs: number };
  sample_ms: number;
  runs: ExportRun[];
  live_heap?: {
    rows: number;
    every_rows: number;
    points: LivePoint[];
    baseline_mb: number;
    max_during_mb: number;
    max_growth_mb: number;
    first_to_last_pause_mb: number;
    after_mb: number;
  };
  full_export_complete: boolean;
  /** Heap growth of the whole history ÷ that of the smallest export, and their row counts' ratio. */
  heap_growth_ratio: number | null;
  rows_ratio: number | null;
  total_s: number;
}
interface Soak {
  command: string;
  bundle?: BundleInfo;
  wrangler_config: { path: string; changes: string[] };
  connections: number;
  duration_s: number;
  jobs: number;
  ticks_planned: number;
  tick_every_ms: number;
  t0: string;
  load: LoadSummary & {
    loadavg_before: number;
  };
  reads: string[];
  ticks: {
    fired: number;
    non_200: number;
    wall_ms_max: number;
    logged: number;
    claimed: number;
    enqueued: number;
    duration_ms_max: number;
  };
  drain_s: number;
  first_attempts_seen_while_running: number;
  worker_error_lines: number;
  worker_error_sample: string[];
  reloads: number;
  check: {
    jobs: number;
    claimed_slots: number;
    claimed_by_tick_logs: number;
    expected_first_attempts: number;
    first_attempt_logs: number;
    missing: number;
    unexpected: number;
    missing_sample: string[];
    next_run_at_mismatch: number;
    retry_logs: number;
    lost_executions: number;
    exactly_once: boolean;
  };
  errors_total: number;
  total_s: number;
}

const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? "—"
    : n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (r: number) => `${Math.round(r * 100)} %`;
const yes = (ok: boolean) => (ok ? "**met**" : "**missed**");
const yesNo = (ok: boolean | undefined) => (ok ? "yes" : "**no**");

/** When a step's JSON was written, if it exists. */
function writtenAt(name: string): Date | null {
  const file = join(RESULTS_DIR, `${name}.json`);
  return existsSync(file) ? statSync(file).mtime : null;
}

/** The value of a `KEY = "value"` line of wrangler.toml (for text only; null if absent). */
function wranglerVar(key: string): string | null {
  try {
    return (
      new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, "m").exec(readFileSync(join(ROOT, "wrangler.toml"), "utf8"))?.[1] ?? null
    );
  } catch {
    return null;
  }
}

const sweepChunkRows = (r: SweepRaw) =>
  r.chunk === "adaptive"
    ? `adaptive, ${r.chunk_rows ? `${fmt(r.chunk_rows.min)}–${fmt(r.chunk_rows.max)}` : "?"} rows`
    : `${fmt(r.chunk)} rows (fixed)`;
const sweepWorkerOf = (sweep: Sweep | null): SweepWorker | null =>
  sweep?.worker && "runs" in sweep.worker ? sweep.worker : null;
const ADAPTIVE_CHUNKS =
  `src/retention/chunk-size.ts: aims at ${CHUNK_TARGET_MS} ms per chunk, starts at ${fmt(CHUNK_START)} rows, ` +
  `at most doubles per step, ${fmt(CHUNK_MIN)}–${fmt(CHUNK_MAX)} rows`;

/** A URL path for the text: the big job and its account named, other ids by their place, cursors elided. */
const shortPath = (path: string, big?: { id: string; accountId?: string }) =>
  path
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id, at: number) => {
      if (id === big?.id) return "{big job}";
      if (id === big?.accountId) return "{big job's account}";
      return path.slice(0, at).endsWith("/cron-jobs/") ? "{load-test account}" : "{load-test job}";
    })
    .replace(/cursor=[^&]+/, "cursor=…");

function report(run: RunInfo | null): string {
  const seed = readResult<Seed>("seed");
  const logs = readResult<Logs>("logs-load");
  const sweep = readResult<Sweep>("sweep");
  const tick = readResult<Tick>("tick");
  const exp = readResult<Export>("export");
  const soak = readResult<Soak>("soak");
  const m = run?.machine ?? machine();
  const out: string[] = [];
  const p = (s = "") => out.push(s);

  // Results written outside the run's window come from a separate run of their script.
  const elsewhere = run
    ? STEPS.map((s) => ({ name: s.name, at: writtenAt(s.name) })).filter(
        (s): s is { name: (typeof STEPS)[number]["name"]; at: Date } =>
          s.at !== null &&
          (s.at.getTime() < Date.parse(run.started) - 1_000 || s.at.getTime() > Date.parse(run.finished) + 5_000),
      )
    : [];

  p("# edgecron benchmarks — results");
  p();
  p(
    `Produced by \`${run?.command ?? "npm run bench"}\` (bench/run.ts: seed → logs load → retention sweep → dispatch tick → ` +
      `export → load test → run-ledger load test, each in its own process), ${run?.started ?? "?"} → ${run?.finished ?? "?"}. ` +
      (elsewhere.length === 0
        ? "Every figure below comes from that one run; "
        : `Every figure below comes from that run except those of ${elsewhere
            .map(
              (s) =>
                `${s.name} (bench/results/${s.name}.json written ${s.at.toISOString()}, by a separate run of its script)`,
            )
            .join(", ")}; `) +
      "each section names the script that measured it (each can be run alone from the repository root after the seed).",
  );
  p();
  p(
    `Machine: ${m.nproc} cores (${m.cpu}), Node ${m.node} (the project's pinned node from node_modules), ` +
      `SQLite ${m.sqlite} (node:sqlite), wrangler ${m.wrangler}. ` +
      `1-minute load average ${run?.loadavg_start ?? "?"} at the start, ${run?.loadavg_end ?? "?"} at the end.`,
  );
  if (run) {
    const notRun = STEPS.filter((s) => !run.steps.some((r) => r.name === s.name)).map((s) => s.name);
    p();
    p(
      `Steps: ${run.steps.map((s) => `${s.name} ${s.seconds} s${s.ok ? "" : " (FAILED)"}`).join(", ")}` +
        (notRun.length ? ` (not part of this run: ${notRun.join(", ")})` : "") +
        ".",
    );
  }
  p();
  const bundle = logs?.bundle ?? null;
  if (bundle) {
    p(
      `Worker measured: one frozen bundle (\`wrangler deploy --dry-run\`, served by \`wrangler dev\` with no_bundle so that ` +
        `edits to src/ during the run cannot reload it), built ${bundle.built_at} from HEAD ${bundle.git_head}` +
        (bundle.src_changes.length
          ? ` plus ${bundle.src_changes.length} uncommitted change(s) under src/ (${bundle.src_changes.map((c) => `\`${c.trim()}\``).join(", ")}).`
          : " (src/ clean)."),
    );
    const others = Object.entries({
      sweep: sweep?.bundle,
      tick: tick?.bundle,
      export: exp?.bundle,
      soak: soak?.bundle,
    }).filter((x): x is [string, BundleInfo] => x[1] !== undefined && x[1].built_at !== bundle.built_at);
    if (others.length > 0) {
      p();
      p(
        `Other bundles: ${others
          .map(
            ([name, b]) =>
              `${name} measured a bundle built ${b.built_at} from HEAD ${b.git_head}` +
              (b.src_changes.length
                ? ` plus ${b.src_changes.map((c) => `\`${c.trim()}\``).join(", ")}`
                : " (src/ clean)"),
          )
          .join("; ")}.`,
      );
    }
  }
  p();
  p(
    "All traffic went to 127.0.0.1. The bench uses its own state (`--persist-to bench/.state`, gitignored): the " +
      "developer's `.wrangler/state` is never touched. Direct SQLite access uses Node 22's built-in `node:sqlite` " +
      "(`DatabaseSync`) rather than better-sqlite3, so nothing native is built.",
  );
  p();

  // ---- targets
  const byName = new Map((logs?.loads ?? []).map((l) => [l.name, l]));
  const diag = new Map((logs?.diagnostic?.loads ?? []).map((l) => [l.name, l]));
  const filterNames = ["page1", "status_success", "status_failure", "status_error", "status_timeout", "day"];
  const filters = filterNames.map((n) => byName.get(n)).filter((l): l is LoadResult => !!l);
  const filtersNoLimiter = filterNames.map((n) => diag.get(`${n}_nolimiter`)).filter((l): l is LoadResult => !!l);
  const worst = (xs: LoadResult[], key: (l: LoadResult) => number) =>
    xs.reduce<LoadResult | null>((w, l) => (w === null || key(l) < key(w) ? l : w), null);
  const page1 = byName.get("page1");
  const cursors = (logs?.loads ?? []).filter((l) => l.name.startsWith("cursor_"));
  const worker = sweepWorkerOf(sweep);
  const floorBy = new Map((logs?.floor ?? []).map((f) => [f.name, f]));
  const exportNd = (exp?.runs ?? []).filter((r) => r.format === "ndjson");
  const exportWhole = exportNd.filter((r) => exp && r.rows === exp.big_job.logs);
  const exportCsv = (exp?.runs ?? []).find((r) => r.format === "csv");

  p("## Targets of issue 7");
  p();
  p(
    "Throughput ratios are measured (each scenario ÷ the /health run just before it). The load generator, wrangler and " +
      "workerd share 2 cores, so each row also gives the **CPU ratio**: wrangler + workerd CPU time per /health " +
      "request ÷ per scenario request — the throughput ratio a CPU-bound server with its own cores would show, " +
      "and much steadier than wall-clock throughput here.",
  );
  p();
  p("| Target | Measured | Result |");
  p("| --- | --- | --- |");
  if (logs && filters.length > 0) {
    const measured = (xs: LoadResult[]) =>
      xs
        .map(
          (l) =>
            `${l.label.replace(/, no limiter$/, "")}: ${pct(l.ratio_to_health)} (CPU ratio ${pct(l.cpu_ratio_to_health)})`,
        )
        .join("; ");
    const verdict = (xs: LoadResult[]) => {
      const w = worst(xs, (l) => l.ratio_to_health) as LoadResult;
      const wc = worst(xs, (l) => l.cpu_ratio_to_health) as LoadResult;
      return (
        `measured ${yes(xs.every((l) => l.ratio_to_health >= 0.5))} (worst: ${w.label}, ${pct(w.ratio_to_health)}); ` +
        `by CPU ratio ${yes(xs.every((l) => l.cpu_ratio_to_health >= 0.5))} (worst: ${wc.label}, ${pct(wc.cpu_ratio_to_health)})`
      );
    };
    p(
      "| Logs endpoint ≥ 50 % of `/health` throughput at 1M rows, page 1 and every filter | " +
        `**with the RATE_LIMITER binding** (as configured for production): ${measured(filters)}` +
        (filtersNoLimiter.length ? `. **Without the binding**: ${measured(filtersNoLimiter)}` : "") +
        ` | with the binding: ${verdict(filters)}` +
        (filtersNoLimiter.length ? `. Without it: ${verdict(filtersNoLimiter)}` : "") +
        " |",
    );
  }
  if (logs) {
    if (!logs.cursor.supported) {
      p(
        "| Cursor pages within 1.5× of page 1 at any depth | the endpoint had no `cursor` when measured | not measured |",
      );
    } else if (page1 && cursors.length > 0) {
      const met = cursors.every((c) => c.req_per_s * 1.5 >= page1.req_per_s && c.p50_ms <= 1.5 * page1.p50_ms);
      const metCpu = cursors.every((c) => c.cpu_ms_per_req <= 1.5 * page1.cpu_ms_per_req);
      p(
        `| Cursor pages within 1.5× of page 1 at any depth | page 1: ${fmt(page1.req_per_s)} req/s, p50 ${page1.p50_ms} ms, ` +
          `${page1.cpu_ms_per_req} CPU ms/req; ` +
          `${cursors.map((c) => `${c.label}: ${fmt(c.req_per_s)} req/s, p50 ${c.p50_ms} ms, ${c.cpu_ms_per_req} CPU ms/req`).join("; ")} | ` +
          `${yes(met)} by req/s and p50 (load average ${page1.loadavg_before} for page 1, ` +
          `${cursors.map((c) => c.loadavg_before).join(" / ")} for the cursor runs); by CPU per request ${yes(metCpu)}` +
          `${metCpu ? " — a cursor page costs about what page 1 costs at every depth" : ""} |`,
      );
    }
  }
  if (sweep) {
    const target = sweep.target_chunk_ms;
    const rawOk = sweep.raw.chunk_ms.max < target;
    const workerOk = worker ? worker.slowest_chunk_ms < target : null;
    const issue = sweep.raw_at_issue_chunk;
    p(
      `| Every sweep chunk < ${target} ms | ${sweepChunkRows(sweep.raw)}: raw SQLite slowest ${sweep.raw.chunk_ms.max} ms ` +
        `(p50 ${sweep.raw.chunk_ms.p50} ms; CPU per chunk max ${sweep.raw.chunk_cpu_ms?.max ?? "—"} ms); through the Worker: ` +
        (worker
          ? `slowest ${worker.slowest_chunk_ms} ms over ${worker.sweeps === 1 ? "its one sweep" : `all ${worker.sweeps} sweeps`} (per sweep: ` +
            `${worker.runs.map((r) => `${r.log.slowest_chunk_ms} ms`).join(" / ")}; ${fmt(worker.chunk_rows.min)}–${fmt(worker.chunk_rows.max)} rows)`
          : "—") +
        (issue
          ? `; for comparison, the issue's fixed ${fmt(issue.chunk as number)}-row chunks: raw slowest ${issue.chunk_ms.max} ms ` +
            `(${issue.chunks_over_target} of ${issue.chunks} chunks at or over ${target} ms)`
          : "") +
        ` | raw ${yes(rawOk)}${workerOk === null ? "" : `, Worker ${yes(workerOk)}`}` +
        (issue ? `; at ${fmt(issue.chunk as number)} rows raw ${yes(issue.chunk_ms.max < target)}` : "") +
        " |",
    );
  }
  if (tick) {
    p(
      `| Tick for ${fmt(tick.jobs)} jobs < ${tick.target_tick_ms / 1000} s | dispatch_tick duration_ms ${fmt(tick.tick.duration_ms)} ` +
        `(claimed ${fmt(tick.tick.claimed)}, enqueued ${fmt(tick.tick.enqueued)}) | ${yes(tick.tick.duration_ms < tick.target_tick_ms && tick.tick.enqueued === tick.jobs)} |`,
    );
  }
  const exportVerdict = exp ? judgeExport(exp) : null;
  if (exp && exportWhole.length > 0) {
    const w = exportWhole[0] as ExportRun;
    p(
      `| Export of the ${fmt(exp.big_job.logs)}-log job: time | NDJSON, whole history: ${fmt(w.total_ms / 1000, 1)} s ` +
        `(${fmt(w.rows_per_s)} rows/s, ${w.mb_per_s} MB/s, first byte after ${w.first_byte_ms} ms, ${mb(w.bytes)} MB)` +
        (exportWhole.length > 1
          ? `; repeated: ${exportWhole
              .slice(1)
              .map((r) => `${fmt(r.total_ms / 1000, 1)} s`)
              .join(" / ")}`
          : "") +
        (exportCsv ? `; CSV: ${fmt(exportCsv.total_ms / 1000, 1)} s (${mb(exportCsv.bytes)} MB)` : "") +
        ` | a figure (no threshold); every row exported once, oldest first: ${yesNo(exp.full_export_complete)} |`,
    );
  }
  if (exp && exportVerdict) {
    p(
      `| Export memory flat (no growth with row count) | ${exportVerdict.measured} | ${yes(exportVerdict.flat)}` +
        `${exportVerdict.note ? ` — ${exportVerdict.note}` : ""} |`,
    );
  }
  if (soak) {
    const c = soak.check;
    const ok = soak.errors_total === 0 && c.exactly_once && c.missing === 0 && soak.ticks.fired === soak.ticks_planned;
    p(
      `| Load test: ${soak.duration_s} s at ${soak.connections} connections, reads + ticks: zero errors, zero lost executions | ` +
        `${fmt(soak.load.requests)} reads (${fmt(soak.load.req_per_s, 1)} req/s, p99 ${soak.load.p99_ms} ms): ` +
        `${fmt(soak.load.non2xx)} non-2xx, ${fmt(soak.load.errors)} errors, ${fmt(soak.load.timeouts)} timeouts; ` +
        `${soak.ticks.fired} of ${soak.ticks_planned} ticks (${soak.ticks.non_200} not 200) claimed ${fmt(c.claimed_slots)} slots; ` +
        `${fmt(c.first_attempt_logs)} first-attempt logs, ${fmt(c.missing)} missing, ${fmt(c.unexpected)} unexpected; ` +
        `${fmt(soak.worker_error_lines)} Worker error lines; errors in all: ${fmt(soak.errors_total)} | ${yes(ok)} |`,
    );
  }
  p();

  // ---- what it points at
  p("## What the measurements point at");
  p();
  if (logs && page1) {
    const f1 = floorBy.get("page1");
    const fd = floorBy.get("deep_page");
    const details = byName.get("diag_details");
    const c2 = byName.get("cursor_2");
    const health = page1.health_cpu_ms_per_req;
    const dDetails = diag.get("diag_details_nolimiter");
    const dCursor = diag.get("cursor_2_nolimiter");
    const dPage1 = diag.get("page1_nolimiter");
    const d401 = diag.get("diag_401");
    const cpu = (l: LoadResult | undefined) => (l ? `${l.cpu_ms_per_req} ms` : "—");
    const sqlTotal = Math.max(...logs.floor.filter((f) => f.name !== "deep_page").map((f) => f.total_ms));
    if (f1) {
      const rollup = (f1.count_ms ?? 0) < 1;
      p(
        rollup
          ? `- **The count is no longer the cost.** The Worker's count is now a sum over the \`log_counts\` rollup ` +
              `(\`${f1.sql.count ?? "?"}\`): ${f1.count_ms} ms in SQLite for page 1, against ${f1.naive_count_ms} ms for a ` +
              `\`count(*)\` over the job's ${fmt(logs.big_job.logs)} index entries (status=success: ` +
              `${floorBy.get("status_success")?.count_ms ?? "—"} vs ${floorBy.get("status_success")?.naive_count_ms ?? "—"} ms). ` +
              `Through the Worker page 1 costs ${cpu(page1)} CPU per request and a cursor page (no count) ${cpu(c2)}: ` +
              "counting no longer separates them, and every filter lands at the same cost."
          : `- **\`count(*)\` on every page-numbered request.** The count the Worker sends costs ${f1.count_ms} ms in SQLite ` +
              `for page 1 (the page itself ${f1.page_ms} ms); through the Worker page 1 costs ${cpu(page1)} CPU per request ` +
              `against ${cpu(c2)} for a cursor page, which sends no count.`,
      );
    }
    if (details && c2) {
      const d = (a: LoadResult | undefined, b: LoadResult | number | undefined) =>
        a && b !== undefined ? fmt(a.cpu_ms_per_req - (typeof b === "number" ? b : b.cpu_ms_per_req), 2) : "—";
      const lim1 = byName.get("diag_cursor_limit1");
      // The two costs the local runtime adds to an authenticated, D1-backed request, from the diagnostic pairs.
      const limiterMs = dDetails ? details.cpu_ms_per_req - dDetails.cpu_ms_per_req : null;
      const h401 = d401?.health_cpu_ms_per_req ?? health;
      const d1ReadMs = d401 ? d401.cpu_ms_per_req - d401.health_cpu_ms_per_req : null;
      const bestWithout = d1ReadMs !== null ? h401 / (h401 + d1ReadMs) : null;
      const bestWith = d1ReadMs !== null && limiterMs !== null ? h401 / (h401 + d1ReadMs + limiterMs) : null;
      const cacheSeconds = wranglerVar("API_KEY_CACHE_SECONDS");
      const parts = [
        `/health ${health} ms (no D1)`,
        d401
          ? `an unknown key answered 401 — never cached, so one D1 round trip (the key lookup) + SHA-256, no limiter — ` +
            `${cpu(d401)}, +${fmt(d1ReadMs, 2)} ms over its own /health (${d401.health_cpu_ms_per_req} ms)`
          : null,
        dDetails
          ? `a cached key reaching \`GET …/details/{id}\` (one D1 read, route, job JSON) without the limiter ${cpu(dDetails)}`
          : null,
        `the same with the RATE_LIMITER call ${cpu(details)}${dDetails ? ` (+${d(details, dDetails)})` : ""}`,
        `a cursor page of 50 logs ${cpu(c2)}${dCursor ? ` (${cpu(dCursor)} without the limiter)` : ""}, of 1 log ${cpu(lim1)} ` +
          `(50 rows of JSON: +${d(c2, lim1)})`,
        `page 1 with its count ${cpu(page1)}${dPage1 ? ` (${cpu(dPage1)} without the limiter)` : ""}`,
      ].filter((x): x is string => x !== null);
      const bestText =
        bestWithout !== null
          ? ` So on this runtime an authenticated, D1-backed route costs at least /health + one D1 read ` +
            `(${fmt(h401, 2)} + ${fmt(d1ReadMs, 2)} ms): at best ≈ ${pct(bestWithout)} of /health by CPU without the limiter` +
            (bestWith !== null ? `, ≈ ${pct(bestWith)} with it` : "") +
            (bestWithout < 0.5
              ? " — below the 50 % target before the route's own query and JSON."
              : bestWith !== null && bestWith < 0.5
                ? " — the 50 % target is out of reach with the local limiter, and within reach without it only if the route adds little more."
                : " — the 50 % target is within reach only if the route adds little more.") +
            ` Page 1 reaches ${pct(page1.cpu_ratio_to_health)} by CPU with the limiter` +
            (dPage1
              ? `, ${pct(dPage1.cpu_ratio_to_health)} without` +
                (dPage1.cpu_ratio_to_health > bestWithout
                  ? ` — above that bound: its own paired /health cost ${dPage1.health_cpu_ms_per_req} ms ` +
                    `against ${h401} ms for the 401's pair; against the latter its ${dPage1.cpu_ms_per_req} ms would be ` +
                    `${pct(h401 / dPage1.cpu_ms_per_req)}`
                  : "")
              : "") +
            "."
          : "";
      p(
        `- **The request path, not SQL, is what stands between the endpoint and /health.** ` +
          `Verified API keys are now cached per isolate` +
          (cacheSeconds ? ` for API_KEY_CACHE_SECONDS (${cacheSeconds} s)` : "") +
          ` and last_used_at is written at most once a minute, so a logs request is /health's path + the SHA-256 of the secret + the RATE_LIMITER call + ` +
          `one D1 batch (job check + page + count) + JSON. Apart from the deep OFFSET, the SQL of that batch costs ≤ ${sqlTotal} ms ` +
          `in SQLite, yet page 1 costs ≈ ${round(page1.cpu_ms_per_req / health, 1)}× the CPU of a /health request. ` +
          `Wrangler + workerd CPU per request, step by step: ${parts.join("; ")}. ` +
          "Locally the limiter and D1 are both Durable Objects: miniflare emulates the Rate Limiting binding as a Durable Object " +
          "that reads and writes a SQLite row per call (`_mf_ratelimit_buckets`, " +
          "node_modules/miniflare/dist/src/workers/ratelimit/ratelimit-object.worker.js), and local D1 is a Durable Object " +
          "reached through an RPC entrypoint that validates the queries and the results with zod " +
          "(node_modules/miniflare/dist/src/workers/d1/entry.worker.js). " +
          (limiterMs !== null
            ? `The limiter call costs ≈ ${fmt(limiterMs, 2)} CPU ms per request (job details with − without); `
            : "") +
          (d1ReadMs !== null
            ? `one D1 read ≈ ${fmt(d1ReadMs, 2)} ms (401 − its /health; the SHA-256 and the problem JSON included, so an upper bound).`
            : "") +
          bestText +
          " These are costs of the local emulation; Cloudflare's binding and D1 are other implementations, not measured here.",
      );
    }
    if (fd) {
      p(
        `- **Deep \`OFFSET\` is the one SQL cost left.** \`page=${fd.label.match(/page=(\d+)/)?.[1] ?? "?"}\` walks ` +
          `${fmt((Number(fd.label.match(/page=(\d+)/)?.[1] ?? 1) - 1) * logs.limit)} index entries: ${fd.page_ms} ms in SQLite, ` +
          `${cpu(byName.get("deep_page"))} CPU per request, ${fmt(byName.get("deep_page")?.req_per_s)} req/s. The same depth by cursor: ` +
          `${floorBy.get("cursor_deep")?.page_ms ?? "—"} ms in SQLite, ${cpu(byName.get("cursor_deep"))} CPU, ` +
          `${fmt(byName.get("cursor_deep")?.req_per_s)} req/s.`,
      );
    }
    p(
      `- **Noise.** autocannon, wrangler and workerd share this 2-core machine (load average per scenario in the table; ` +
        `paired /health ranged ${fmt(logs.health_req_per_s.min)}–${fmt(logs.health_req_per_s.max)} req/s). Measured ratios can move by ` +
        "tens of per cent between neighbouring runs when that happens; CPU per request moves much less, which is why both are given.",
    );
  }
  if (sweep) {
    const noAcc = sweep.raw_without_account_indexes;
    const noTrig = sweep.raw_without_delete_trigger;
    const rowTrig = sweep.raw_with_row_trigger;
    const issue = sweep.raw_at_issue_chunk;
    const trig = sweep.raw.triggers_on_execution_logs ?? [];
    const target = sweep.target_chunk_ms;
    const adaptive = sweep.raw.chunk === "adaptive";
    const slowestRun = worker ? worker.runs.findIndex((r) => r.log.slowest_chunk_ms === worker.slowest_chunk_ms) : -1;
    // A rowid table's primary key is an automatic index of its own; a WITHOUT ROWID table (compact logs) is its key.
    const secondary = sweep.raw.indexes_on_execution_logs.filter((n) => !n.startsWith("sqlite_autoindex")).length;
    const budgetedAt = worker ? worker.runs.findIndex((r) => !r.log.complete) : -1;
    const budgeted = worker?.runs[budgetedAt];
    p(
      `- **Sweep: the chunk size is the trade-off.** Every deleted row leaves ${secondary + 1} b-trees ` +
        `(the table's own and its ${secondary} indexes)` +
        (trig.some((t) => /delete/i.test(t))
          ? ` and fires ${trig.filter((t) => /delete/i.test(t)).join(", ")} (an UPDATE of log_counts per row)`
          : "") +
        ", and a chunk holds D1's single writer for its whole duration." +
        (issue
          ? ` At the issue's fixed ${fmt(issue.chunk as number)} rows, raw SQLite deletes ${fmt(issue.rows_per_s)} rows/s but its chunks ` +
            `take p50 ${issue.chunk_ms.p50} ms, slowest ${issue.chunk_ms.max} ms — ${issue.chunks_over_target} of ${issue.chunks} at or ` +
            `over ${target} ms.`
          : "") +
        (adaptive
          ? ` The adaptive size (${ADAPTIVE_CHUNKS}) used ${sweepChunkRows(sweep.raw).replace(/^adaptive, /, "")} per chunk and ` +
            `kept every chunk near its target: p50 ${sweep.raw.chunk_ms.p50} ms, slowest ${sweep.raw.chunk_ms.max} ms, ` +
            `${sweep.raw.chunks_over_target} at or over ${target} ms, at ${fmt(sweep.raw.rows_per_s)} rows/s` +
            (issue ? ` (${pct(sweep.raw.rows_per_s / issue.rows_per_s)} of the fixed size's rate)` : "") +
            ": larger chunks give more rows/s (each commit rewrites the same index pages, so smaller chunks cost more per row)" +
            (issue && issue.chunks_over_target > 0
              ? ` but exceed ${target} ms.`
              : issue
                ? `, with less margin: the fixed size's slowest chunk came to ${issue.chunk_ms.max} ms of the ${target} ms limit, ` +
                  "and a chunk's time grows with the load on the machine and the database's size, which a fixed size cannot follow."
                : ".")
          : ` ${sweepChunkRows(sweep.raw)}: ${fmt(sweep.raw.rows_per_s)} rows/s raw, chunk p50 ${sweep.raw.chunk_ms.p50} ms, slowest ${sweep.raw.chunk_ms.max} ms.`) +
        (noAcc
          ? ` Without the two account-wide indexes (identical copy): ${fmt(noAcc.rows_per_s)} rows/s, ${sweepChunkRows(noAcc)}, slowest ${noAcc.chunk_ms.max} ms.`
          : "") +
        (noTrig
          ? ` Without the delete trigger: ${fmt(noTrig.rows_per_s)} rows/s, ${sweepChunkRows(noTrig)}, slowest ${noTrig.chunk_ms.max} ms.`
          : "") +
        (rowTrig
          ? ` The sweep subtracts each chunk from log_counts with one grouped UPDATE in the chunk's batch; with the per-row ` +
            `delete trigger it replaced (migration 0003, re-created on a copy) the same sweep deletes ${fmt(rowTrig.rows_per_s)} rows/s ` +
            `(${sweepChunkRows(rowTrig)}, slowest ${rowTrig.chunk_ms.max} ms) against ${fmt(sweep.raw.rows_per_s)}.`
          : "") +
        (worker
          ? ` Through the Worker (D1 in workerd, its own timing), the sweep cron fired ${worker.sweeps === 1 ? "once" : `${worker.sweeps} times`} until a sweep ` +
            `reported itself complete` +
            (budgeted
              ? ` (a sweep stops starting chunks at its time budget: sweep #${budgetedAt + 1} ran ${fmt(budgeted.log.duration_ms / 1000, 1)} s and deleted ` +
                `${fmt(budgeted.log.expired_deleted)} rows; the next sweep, cron \`${SWEEP_CRON}\`, continues where it stopped)`
              : "") +
            `: ${fmt(worker.expired_deleted)} rows at ${fmt(worker.rows_per_s)} rows/s in chunks of ${fmt(worker.chunk_rows.min)}–` +
            `${fmt(worker.chunk_rows.max)} rows, slowest chunk ${worker.slowest_chunk_ms} ms` +
            (worker.sweeps > 1 && slowestRun >= 0 ? ` (in sweep #${slowestRun + 1})` : "") +
            "."
          : "") +
        " The levers are the chunk size (now adaptive) and the number of indexes and triggers on execution_logs.",
    );
  }
  if (tick) {
    const qb = tick.queue_batches;
    p(
      `- **Tick and consumer.** Claiming and enqueueing ${fmt(tick.jobs)} jobs took ${fmt(tick.tick.duration_ms)} ms. The consumer then ` +
        `recorded first attempts at ≈ ${fmt(tick.runs_per_s_consumer ?? tick.runs_per_s_from_tick)} runs/s. miniflare's queue broker ` +
        "delivers the next batch only when the previous one has returned; a batch holds at most wrangler.toml's max_batch_size " +
        "(4), whose runs the consumer starts at once (src/engine/queue-handler.ts: lease the run, read the job, record the log " +
        "and counters)" +
        (qb?.ms_per_message
          ? `; its own log says ${fmt(qb.count)} batches of ≈ ${qb.mean_size} messages took ${qb.mean_ms} ms each, ${qb.ms_per_message} ms a message`
          : "") +
        (tick.cpu_ms_per_run ? ` (${tick.cpu_ms_per_run} CPU ms per run for wrangler + workerd)` : "") +
        ". That one-batch-at-a-time path is the local ceiling; Cloudflare runs up to max_concurrency (250) consumer " +
        "invocations at once.",
    );
  }
  if (exp && exportVerdict && exportWhole.length > 0) {
    const w = exportWhole[0] as ExportRun;
    p(
      `- **Export.** The whole history of the ${fmt(exp.big_job.logs)}-log job streams as NDJSON in ${fmt(w.total_ms / 1000, 1)} s ` +
        `(${fmt(w.rows_per_s)} rows/s, ${w.mb_per_s} MB/s, first byte after ${w.first_byte_ms} ms); every row once, oldest first: ` +
        `${yesNo(exp.full_export_complete)}. Memory: ${exportVerdict.measured}. ${exportVerdict.flat ? "Flat" : "Not shown flat"} ` +
        `by the rule of section 5: ${exportVerdict.note}.`,
    );
  }
  if (soak) {
    const c = soak.check;
    p(
      `- **Load test.** ${soak.duration_s} s at ${soak.connections} connections of mixed reads: ${fmt(soak.load.requests)} requests at ` +
        `${fmt(soak.load.req_per_s, 1)} req/s (p50 ${soak.load.p50_ms} ms, p99 ${soak.load.p99_ms} ms), ${fmt(soak.load.non2xx)} non-2xx, ` +
        `${fmt(soak.load.errors)} errors, ${fmt(soak.load.timeouts)} timeouts. Meanwhile ${soak.ticks.fired} ticks claimed ` +
        `${fmt(soak.ticks.claimed)} executions of ${soak.jobs} every-minute jobs (slowest dispatch_tick ${fmt(soak.ticks.duration_ms_max)} ms); ` +
        `after the drain (${soak.drain_s} s) ${fmt(c.first_attempt_logs)} first-attempt logs for ${fmt(c.claimed_slots)} claimed slots — ` +
        `${fmt(c.missing)} missing, ${fmt(c.unexpected)} unexpected, exactly once: ${yesNo(c.exactly_once)}; ` +
        `${fmt(soak.worker_error_lines)} error lines from the Worker.`,
    );
  }
  p();

  // ---- seed
  if (seed) {
    p("## 1. Seed — `npx tsx bench/seed-million.ts`");
    p();
    p(
      `${fmt(seed.logs)} execution logs, ${fmt(seed.jobs)} jobs, ${seed.accounts} accounts; one job holds ${fmt(seed.big_job_logs)}. ` +
        `Status mix: ${Object.entries(seed.status_mix)
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(", ")}. Migrations (wrangler) ${fmt(seed.migrate_ms)} ms; generation + insert + commit ` +
        `${fmt(seed.load_ms)} ms → **${fmt(seed.rows_per_s)} rows/s** (node:sqlite, one transaction, prepared statements, ` +
        "into the file wrangler created under bench/.state/v3/d1/" +
        (seed.triggers_fired_on_insert?.length
          ? `; every insert also fires ${seed.triggers_fired_on_insert.join(", ")}, which keeps the log_counts rollup`
          : "") +
        ").",
    );
    p();
    p(
      "Rows are built with the engine's own `executionId` and `mockOutcome` (bodies, codes, error messages, latencies), retries " +
        "per each job's retry_config; jobs with `buildNewJob`, accounts with `newAccount`'s statements. Each job's slots are spaced " +
        "evenly over 35 days so that its share of rows fits (the 200,000-log job runs every ≈ 19 s — denser than any real " +
        "schedule, which is the point). next_run_at is a year ahead so no tick picks them up. No `ANALYZE`: the planner sees " +
        "what the migrations alone give the Worker.",
    );
    p();
  }

  // ---- logs
  if (logs) {
    p(`## 2. Logs endpoint — \`npx tsx bench/logs-load.ts\``);
    p();
    p(
      `autocannon, ${logs.connections} connections, ${logs.duration_s} s per scenario after ${logs.warmup_s} s of warm-up, ` +
        `each scenario right after its own 5 s \`GET /health\` run (ratio = scenario ÷ that /health; for latency, how many times the /health p50 or p99 it takes). ` +
        `\`limit=${logs.limit}\`, job with ${fmt(logs.big_job.logs)} logs, through \`wrangler dev --persist-to bench/.state --port 8788\`. ` +
        "CPU ms/req: user + system time of wrangler and workerd (their process group, from /proc) over the run ÷ requests; " +
        "the paired /health figure in brackets. All responses had the expected status unless the table says otherwise. " +
        "Every scenario uses one valid key, so auth is answered from the isolate's key cache except when its entry expires " +
        "(API_KEY_CACHE_SECONDS).",
    );
    p();
    p(
      `wrangler runs with a generated copy of wrangler.toml (${relative(ROOT, logs.wrangler_config.path)}): ${logs.wrangler_config.changes.join("; ")}. ` +
        "The per-key limit of 100 requests a minute would otherwise refuse a load generator after 100 requests; the limiter " +
        "binding is still called on every request. Everything else is the project's wrangler.toml. The rows marked " +
        `"no limiter" and the 401 row ran on a second copy: ${(logs.diagnostic?.wrangler_config.changes ?? []).join("; ")}.`,
    );
    p();
    p(
      "| Scenario | req/s | p50 ms | p99 ms | paired /health req/s, p50 / p99 ms | ratio to /health: req/s | p50 × | p99 × | CPU ms/req (/health) | CPU ratio | load avg | SQLite: check + page + count ms | naive count(*) ms |",
    );
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    const times = (a: number, b: number) => (b > 0 ? (a / b).toFixed(1) : "—");
    for (const l of [...logs.loads, ...(logs.diagnostic?.loads ?? [])]) {
      const f = floorBy.get(l.name);
      const unexpected = l.unexpected ?? l.non2xx;
      const bad = unexpected || l.errors ? ` (**${fmt(unexpected)} unexpected status, ${fmt(l.errors)} errors**)` : "";
      p(
        `| ${l.label}${bad} | ${fmt(l.req_per_s)} | ${l.p50_ms} | ${l.p99_ms} | ${fmt(l.health_req_per_s)}, ${l.health_p50_ms} / ${l.health_p99_ms} | ` +
          `${l.ratio_to_health.toFixed(2)} | ${times(l.p50_ms, l.health_p50_ms)} | ${times(l.p99_ms, l.health_p99_ms)} | ` +
          `${l.cpu_ms_per_req} (${l.health_cpu_ms_per_req}) | ${l.cpu_ratio_to_health.toFixed(2)} | ${l.loadavg_before} | ` +
          `${f ? `${f.job_check_ms} + ${f.page_ms} + ${f.count_ms ?? "none"}` : ""} | ${f?.naive_count_ms ?? ""} |`,
      );
    }
    p();
    if (logs.cursor.supported) {
      p(
        `Cursor walk (before the load): ${fmt(Number(logs.cursor.pages_walked))} pages followed by \`next_cursor\` in ` +
          `${logs.cursor.walk_s} s (${logs.cursor.walk_ms_per_page} ms a page, sequential); every one of the job's rows seen exactly once: ` +
          `${logs.cursor.every_row_once ? "yes" : "**no**"}; page 2000 by cursor has the same rows as \`page=2000\`: ` +
          `${logs.cursor.deep_page_same_rows_as_page_param ? "yes" : "**no**"}.`,
      );
    } else {
      p("The endpoint returned no `pagination.next_cursor` when measured: the cursor scenarios were skipped.");
    }
    p();
    beforeIssue12(logs, floorBy).forEach((line) => {
      p(line);
    });
    const sources = [...new Set(logs.floor.map((f) => f.sql_source))];
    p(
      "**Storage floor**: the statements of the Worker's logs batch, run on the same SQLite file with node:sqlite while " +
        "wrangler was stopped; median of 200 (job check) / 100 (page) / 50 (count) runs after one warm run. " +
        `SQL source: ${sources.join("; ")} — findLogsPage runs over a fake D1 binding that records the batch it would send ` +
        "(bench/lib/capture-sql.ts), so the floor follows src/logs as it changes; hand-written equivalents are only the fallback. " +
        "The naive `count(*)` column is a plain count over the same filter, for comparison. SQL and plans:",
    );
    p();
    for (const f of logs.floor) {
      p(
        `- ${f.label}: page \`${f.plan.page.join(" / ")}\`` +
          (f.sql.count ? `; count \`${f.sql.count}\` → \`${(f.plan.count ?? []).join(" / ")}\`` : "; no count"),
      );
    }
    p();
  }

  // ---- sweep
  if (sweep) {
    const target = sweep.target_chunk_ms;
    p("## 3. Retention sweep — `npx tsx bench/sweep.ts`");
    p();
    p(
      `${fmt(sweep.raw.deleted)} expired rows among ${fmt(sweep.raw.rows_before)} (DB file ${fmt(sweep.db_file_mb)} MB), ` +
        `src/retention/sweep.ts's own \`sweep()\` (chunk size: ` +
        (sweep.raw.chunk === "adaptive" ? `adaptive — ${ADAPTIVE_CHUNKS}` : `${fmt(sweep.raw.chunk)} rows`) +
        `) run on a copy of the file through a D1 binding over node:sqlite (bench/lib/d1-node.ts), each chunk's round trip ` +
        `timed (wall and CPU); also with the issue's fixed chunk size, and, for comparison only, adaptive on altered copies. ` +
        `With the migrations' indexes (${sweep.raw.indexes_on_execution_logs.join(", ")})` +
        `${sweep.raw.triggers_on_execution_logs?.length ? ` and triggers (${sweep.raw.triggers_on_execution_logs.join(", ")})` : ""}. ` +
        `The sweep runs daily (cron \`${SWEEP_CRON}\`).`,
    );
    p();
    p(
      "| Path | rows per chunk | total | rows/s | chunks | chunk p50 | chunk p90 | slowest chunk | chunks ≥ target | CPU per chunk p50 / max | load avg |",
    );
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    const rawRow = (label: string, r: SweepRaw) =>
      p(
        `| ${label} | ${sweepChunkRows(r)} | ${fmt(r.total_ms)} ms | ${fmt(r.rows_per_s)} | ${r.chunks} | ${r.chunk_ms.p50} ms | ` +
          `${r.chunk_ms.p90} ms | ${r.chunk_ms.max} ms | ${r.chunks_over_target} | ` +
          `${r.chunk_cpu_ms ? `${r.chunk_cpu_ms.p50} / ${r.chunk_cpu_ms.max} ms` : "—"} | ${r.loadavg_before ?? "—"} |`,
      );
    rawRow(
      `Raw SQLite, as migrated (journal ${sweep.raw.pragmas.journal_mode}, synchronous=${sweep.raw.pragmas.synchronous})`,
      sweep.raw,
    );
    if (sweep.raw_at_issue_chunk) {
      rawRow("Raw SQLite, the issue's fixed size, as migrated", sweep.raw_at_issue_chunk);
    }
    if (sweep.raw_without_account_indexes) {
      rawRow("Raw SQLite, minus the 2 account-wide indexes (comparison only)", sweep.raw_without_account_indexes);
    }
    if (sweep.raw_without_delete_trigger) {
      rawRow(
        `Raw SQLite, minus ${sweep.raw_without_delete_trigger.dropped?.join(", ") ?? "the delete trigger"} (comparison only)`,
        sweep.raw_without_delete_trigger,
      );
    }
    if (sweep.raw_with_row_trigger) {
      rawRow("Raw SQLite, plus migration 0003's per-row delete trigger (comparison only)", sweep.raw_with_row_trigger);
    }
    if (worker) {
      worker.runs.forEach((r, i) => {
        const rps = r.log.duration_ms > 0 ? r.log.expired_deleted / (r.log.duration_ms / 1000) : null;
        p(
          `| Worker, sweep #${i + 1} (its retention_sweep log; ${r.log.complete ? "complete" : "stopped at its budget"}) | ` +
            `${fmt(r.log.chunk_rows.min)}–${fmt(r.log.chunk_rows.max)} rows | ${fmt(r.log.duration_ms)} ms | ${fmt(rps)} | ${r.log.chunks} | | | ` +
            `${r.log.slowest_chunk_ms} ms | | | ${i === 0 ? worker.loadavg_before : ""} |`,
        );
      });
      p(
        `| Worker, ${worker.sweeps === 1 ? "its one sweep" : `all ${worker.sweeps} sweeps`} | ${fmt(worker.chunk_rows.min)}–${fmt(worker.chunk_rows.max)} rows | ` +
          `${fmt(worker.duration_ms)} ms | ${fmt(worker.rows_per_s)} | ${worker.chunks} | | | ${worker.slowest_chunk_ms} ms | | | |`,
      );
    } else if (sweep.worker && "error" in sweep.worker) {
      p(`| Worker | failed: ${sweep.worker.error} | | | | | | | | | |`);
    }
    p();
    p(
      `One chunk's round trip, as drizzle rendered it from src/retention/sweep.ts: ${(Array.isArray(sweep.raw.sql) ? sweep.raw.sql : [sweep.raw.sql]).map((q) => `\`${q}\``).join(" + ")} (one batch), with the cutoff chosen so exactly ` +
        `${fmt(sweep.raw.deleted)} rows are older; ${fmt(sweep.raw.rows_after)} rows left. "Chunks ≥ target": chunks at or over ${target} ms.` +
        (worker
          ? ` Through the Worker, a copy of the state served by \`wrangler dev\`: the sweep cron fired through miniflare's scheduled ` +
            `endpoint (\`${worker.endpoint}\`) with \`time\` = that cutoff + RETENTION_DAYS, instead of rewriting a million dates, ` +
            `again until a sweep reported itself complete (each stops starting chunks at its time budget, as the daily sweeps ` +
            `would); responses ${[...new Set(worker.runs.map((r) => `\`${r.response}\``))].join(", ")}, request wall time ` +
            `${worker.runs.map((r) => `${fmt(r.wall_ms)} ms`).join(" / ")}. Its cutoff matched the raw run's: ` +
            `${yesNo(worker.cutoff_matches_raw_run)}; complete: ${worker.complete ? "yes" : "**no**"}; deleted ${fmt(worker.expired_deleted)}; ` +
            `reloads ${worker.reloads}.`
          : ""),
    );
    p();
  }

  // ---- tick
  if (tick) {
    p("## 4. Dispatch tick and queue consumer — `npx tsx bench/tick.ts`");
    p();
    p(
      `${fmt(tick.jobs)} due jobs in ${tick.accounts} accounts (mock executor, schedule and retry mix of the seed, no callbacks), ` +
        `on the seeded 1M-row state, fired with \`${tick.endpoint ?? "/__scheduled?cron=*+*+*+*+*"}\` (load average ${tick.loadavg_before} before). ` +
        "That is miniflare's scheduled endpoint: it dispatches the same scheduled() event as wrangler's `/__scheduled`, which is " +
        "a middleware wrangler only adds when it bundles the Worker itself (the frozen bundle is served with no_bundle).",
    );
    p();
    p("| Figure | Value |");
    p("| --- | ---: |");
    p(`| dispatch_tick duration_ms (Worker's log line) | ${fmt(tick.tick.duration_ms)} ms |`);
    p(`| due / claimed / enqueued | ${fmt(tick.tick.due)} / ${fmt(tick.tick.claimed)} / ${fmt(tick.tick.enqueued)} |`);
    p(`| scheduled request wall time | ${fmt(tick.tick_wall_ms)} ms |`);
    p(
      `| first attempts recorded (retry_attempt = 0, since the tick) | ${fmt(tick.first_attempts_recorded)}${tick.reached_all ? "" : ` (did not reach all within ${tick.wait_s ?? 120} s)`} |`,
    );
    p(`| time from tick start to the last one | ${tick.seconds_from_tick_to_last} s |`);
    p(`| consumer throughput, tick start → last | ${fmt(tick.runs_per_s_from_tick, 1)} runs/s |`);
    p(`| consumer throughput, first → last log | ${fmt(tick.runs_per_s_consumer, 1)} runs/s |`);
    p(`| retries recorded meanwhile | ${fmt(tick.retries_recorded_meanwhile)} |`);
    if (tick.queue_batches?.count) {
      const qb = tick.queue_batches;
      p(
        `| queue batches delivered (miniflare's log) | ${fmt(qb.count)}, ≈ ${qb.mean_size} messages, ≈ ${qb.mean_ms} ms each |`,
      );
      p(`| consumer wall time per message | ${qb.ms_per_message} ms |`);
    }
    if (tick.cpu_ms_per_run) p(`| wrangler + workerd CPU per run (tick included) | ${tick.cpu_ms_per_run} ms |`);
    p(`| jobs claimed exactly once (occurrences = 1) | ${fmt(tick.jobs_claimed_once_in_d1)} |`);
    p();
    p(
      "The count was polled every 0.5 s on the SQLite file wrangler was serving (read-only node:sqlite connection, WAL)" +
        (tick.poll_error
          ? `; polling failed (${tick.poll_error}) and the Worker's "run" log lines were counted instead.`
          : "."),
    );
    p();
    p(
      "Throughput here is miniflare's, not production's: the local broker delivers one batch of the runs queue at a " +
        "time and waits for it to end, and a batch holds at most wrangler.toml's max_batch_size (4 since issue 14's " +
        "600 s timeouts, 25 before), so each batch's fixed cost (broker, isolate entry, the directory read) is shared " +
        "by 4 runs. In production up to max_concurrency (250) batches run at once.",
    );
    p();
  }

  // ---- export
  if (exp) {
    p("## 5. Export — `npx tsx bench/export.ts`");
    p();
    p(
      `\`GET /v1/cron-jobs/{account}/logs/{job}/export\` of the ${fmt(exp.big_job.logs)}-log job through \`wrangler dev\` ` +
        `(wrangler.toml copy: ${exp.wrangler_config.changes.join("; ")}): NDJSON exports of date ranges ending at the seed ` +
        "and of the whole history, the whole history twice more, then CSV; one warm-up export first. Each body is read to " +
        "the end by the client; the whole-history NDJSON is parsed line by line to check that every id comes once and " +
        "executed_at never goes back.",
    );
    p();
    p(
      `Memory, sampled every ${exp.sample_ms} ms while the body streams: the Worker isolate's JS heap (\`Runtime.getHeapUsage\` ` +
        "over the DevTools protocol of `wrangler dev --inspector-port`) and workerd's resident set (VmRSS), which also holds " +
        "D1's SQLite pages. " +
        "The baseline is the live heap after a full GC (`HeapProfiler.takeHeapSnapshot` collects before it serialises; " +
        "workerd does not answer `HeapProfiler.collectGarbage`); the peaks include garbage not yet collected." +
        " Heap peak by quarter: the peak within each quarter of the export's duration.",
    );
    p();
    p(
      "| Export | rows | MB | first byte | total | rows/s | MB/s | heap baseline → peak (growth) | heap peak by quarter | workerd RSS baseline → peak (growth) | samples | load avg |",
    );
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of exp.runs) {
      p(
        `| ${r.label}, ${r.format.toUpperCase()}${r.status === 200 ? "" : ` (**status ${r.status}**)`} | ${fmt(r.rows)} | ${fmt(mb(r.bytes), 1)} | ` +
          `${r.first_byte_ms} ms | ${fmt(r.total_ms)} ms | ${fmt(r.rows_per_s)} | ${r.mb_per_s} | ` +
          `${r.heap_baseline_mb} → ${r.heap_peak_mb} MB (+${r.heap_growth_mb}) | ${r.heap_peak_by_quarter_mb.join(" / ")} MB | ` +
          `${r.rss_baseline_mb} → ${r.rss_peak_mb} MB (+${r.rss_growth_mb}) | ${r.samples} | ${r.loadavg_before} |`,
      );
    }
    p();
    const checked = exp.runs.find((r) => r.distinct_ids !== undefined);
    p(
      (checked
        ? `Whole history checked: ${fmt(checked.rows)} rows, ${fmt(checked.distinct_ids)} distinct ids, oldest first: ` +
          `${yesNo(checked.oldest_first)} → complete: ${yesNo(exp.full_export_complete)}. `
        : "") +
        (exp.heap_growth_ratio !== null && exp.rows_ratio !== null
          ? `Heap growth of the whole history ÷ that of the smallest export: ${exp.heap_growth_ratio}, against ${exp.rows_ratio}× the rows. `
          : "") +
        (exportVerdict ? exportVerdict.reading : "") +
        ` Total ${exp.total_s} s.`,
    );
    p();
  }

  // ---- soak
  if (soak) {
    const c = soak.check;
    p("## 6. Load test — `npx tsx bench/soak.ts`");
    p();
    p(
      `${soak.duration_s} s of autocannon at ${soak.connections} connections cycling through ${soak.reads.length} reads ` +
        `(${soak.reads.map((r) => `\`${shortPath(r, exp?.big_job ?? logs?.big_job)}\``).join(", ")}) while ${soak.ticks_planned} ticks, one every ` +
        `${soak.tick_every_ms / 1000} s, walk a simulated clock from ${soak.t0} (one minute per tick) so that each makes all ` +
        `${soak.jobs} every-minute jobs of the load test's own accounts due again; the queue consumer records their runs meanwhile. ` +
        `Then the drain (until every claimed slot's first attempt is recorded), and, with wrangler stopped, the exact check: the ` +
        "execution ids every claimed slot must have (the engine's own `executionId`) against the first-attempt logs in D1. " +
        `wrangler.toml copy: ${soak.wrangler_config.changes.join("; ")}.`,
    );
    p();
    p("| Figure | Value |");
    p("| --- | ---: |");
    p(
      `| reads | ${fmt(soak.load.requests)} at ${fmt(soak.load.req_per_s, 1)} req/s; p50 ${soak.load.p50_ms} ms, p99 ${soak.load.p99_ms} ms, max ${soak.load.max_ms} ms |`,
    );
    p(
      `| status codes | ${Object.entries(soak.load.status_codes)
        .map(([k, v]) => `${k}: ${fmt(v)}`)
        .join(", ")} |`,
    );
    p(
      `| non-2xx / connection errors / timeouts | ${fmt(soak.load.non2xx)} / ${fmt(soak.load.errors)} / ${fmt(soak.load.timeouts)} |`,
    );
    p(
      `| wrangler + workerd CPU during the load | ${soak.load.cpu_s} s (load average ${soak.load.loadavg_before} before) |`,
    );
    p(
      `| ticks fired / not 200 / logged | ${soak.ticks.fired} / ${soak.ticks.non_200} / ${soak.ticks.logged} (slowest request ${fmt(soak.ticks.wall_ms_max)} ms, slowest dispatch_tick ${fmt(soak.ticks.duration_ms_max)} ms) |`,
    );
    p(`| claimed / enqueued (dispatch_tick logs) | ${fmt(soak.ticks.claimed)} / ${fmt(soak.ticks.enqueued)} |`);
    p(
      `| drain after the load | ${soak.drain_s} s (${fmt(soak.first_attempts_seen_while_running)} first attempts seen by then) |`,
    );
    p(
      `| claimed slots (occurrences) / expected (jobs × ticks) | ${fmt(c.claimed_slots)} / ${fmt(c.expected_first_attempts)} |`,
    );
    p(`| first-attempt logs in D1 | ${fmt(c.first_attempt_logs)} |`);
    p(`| missing / unexpected execution ids | ${fmt(c.missing)} / ${fmt(c.unexpected)} |`);
    p(`| jobs whose next_run_at is not the slot after their last claim | ${fmt(c.next_run_at_mismatch)} |`);
    p(`| retry logs (the mock executor's failures, retried) | ${fmt(c.retry_logs)} |`);
    p(`| every claimed slot exactly once | ${yesNo(c.exactly_once)} |`);
    p(`| Worker error lines | ${fmt(soak.worker_error_lines)} |`);
    p(`| errors in all (non-2xx + errors + timeouts + ticks not 200 + error lines) | ${fmt(soak.errors_total)} |`);
    p(`| Worker reloads | ${soak.reloads} |`);
    p();
    if (soak.worker_error_sample.length > 0) {
      p(`Worker error lines (first ${soak.worker_error_sample.length}):`);
      p();
      for (const l of soak.worker_error_sample) p(`- \`${l.replace(/`/g, "'")}\``);
      p();
    }
    if (c.missing_sample.length > 0) {
      p(
        `Missing execution ids (first ${c.missing_sample.length}): ${c.missing_sample.map((id) => `\`${id}\``).join(", ")}.`,
      );
      p();
    }
  }

  const ledger = readResult<LedgerLoad>("ledger-load");
  if (ledger) for (const line of ledgerSection(ledger, writtenAt("ledger-load"), false)) p(line);
  const scale = readResult<ScaleResult>("scale");
  if (scale) for (const line of scaleSection(scale, writtenAt("scale"))) p(line);

  p("## Reproduce");
  p();
  p("```sh");
  const minutes = run ? (Date.parse(run.finished) - Date.parse(run.started)) / 60_000 : null;
  p(
    `npm run bench                      # everything, in order, then this file${minutes ? ` (this run: ${minutes.toFixed(1)} min)` : ""}`,
  );
  for (const s of STEPS) p(`${`npx tsx ${s.script}`.padEnd(35)}# ${s.name} alone`);
  p("npm run bench -- --report          # rewrite this file from bench/results/*.json");
  p("npm run bench -- --section ledger-load  # rewrite only section 7 from its JSON");
  p("npm run bench -- --section scale        # rewrite only section 9 from its JSON");
  p("```");
  p();
  return out.join("\n");
}

/**
 * Is the export's memory flat? Streaming holds a chunk of rows at a time, so what the isolate holds must not
 * follow the rows already sent. Judged on the live heap (after a full GC) of the paused whole-history export:
 * flat when it is no higher at the last pause than at the first (within 1 MB). The sampled peaks of the timed
 * exports also count garbage not yet collected, so they are reported, not judged.
 */
function judgeExport(exp: Export): { flat: boolean; measured: string; reading: string; note: string } | null {
  const live = exp.live_heap;
  const nd = exp.runs.filter((r) => r.format === "ndjson");
  const small = nd[0];
  const whole = nd.filter((r) => r.rows === exp.big_job.logs);
  if (!live || live.points.length < 3 || !small || whole.length === 0) return null;
  const pauses = live.points.slice(1, -1);
  const first = pauses[0] as LivePoint;
  const last = pauses.at(-1) as LivePoint;
  const flat = last.live_heap_mb <= first.live_heap_mb + 1;
  const measured =
    `live heap (after a full GC) of the whole-history export paused every ${fmt(live.every_rows)} rows: ` +
    live.points
      .map((pt, i) => `${i === live.points.length - 1 ? "after the end" : fmt(pt.rows)}: ${pt.live_heap_mb} MB`)
      .join(", ") +
    `; sampled heap peaks (garbage included) ${small.heap_peak_mb} MB for ${fmt(small.rows)} rows, ` +
    `${whole.map((r) => r.heap_peak_mb).join(" / ")} MB for the ${fmt(exp.big_job.logs)}-row exports (${fmt(mb(whole[0]?.bytes ?? 0), 1)} MB each)`;
  const reading =
    `What the isolate holds while streaming is ${live.baseline_mb} MB before the export, at most ${live.max_during_mb} MB ` +
    `during it (+${live.max_growth_mb} MB), ${last.live_heap_mb} MB at the last pause (${fmt(last.rows)} rows sent) against ` +
    `${first.live_heap_mb} MB at the first (${fmt(first.rows)}), and ${live.after_mb} MB after the end: ` +
    (flat ? "it does not grow with the rows sent. " : "it grows with the rows sent. ") +
    "The sampled peaks of the timed exports are higher because they count garbage V8 has not collected yet; they stay " +
    `far below the bodies streamed (largest growth ${Math.max(...exp.runs.map((r) => r.heap_growth_mb))} MB for ` +
    `${fmt(mb(whole[0]?.bytes ?? 0), 1)} MB) and repeated whole exports do not climb (${whole.map((r) => r.heap_peak_mb).join(" → ")} MB).`;
  const note = flat
    ? `live heap at ${fmt(last.rows)} rows ${last.live_heap_mb} MB vs ${first.live_heap_mb} MB at ${fmt(first.rows)}`
    : `live heap grew from ${first.live_heap_mb} MB at ${fmt(first.rows)} rows to ${last.live_heap_mb} MB at ${fmt(last.rows)}`;
  return { flat, measured, reading, note };
}

const reportOnly = process.argv.includes("--report");
/** `--section ledger-load`: only that section, from its last result, spliced into the existing RESULTS.md. */
const section = process.argv.includes("--section") ? process.argv[process.argv.indexOf("--section") + 1] : null;
const t0 = now();
const file = join(ROOT, "bench/RESULTS.md");
let run: RunInfo | null = null;
if (section === "scale") {
  const scale = readResult<ScaleResult>("scale");
  if (!scale) throw new Error("--section scale: run bench/scale.ts first");
  writeFileSync(file, spliceScale(readFileSync(file, "utf8"), scaleSection(scale, writtenAt("scale"))));
} else if (section !== null) {
  const ledger = readResult<LedgerLoad>("ledger-load");
  if (section !== "ledger-load" || !ledger)
    throw new Error("--section takes ledger-load or scale, after bench/ledger-load.ts or bench/scale.ts ran");
  writeFileSync(file, spliceSection(readFileSync(file, "utf8"), ledgerSection(ledger, writtenAt("ledger-load"), true)));
} else {
  run = reportOnly ? readResult<RunInfo>("run") : runAll();
  writeFileSync(file, report(run));
  // Section 8 (compact log storage) comes from its own result, spliced in as bench/log-storage.ts does.
  const storage = readResult<LogStorageResult>("log-storage");
  if (storage) writeFileSync(file, spliceLogStorage(readFileSync(file, "utf8"), storage));
  // Section 10 (the Worker's script size and module load), the same way, as bench/bundle.ts does.
  const bundle = readResult<BundleResult>("bundle");
  if (bundle) writeFileSync(file, spliceBundle(readFileSync(file, "utf8"), bundle));
  // Section 11 (the first npm start), the same way, as bench/first-start.ts does.
  const firstStart = readResult<FirstStartResult>("first-start");
  if (firstStart) writeFileSync(file, spliceFirstStart(readFileSync(file, "utf8"), firstStart));
  // Section 13 (the log store), once complete at full size, as bench/log-store.ts does.
  const store = readResult<LogStoreResult>("log-store");
  if (store?.reads && store.logs === 1_000_000) writeFileSync(file, spliceLogStore(readFileSync(file, "utf8"), store));
}
// The repository's formatter owns Markdown too (tables padded): keep `biome check` clean.
spawnSync(join(ROOT, "node_modules/.bin/biome"), ["format", "--write", file], {
  cwd: ROOT,
  stdio: "ignore",
  env: offlineEnv,
});
console.log(
  `\nwrote ${relative(ROOT, file)}${reportOnly || section ? "" : ` after ${((now() - t0) / 60_000).toFixed(1)} min`}`,
);
if (run?.steps.some((s) => !s.ok)) process.exitCode = 1;
