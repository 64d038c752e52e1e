/**
 * The dispatch tick at scale, per shard: JOBS jobs (default 1,000,000) of accounts of 100, 10 % of them due, seeded
 * straight into the shard files with node:sqlite (as bench/seed-million.ts does) and spread over 1, 4 and 16 shards
 * by the placement rule of src/shards/placement.ts; the control plane gets every account, key and directory entry.
 * For each layout: a generated wrangler config with that many SHARD_n bindings and NO consumer for edgecron-runs
 * (run messages stay queued: this measures the tick — fan-out, per-shard claim pages, continuations, relay — not
 * the runs), `wrangler dev` on a state of its own, the dispatch Cron Trigger fired once, and the per-shard tick
 * messages (and continuations) left to run on the edgecron-ticks consumer until every shard logged a complete tick.
 *
 * Per invocation: the Worker's dispatch_tick line (due, claimed, pages, complete) and the wrangler + workerd CPU
 * between the end of the previous tick invocation (miniflare's `QUEUE edgecron-ticks 1/1 (…ms)` line) and the end
 * of this one — miniflare delivers one batch at a time, so invocations do not overlap. Lines are attributed to
 * shards by the queue's order (the fan-out sends SHARD_0 … first; a continuation goes to the back) and the
 * attribution is checked against each shard file's own count of ledger rows after wrangler stopped.
 *
 * D1 queries per invocation are counted from what dispatchTick and relayStranded issue (src/engine/dispatch.ts,
 * src/engine/relay.ts): one SELECT per page, one batch per non-empty page, and the relay's two SELECTs after a
 * complete tick (no stranded run: nothing more).
 *
 *   npx tsx bench/scale.ts [--jobs 1000000] [--shards 1,4,16]
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs, stripVTControlCharacters } from "node:util";
import { newAccount } from "../src/accounts/provision";
import { mulberry32 } from "../src/engine/executors/mock";
import type { TickReport } from "../src/engine/tick-report";
import { buildNewJob, type NewJobRow } from "../src/jobs/build";
import { chooseShard } from "../src/shards/placement";
import {
  type BenchD1Files,
  benchWranglerConfig,
  commandLine,
  ensureBundle,
  groupCpuMs,
  isMain,
  loadavg1,
  migrateBench,
  now,
  openDb,
  round,
  STATE_DIR,
  writeResult,
} from "./lib/common";
import { withDev } from "./lib/wrangler-dev";
import { jobInput, jobInsert } from "./seed-million";

const PER_ACCOUNT = 100;
/** Every 10th job is due. */
const DUE_EVERY = 10;
const PORT = 8790;
const TICK_ENDPOINT = "/cdn-cgi/handler/scheduled?cron=*+*+*+*+*";
const WAIT_MS = Number(process.env.SCALE_WAIT_MS ?? 15 * 60_000);
/** D1's queries per Worker invocation (Workers Paid). */
const QUERY_LIMIT = 1_000;
const SCALE_DIR = join(STATE_DIR, "scale");

interface Seeded {
  files: BenchD1Files;
  config: { path: string; changes: string[] };
  persistTo: string;
  accounts: number;
  jobs: number;
  duePerShard: number[];
  jobsPerShard: number[];
  dueBy: number;
  seed_s: number;
  migrate_s: number;
}

