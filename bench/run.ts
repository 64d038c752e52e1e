/**
 * `npm run bench`: seed → logs load → sweep → tick → export → soak, each in its own process, then bench/RESULTS.md from
 * their JSON results (bench/results/*.json). `npm run bench -- --report` rewrites RESULTS.md from the last
 * results without running anything.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import {
  type BundleInfo,
  ensureBundle,
  loadavg1,
  machine,
  now,
  offlineEnv,
  ROOT,
  readResult,
  round,
  writeResult,
} from "./lib/common";
import type { FloorResult, LoadResult } from "./logs-load";

const STEPS = [
  { name: "seed", script: "bench/seed-million.ts" },
  { name: "logs-load", script: "bench/logs-load.ts" },
  { name: "sweep", script: "bench/sweep.ts" },
  { name: "tick", script: "bench/tick.ts" },
  { name: "export", script: "bench/export.ts" },
  { name: "soak", script: "bench/soak.ts" },
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
  big_job: { id: string; logs: number };
  health_req_per_s: { min: number; max: number; mean: number };
  cursor: Record<string, unknown> & { supported: boolean };
  loads: LoadResult[];
  diagnostic?: { wrangler_config: { changes: string[] }; loads: LoadResult[] };
  floor: FloorResult[];
}
interface Sweep {
  command: string;
  code_chunk?: number;
  db_file_mb: number;
  target_chunk_ms: number;
  raw: {
    rows_before: number;
    deleted: number;
    rows_after: number;
    indexes_on_execution_logs: string[];
    sql: string | string[];
    chunk: number;
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
  };
  raw_without_account_indexes?: Sweep["raw"] | null;
  raw_at_issue_chunk?: Sweep["raw"] | null;
  raw_without_delete_trigger?: Sweep["raw"] | null;
  worker:
    | {
        endpoint: string;
        wall_ms: number;
        cutoff_matches_raw_run: boolean;
        rows_per_s: number;
        loadavg_before?: number;
        log: {
          expired_deleted: number;
          chunks: number;
          slowest_chunk_ms: number;
          complete: boolean;
          duration_ms: number;
        };
      }
    | { error: string }
    | null;
}
interface Tick {
  command: string;
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

const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? "—"
    : n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (r: number) => `${Math.round(r * 100)} %`;
const yes = (ok: boolean) => (ok ? "**met**" : "**missed**");

function report(run: RunInfo | null): string {
  const seed = readResult<Seed>("seed");
  const logs = readResult<Logs>("logs-load");
  const sweep = readResult<Sweep>("sweep");
  const tick = readResult<Tick>("tick");
  const m = run?.machine ?? machine();
  const out: string[] = [];
  const p = (s = "") => out.push(s);

  p("# edgecron benchmarks — results");
  p();
  p(
    `Produced by \`${run?.command ?? "npm run bench"}\` (bench/run.ts), ${run?.started ?? "?"} → ${run?.finished ?? "?"}. ` +
      "Every figure below comes from that one run; each section names the script that measured it " +
      "(each can be run alone from the repository root after the seed).",
  );
  p();
  p(
    `Machine: ${m.nproc} cores (${m.cpu}), Node ${m.node} (the project's pinned node from node_modules), ` +
      `SQLite ${m.sqlite} (node:sqlite), wrangler ${m.wrangler}. ` +
      `1-minute load average ${run?.loadavg_start ?? "?"} at the start, ${run?.loadavg_end ?? "?"} at the end.`,
  );
  if (run) {
    p();
    p(`Steps: ${run.steps.map((s) => `${s.name} ${s.seconds} s${s.ok ? "" : " (FAILED)"}`).join(", ")}.`);
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
  const filterNames = ["page1", "status_success", "status_failure", "status_error", "status_timeout", "day"];
  const filters = filterNames.map((n) => byName.get(n)).filter((l): l is LoadResult => !!l);
  const worst = (xs: LoadResult[], key: (l: LoadResult) => number) =>
    xs.reduce<LoadResult | null>((w, l) => (w === null || key(l) < key(w) ? l : w), null);
  const worstFilter = worst(filters, (l) => l.ratio_to_health);
  const worstFilterCpu = worst(filters, (l) => l.cpu_ratio_to_health);
  const page1 = byName.get("page1");
  const cursors = (logs?.loads ?? []).filter((l) => l.name.startsWith("cursor_"));
  const worker = sweep?.worker && "log" in sweep.worker ? sweep.worker : null;
  const floorBy = new Map((logs?.floor ?? []).map((f) => [f.name, f]));

  p("## Targets of issue 7");
  p();
  p(
    "Throughput ratios are measured (each scenario ÷ the /health run just before it). Because other work shared this " +
      "2-core machine during the run, each row also gives the **CPU ratio**: wrangler + workerd CPU time per /health " +
      "request ÷ per scenario request — the throughput ratio a CPU-bound machine with nothing else running would show, " +
      "and much steadier than wall-clock throughput here.",
  );
  p();
  p("| Target | Measured | Result |");
  p("| --- | --- | --- |");
  if (logs && worstFilter && worstFilterCpu) {
    const metMeasured = filters.every((l) => l.ratio_to_health >= 0.5);
    const metCpu = filters.every((l) => l.cpu_ratio_to_health >= 0.5);
    p(
      "| Logs endpoint ≥ 50 % of `/health` throughput at 1M rows, page 1 and every filter | " +
        `${filters.map((l) => `${l.label}: ${pct(l.ratio_to_health)} (CPU ratio ${pct(l.cpu_ratio_to_health)})`).join("; ")} | ` +
        `${yes(metMeasured)} (worst: ${worstFilter.label}, ${pct(worstFilter.ratio_to_health)}); by CPU ratio ${yes(metCpu)} ` +
        `(worst: ${worstFilterCpu.label}, ${pct(worstFilterCpu.cpu_ratio_to_health)}) |`,
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
    const rawOk = sweep.raw.chunk_ms.max < sweep.target_chunk_ms;
    const workerOk = worker ? worker.log.slowest_chunk_ms < sweep.target_chunk_ms : null;
    const issue = sweep.raw_at_issue_chunk;
    p(
      `| Every sweep chunk < ${sweep.target_chunk_ms} ms | ${fmt(sweep.raw.chunk)}-row chunks (the code's SWEEP_CHUNK): raw SQLite slowest ${sweep.raw.chunk_ms.max} ms ` +
        `(p50 ${sweep.raw.chunk_ms.p50} ms; CPU per chunk max ${sweep.raw.chunk_cpu_ms?.max ?? "—"} ms); through the Worker: slowest ` +
        `${worker ? `${worker.log.slowest_chunk_ms} ms` : "—"}` +
        (issue ? `; at the issue's ${fmt(issue.chunk)}-row chunks, raw slowest ${issue.chunk_ms.max} ms` : "") +
        ` | raw ${yes(rawOk)}${workerOk === null ? "" : `, Worker ${yes(workerOk)}`}` +
        (issue ? `; at ${fmt(issue.chunk)} raw ${yes(issue.chunk_ms.max < sweep.target_chunk_ms)}` : "") +
        " |",
    );
  }
  if (tick) {
    p(
      `| Tick for ${fmt(tick.jobs)} jobs < ${tick.target_tick_ms / 1000} s | dispatch_tick duration_ms ${fmt(tick.tick.duration_ms)} ` +
        `(claimed ${fmt(tick.tick.claimed)}, enqueued ${fmt(tick.tick.enqueued)}) | ${yes(tick.tick.duration_ms < tick.target_tick_ms && tick.tick.enqueued === tick.jobs)} |`,
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
    const diag = new Map((logs.diagnostic?.loads ?? []).map((l) => [l.name, l]));
    const dDetails = diag.get("diag_details_nolimiter");
    const dCursor = diag.get("cursor_2_nolimiter");
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
      const parts = [
        `/health ${health} ms (no D1)`,
        d401
          ? `the auth step alone — key lookup in D1 + SHA-256, answered 401 — ${cpu(d401)} (+${d(d401, health)})`
          : null,
        dDetails
          ? `a valid key reaching \`GET …/details/{id}\` (one more D1 read, route, job JSON) without the limiter ${cpu(dDetails)}` +
            (d401 ? ` (+${d(dDetails, d401)})` : "")
          : null,
        `the same with the RATE_LIMITER call ${cpu(details)}${dDetails ? ` (+${d(details, dDetails)})` : ""}`,
        `a cursor page of 50 logs ${cpu(c2)}${dCursor ? ` (${cpu(dCursor)} without the limiter)` : ""}, of 1 log ${cpu(lim1)} ` +
          `(50 rows of JSON: +${d(c2, lim1)})`,
        `page 1 with its count ${cpu(page1)}`,
      ].filter((x): x is string => x !== null);
      p(
        `- **The request path, not SQL, is what stands between the endpoint and /health.** Apart from the deep OFFSET, all SQL ` +
          `of a logs request costs ≤ ${sqlTotal} ms in SQLite, yet page 1 costs ≈ ${round(page1.cpu_ms_per_req / health, 1)}× the ` +
          `CPU of a /health request. Wrangler + workerd CPU per request, step by step: ${parts.join("; ")}. ` +
          `The fixed part of any authenticated, D1-backed request (auth lookup, limiter, one D1 batch, JSON) is already ` +
          `≈ ${round(details.cpu_ms_per_req / health, 1)}× /health, so on this runtime such a route tops out near ` +
          `${pct(details.cpu_ratio_to_health)} of /health by CPU whatever its query — below the 50 % target before the logs do anything. ` +
          "The local limiter is a Durable Object that writes a SQLite row per call; Cloudflare's binding is a cached counter, so " +
          "that share is a local cost, but the D1 round trips (two per logs request) are not.",
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
      `- **Noise.** Other work shared this 2-core machine during the run (load average per scenario in the table; ` +
        `paired /health ranged ${fmt(logs.health_req_per_s.min)}–${fmt(logs.health_req_per_s.max)} req/s). Measured ratios can move by ` +
        "tens of per cent between neighbouring runs when that happens; CPU per request moves much less, which is why both are given.",
    );
  }
  if (sweep) {
    const noAcc = sweep.raw_without_account_indexes;
    const noTrig = sweep.raw_without_delete_trigger;
    const trig = sweep.raw.triggers_on_execution_logs ?? [];
    p(
      `- **Sweep.** Every deleted row leaves ${sweep.raw.indexes_on_execution_logs.length} b-trees (the primary key and ` +
        `${sweep.raw.indexes_on_execution_logs.length - 1} indexes)` +
        (trig.length
          ? ` and fires ${trig.filter((t) => /delete/i.test(t)).join(", ")} (an UPDATE of log_counts per row)`
          : "") +
        `: ${fmt(sweep.raw.rows_per_s)} rows/s raw, chunk p50 ${sweep.raw.chunk_ms.p50} ms, slowest ${sweep.raw.chunk_ms.max} ms ` +
        `(CPU per chunk p50 ${sweep.raw.chunk_cpu_ms?.p50 ?? "—"} ms).` +
        (noAcc
          ? ` Without the two account-wide indexes (identical copy): chunk p50 ${noAcc.chunk_ms.p50} ms, slowest ${noAcc.chunk_ms.max} ms.`
          : "") +
        (noTrig
          ? ` Without the delete trigger: chunk p50 ${noTrig.chunk_ms.p50} ms, slowest ${noTrig.chunk_ms.max} ms.`
          : "") +
        (worker
          ? ` Through the Worker (D1 in workerd, its own timing): ${fmt(worker.rows_per_s)} rows/s, slowest chunk ${worker.log.slowest_chunk_ms} ms — ` +
            "the raw figure is the floor, the Worker adds D1's overhead on top."
          : "") +
        (sweep.raw_at_issue_chunk
          ? ` At the issue's ${fmt(sweep.raw_at_issue_chunk.chunk)}-row chunks: slowest ${sweep.raw_at_issue_chunk.chunk_ms.max} ms raw.`
          : "") +
        " The chunk size (SWEEP_CHUNK) and the number of indexes and triggers on execution_logs are the levers.",
    );
  }
  if (tick) {
    const qb = tick.queue_batches;
    p(
      `- **Tick and consumer.** Claiming and enqueueing ${fmt(tick.jobs)} jobs took ${fmt(tick.tick.duration_ms)} ms. The consumer then ` +
        `recorded first attempts at ≈ ${fmt(tick.runs_per_s_consumer ?? tick.runs_per_s_from_tick)} runs/s. miniflare's queue broker ` +
        "delivers the next batch only when the previous one has returned, and consumeBatch handles a batch's messages one after " +
        "another (read the job, check the execution id, record log + counters: three D1 round trips each)" +
        (qb?.ms_per_message
          ? `; its own log says ${fmt(qb.count)} batches of ≈ ${qb.mean_size} messages took ${qb.mean_ms} ms each, ${qb.ms_per_message} ms a message`
          : "") +
        (tick.cpu_ms_per_run ? ` (${tick.cpu_ms_per_run} CPU ms per run for wrangler + workerd)` : "") +
        ". That sequential path is the local ceiling; Cloudflare runs several consumer invocations concurrently.",
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
        `each scenario right after its own 5 s \`GET /health\` run (ratio = scenario ÷ that /health). ` +
        `\`limit=${logs.limit}\`, job with ${fmt(logs.big_job.logs)} logs, through \`wrangler dev --persist-to bench/.state --port 8788\`. ` +
        "CPU ms/req: user + system time of wrangler and workerd (their process group, from /proc) over the run ÷ requests; " +
        "the paired /health figure in brackets. All responses had the expected status unless the table says otherwise.",
    );
    p();
    p(
      `wrangler runs with a generated copy of wrangler.toml (${relative(ROOT, logs.wrangler_config.path)}): ${logs.wrangler_config.changes.join("; ")}. ` +
        "The per-key limit of 100 requests a minute would otherwise refuse a load generator after 100 requests; the limiter " +
        "binding is still called on every request. Everything else is the project's wrangler.toml. The rows marked " +
        `"no limiter" ran on a second copy: ${(logs.diagnostic?.wrangler_config.changes ?? []).join("; ")}.`,
    );
    p();
    p(
      "| Scenario | req/s | p50 ms | p99 ms | paired /health req/s | ratio to /health | CPU ms/req (/health) | CPU ratio | load avg | SQLite: check + page + count ms | naive count(*) ms |",
    );
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const l of [...logs.loads, ...(logs.diagnostic?.loads ?? [])]) {
      const f = floorBy.get(l.name);
      const unexpected = l.unexpected ?? l.non2xx;
      const bad = unexpected || l.errors ? ` (**${fmt(unexpected)} unexpected status, ${fmt(l.errors)} errors**)` : "";
      p(
        `| ${l.label}${bad} | ${fmt(l.req_per_s)} | ${l.p50_ms} | ${l.p99_ms} | ${fmt(l.health_req_per_s)} | ${l.ratio_to_health.toFixed(2)} | ` +
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
    p("## 3. Retention sweep — `npx tsx bench/sweep.ts`");
    p();
    p(
      `${fmt(sweep.raw.deleted)} expired rows among ${fmt(sweep.raw.rows_before)} (DB file ${fmt(sweep.db_file_mb)} MB), ` +
        `src/retention/sweep.ts's own \`sweep()\` (SWEEP_CHUNK = ${fmt(sweep.code_chunk ?? sweep.raw.chunk)}) run on a copy of the file through a ` +
        "D1 binding over node:sqlite (bench/lib/d1-node.ts), each chunk's round trip timed; " +
        `with the migrations' indexes (${sweep.raw.indexes_on_execution_logs.join(", ")})` +
        `${sweep.raw.triggers_on_execution_logs?.length ? ` and triggers (${sweep.raw.triggers_on_execution_logs.join(", ")})` : ""}.`,
    );
    p();
    p(
      "| Path | total | rows/s | chunks | chunk p50 | chunk p90 | slowest chunk | CPU per chunk p50 / max | load avg |",
    );
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    const rawRow = (label: string, r: Sweep["raw"]) =>
      p(
        `| ${label} | ${fmt(r.total_ms)} ms | ${fmt(r.rows_per_s)} | ${r.chunks} | ${r.chunk_ms.p50} ms | ${r.chunk_ms.p90} ms | ` +
          `${r.chunk_ms.max} ms | ${r.chunk_cpu_ms ? `${r.chunk_cpu_ms.p50} / ${r.chunk_cpu_ms.max} ms` : "—"} | ${r.loadavg_before ?? "—"} |`,
      );
    rawRow(
      `Raw SQLite, ${fmt(sweep.raw.chunk)}-row chunks, as migrated (journal ${sweep.raw.pragmas.journal_mode}, synchronous=${sweep.raw.pragmas.synchronous})`,
      sweep.raw,
    );
    if (sweep.raw_at_issue_chunk) {
      rawRow(
        `Raw SQLite, ${fmt(sweep.raw_at_issue_chunk.chunk)}-row chunks (the issue's size), as migrated`,
        sweep.raw_at_issue_chunk,
      );
    }
    if (sweep.raw_without_account_indexes) {
      rawRow(
        `Raw SQLite, ${fmt(sweep.raw.chunk)}-row chunks, minus the 2 account-wide indexes (comparison only)`,
        sweep.raw_without_account_indexes,
      );
    }
    if (sweep.raw_without_delete_trigger) {
      rawRow(
        `Raw SQLite, ${fmt(sweep.raw.chunk)}-row chunks, minus ${sweep.raw_without_delete_trigger.dropped?.join(", ") ?? "the delete trigger"} (comparison only)`,
        sweep.raw_without_delete_trigger,
      );
    }
    if (worker) {
      p(
        `| Worker (\`sweep()\` in wrangler dev on a copy of the state; its retention_sweep log) | ${fmt(worker.log.duration_ms)} ms | ` +
          `${fmt(worker.rows_per_s)} | ${worker.log.chunks} | | | ${worker.log.slowest_chunk_ms} ms | | ${"loadavg_before" in worker ? String(worker.loadavg_before) : "—"} |`,
      );
    } else if (sweep.worker && "error" in sweep.worker) {
      p(`| Worker | failed: ${sweep.worker.error} | | | | | | | |`);
    }
    p();
    p(
      `One chunk's round trip, as drizzle rendered it from src/retention/sweep.ts: ${(Array.isArray(sweep.raw.sql) ? sweep.raw.sql : [sweep.raw.sql]).map((q) => `\`${q}\``).join(" + ")} (one batch), with the cutoff chosen so exactly ` +
        `${fmt(sweep.raw.deleted)} rows are older; ${sweep.raw.chunks_over_target} chunk(s) at or over ${sweep.target_chunk_ms} ms; ` +
        `${fmt(sweep.raw.rows_after)} rows left.` +
        (worker
          ? ` The Worker run fired the sweep cron through miniflare's scheduled endpoint (\`${worker.endpoint}\`) with \`time\` = ` +
            `that cutoff + RETENTION_DAYS, instead of rewriting a million dates; its cutoff matched the raw run's: ` +
            `${worker.cutoff_matches_raw_run ? "yes" : "**no**"}; complete: ${worker.log.complete ? "yes" : "no (budget)"}; ` +
            `deleted ${fmt(worker.log.expired_deleted)}.`
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
      `| first attempts recorded (retry_attempt = 0, since the tick) | ${fmt(tick.first_attempts_recorded)}${tick.reached_all ? "" : " (did not reach all within 120 s)"} |`,
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
  }

  p("## Reproduce");
  p();
  p("```sh");
  const minutes = run ? (Date.parse(run.finished) - Date.parse(run.started)) / 60_000 : null;
  p(
    `npm run bench                      # everything, in order, then this file${minutes ? ` (this run: ${minutes.toFixed(1)} min)` : ""}`,
  );
  for (const s of STEPS) p(`${`npx tsx ${s.script}`.padEnd(35)}# ${s.name} alone`);
  p("npm run bench -- --report          # rewrite this file from bench/results/*.json");
  p("```");
  p();
  return out.join("\n");
}

const reportOnly = process.argv.includes("--report");
const t0 = now();
const run = reportOnly ? readResult<RunInfo>("run") : runAll();
const file = join(ROOT, "bench/RESULTS.md");
writeFileSync(file, report(run));
// The repository's formatter owns Markdown too (tables padded): keep `biome check` clean.
spawnSync(join(ROOT, "node_modules/.bin/biome"), ["format", "--write", file], {
  cwd: ROOT,
  stdio: "ignore",
  env: offlineEnv,
});
console.log(`\nwrote ${relative(ROOT, file)}${reportOnly ? "" : ` after ${((now() - t0) / 60_000).toFixed(1)} min`}`);
if (run?.steps.some((s) => !s.ok)) process.exitCode = 1;