/** A fresh state with `shards` shards holding `jobs` jobs (every 10th due), accounts placed as the Worker would. */
async function seed(shards: number, jobs: number): Promise<Seeded> {
  const t0 = now();
  rmSync(SCALE_DIR, { recursive: true, force: true }); // one layout on disk at a time (≈ 1 GB per million jobs)
  const persistTo = join(SCALE_DIR, `s${shards}`);
  const config = benchWranglerConfig({ limiter: "as-is", shards, runsConsumer: false, tag: `scale${shards}` });
  const files = await migrateBench(persistTo, config.path);
  const tMigrated = now();

  const created = Date.now() - 7 * 86_400_000;
  const r = mulberry32(12);
  // 60 template rows (every schedule kind, retry mix and header/body shape of the seed); each job is one of them
  // with its own id, account and next_run_at — buildNewJob for a million rows would spend minutes parsing crons.
  const templates: NewJobRow[] = Array.from({ length: 60 }, (_, i) => buildNewJob("template", jobInput(r, i), created));
  const insertSql = jobInsert(templates[0] as NewJobRow & Record<string, unknown>).sql;

  const control = openDb(files.control);
  const dbs = files.shards.map((f) => openDb(f));
  for (const db of [control, ...dbs]) {
    db.exec("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY; BEGIN");
  }
  const inserts = dbs.map((db) => db.prepare(insertSql));
  const perShardAccounts = new Array<number>(shards).fill(0);
  const duePerShard = new Array<number>(shards).fill(0);
  const jobsPerShard = new Array<number>(shards).fill(0);
  const dueBy = Date.now();
  const accounts = Math.ceil(jobs / PER_ACCOUNT);
  for (let a = 0; a < accounts; a++) {
    const acc = await newAccount(`Scale account ${String(a + 1).padStart(5, "0")}`, created);
    const shard = chooseShard(perShardAccounts);
    perShardAccounts[shard] = (perShardAccounts[shard] as number) + 1;
    const db = dbs[shard] as ReturnType<typeof openDb>;
    for (const s of acc.shardStatements) db.prepare(s.sql).run(...s.params);
    for (const s of acc.controlStatements(shard)) control.prepare(s.sql).run(...s.params);
    for (let j = 0; j < PER_ACCOUNT && a * PER_ACCOUNT + j < jobs; j++) {
      const i = a * PER_ACCOUNT + j;
      const due = i % DUE_EVERY === 0;
      // Due: a slot in the last minute (as at a real tick). Not due: 1 h to 1 day ahead, out of the tick's reach.
      const nextRunAt = due
        ? dueBy - 60_000 + Math.floor(r() * 59_000)
        : dueBy + 3_600_000 + Math.floor(r() * 86_400_000);
      const row = { ...(templates[i % templates.length] as NewJobRow), id: randomUUID(), accountId: acc.account_id };
      (inserts[shard] as ReturnType<typeof db.prepare>).run(...jobInsert({ ...row, nextRunAt }).params);
      jobsPerShard[shard] = (jobsPerShard[shard] as number) + 1;
      if (due) duePerShard[shard] = (duePerShard[shard] as number) + 1;
    }
    if (a % 500 === 499) process.stdout.write(`\r  ${((a + 1) * PER_ACCOUNT).toLocaleString("en")} jobs…`);
  }
  for (const db of [control, ...dbs]) {
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    db.close();
  }
  process.stdout.write("\n");
  return {
    files,
    config,
    persistTo,
    accounts,
    jobs,
    duePerShard,
    jobsPerShard,
    dueBy,
    migrate_s: round((tMigrated - t0) / 1000, 1),
    seed_s: round((now() - tMigrated) / 1000, 1),
  };
}

/** One shard tick invocation: its dispatch_tick log line's counts, and what the bench adds to them. */
interface Invocation extends Omit<TickReport, "event" | "scheduled_time"> {
  shard: number;
  /** SELECTs (pages) + claim batches (non-empty pages) + the relay's 2 SELECTs after a complete tick. */
  d1_queries: number;
  /** wrangler + workerd CPU from the end of the previous tick invocation (or the trigger) to the end of this one. */
  cpu_ms: number;
  queue_batch_ms: number | null;
}

/** Fires the dispatch Cron Trigger once and follows every shard's tick to completion. */
async function measure(s: Seeded, shards: number) {
  return withDev({ port: PORT, config: s.config.path, persistTo: s.persistTo }, async (dev) => {
    const from = dev.lines.length;
    const load = loadavg1();
    const ticks: Array<{ report: TickReport; cpu: number }> = [];
    const ends: Array<{ ms: number; cpu: number }> = [];
    let completes = 0;
    const cpu0 = groupCpuMs(dev.pgid);
    const t = now();
    // Every line as it arrives (synchronously from wrangler's stdout): CPU is read at the line, not at a poll.
    const done = dev.waitForLine(
      (raw) => {
        const line = stripVTControlCharacters(raw);
        if (line.includes('"event":"dispatch_tick"')) {
          const report = JSON.parse(line.slice(line.indexOf("{"))) as TickReport;
          ticks.push({ report, cpu: groupCpuMs(dev.pgid) });
          if (report.complete) completes++;
        }
        const m = /QUEUE edgecron-ticks (\d+)\/(\d+) \((\d+)ms\)/.exec(line);
        if (m) ends.push({ ms: Number(m[3]), cpu: groupCpuMs(dev.pgid) });
        // Done when every shard logged a complete tick and every tick invocation has ended.
        return completes === shards && ends.length >= ticks.length;
      },
      WAIT_MS,
      from,
    );
    const res = await fetch(`${dev.base}${TICK_ENDPOINT}`, { signal: AbortSignal.timeout(120_000) });
    const triggerMs = now() - t;
    if (!res.ok) throw new Error(`${TICK_ENDPOINT} → ${res.status} ${(await res.text()).slice(0, 300)}`);
    try {
      await done;
    } catch (e) {
      throw new Error(
        `${String(e)}; ticks ${ticks.length}, ends ${ends.length}; last lines:\n${dev.lines.slice(-40).join("\n")}`,
      );
    }
    const wallS = (now() - t) / 1000;
    const cpuMs = groupCpuMs(dev.pgid) - cpu0;
    const errors = dev.lines.slice(from).filter((l) => /shard_tick_failed|"level":"error"|✘|Uncaught/.test(l));

    // Attribute each tick line to its shard by the queue's order: SHARD_0 … first, a continuation to the back.
    const order = Array.from({ length: shards }, (_, i) => i);
    let prevCpu = cpu0;
    const invocations: Invocation[] = ticks.map(({ report, cpu }, i) => {
      const shard = order.shift() as number;
      if (!report.complete) order.push(shard);
      const end = ends[i];
      const endCpu = end?.cpu ?? cpu;
      const inv: Invocation = {
        shard,
        due: report.due,
        claimed: report.claimed,
        enqueued: report.enqueued,
        pages: report.pages,
        complete: report.complete,
        duration_ms: report.duration_ms,
        d1_queries: report.pages + Math.ceil(report.due / 100) + (report.complete ? 2 : 0),
        cpu_ms: round(endCpu - prevCpu, 0),
        queue_batch_ms: end?.ms ?? null,
      };
      prevCpu = endCpu;
      return inv;
    });
    return {
      loadavg_before: load,
      loadavg_after: loadavg1(),
      trigger_request_ms: round(triggerMs, 0),
      wall_s: round(wallS, 1),
      cpu_ms: round(cpuMs, 0),
      invocations,
      worker_error_lines: errors.slice(0, 5),
      reloads: dev.reloads(),
    };
  });
}

/** After wrangler stopped: each shard's ledger rows (one per claimed slot) and jobs still due. */
function verify(s: Seeded) {
  return s.files.shards.map((file) => {
    const db = openDb(file, { readOnly: true });
    const runs = (db.prepare("SELECT count(*) AS n FROM runs").get() as { n: number }).n;
    const stillDue = (
      db
        .prepare("SELECT count(*) AS n FROM cron_jobs WHERE is_active = 1 AND deleted_at IS NULL AND next_run_at <= ?")
        .get(s.dueBy) as { n: number }
    ).n;
    db.close();
    return { runs, still_due: stillDue };
  });
}

export interface ScaleLayout {
  shards: number;
  jobs: number;
  accounts: number;
  due: number;
  migrate_s: number;
  seed_s: number;
  wrangler_config_changes: string[];
  loadavg_before: number;
  loadavg_after: number;
  trigger_request_ms: number;
  wall_s: number;
  cpu_ms: number;
  claimed: number;
  cpu_ms_per_claimed_job: number;
  max_d1_queries_per_invocation: number;
  attribution_checked: boolean;
  per_shard: Array<{
    shard: number;
    jobs: number;
    due: number;
    invocations: number;
    pages: number;
    claimed: number;
    max_d1_queries_per_invocation: number;
    cpu_ms: number;
    cpu_ms_per_claimed_job: number | null;
    ledger_rows_in_d1: number;
    still_due_in_d1: number;
  }>;
  invocations: Invocation[];
  worker_error_lines: string[];
  reloads: number;
}

export interface ScaleResult {
  command: string;
  bundle: ReturnType<typeof ensureBundle>;
  endpoint: string;
  measured: string;
  machine?: { nproc: number; cpu: string };
  layouts: ScaleLayout[];
  total_s: number;
}

async function main() {
  const { values } = parseArgs({
    options: { jobs: { type: "string", default: "1000000" }, shards: { type: "string", default: "1,4,16" } },
  });
  const jobs = Number(values.jobs);
  const layouts = String(values.shards).split(",").map(Number);
  const t0 = now();
  const bundle = ensureBundle();
  const out: ScaleLayout[] = [];
  for (const shards of layouts) {
    console.log(`  ${shards} shard(s): seeding ${jobs.toLocaleString("en")} jobs…`);
    const s = await seed(shards, jobs);
    const due = s.duePerShard.reduce((a, b) => a + b, 0);
    console.log(`  seeded in ${s.seed_s} s (migrations ${s.migrate_s} s); ${due.toLocaleString("en")} due; ticking…`);
    const m = await measure(s, shards);
    const d1 = verify(s);
    const perShard = s.files.shards.map((_, shard) => {
      const mine = m.invocations.filter((i) => i.shard === shard);
      const claimed = mine.reduce((a, i) => a + i.claimed, 0);
      const cpu = mine.reduce((a, i) => a + i.cpu_ms, 0);
      return {
        shard,
        jobs: s.jobsPerShard[shard] as number,
        due: s.duePerShard[shard] as number,
        invocations: mine.length,
        pages: mine.reduce((a, i) => a + i.pages, 0),
        claimed,
        max_d1_queries_per_invocation: Math.max(0, ...mine.map((i) => i.d1_queries)),
        cpu_ms: round(cpu, 0),
        cpu_ms_per_claimed_job: claimed ? round(cpu / claimed, 3) : null,
        ledger_rows_in_d1: d1[shard]?.runs ?? 0,
        still_due_in_d1: d1[shard]?.still_due ?? 0,
      };
    });
    const claimed = perShard.reduce((a, p) => a + p.claimed, 0);
    const layout: ScaleLayout = {
      shards,
      jobs: s.jobs,
      accounts: s.accounts,
      due,
      migrate_s: s.migrate_s,
      seed_s: s.seed_s,
      wrangler_config_changes: s.config.changes,
      loadavg_before: m.loadavg_before,
      loadavg_after: m.loadavg_after,
      trigger_request_ms: m.trigger_request_ms,
      wall_s: m.wall_s,
      cpu_ms: m.cpu_ms,
      claimed,
      cpu_ms_per_claimed_job: claimed ? round(m.cpu_ms / claimed, 3) : 0,
      max_d1_queries_per_invocation: Math.max(...m.invocations.map((i) => i.d1_queries)),
      attribution_checked: perShard.every((p) => p.claimed === p.ledger_rows_in_d1),
      per_shard: perShard,
      invocations: m.invocations,
      worker_error_lines: m.worker_error_lines,
      reloads: m.reloads,
    };
    out.push(layout);
    console.log(
      `  ${shards} shard(s): ${claimed.toLocaleString("en")} claimed in ${m.invocations.length} invocations, ` +
        `${m.wall_s} s wall, ${layout.cpu_ms_per_claimed_job} CPU ms per claimed job, max ${layout.max_d1_queries_per_invocation} ` +
        `D1 queries per invocation (limit ${QUERY_LIMIT}); attribution ${layout.attribution_checked ? "checked" : "MISMATCH"}`,
    );
    writeResult("scale", partial(bundle, out, t0)); // what is done so far survives a later layout's failure
  }
  rmSync(SCALE_DIR, { recursive: true, force: true });
  writeResult("scale", partial(bundle, out, t0));
}

const partial = (bundle: ReturnType<typeof ensureBundle>, layouts: ScaleLayout[], t0: number): ScaleResult => ({
  command: `${commandLine(import.meta.filename)} ${process.argv.slice(2).join(" ")}`.trim(),
  bundle,
  endpoint: TICK_ENDPOINT,
  machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? "unknown" },
  measured:
    "the tick alone: fan-out, every shard's claim pages, continuations and relay; run messages are enqueued and left queued (no edgecron-runs consumer), so no run executes",
  layouts,
  total_s: round((now() - t0) / 1000, 1),
});

if (isMain(import.meta.filename)) await main();
