/**
 * The retention sweep on 500,000 expired rows among the seeded 1,000,000.
 *
 * 1. Raw: src/retention/sweep.ts's own sweep() on a copy of the bench's SQLite file, through a D1 binding over
 *    node:sqlite (lib/d1-node.ts) — its adaptive chunk sizes, its `DELETE … WHERE id IN (SELECT id … LIMIT ?)`,
 *    the migrations' indexes and triggers (it is their file) — each DELETE timed (wall and CPU). Also at the
 *    issue's fixed 10,000-row chunks, and, for comparison only, on copies without the two account-wide indexes
 *    and without the log_counts delete trigger.
 * 2. Through the Worker: a copy of the bench state served by `wrangler dev` (frozen bundle), the sweep cron fired
 *    through miniflare's scheduled endpoint with `time` set so that the same 500,000 rows are past retention
 *    (rather than rewriting 1,000,000 dates), again until a sweep reports itself complete (each stops at its
 *    time budget, as the daily sweeps do); the Worker's own `retention_sweep` log lines give its figures.
 *
 *   npx tsx bench/sweep.ts        (after bench/seed-million.ts)
 */
import { cpSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  benchWranglerConfig,
  commandLine,
  DAY_MS,
  d1File,
  ensureBundle,
  isMain,
  loadavg1,
  now,
  openDb,
  percentile,
  round,
  STATE_DIR,
  writeResult,
} from "./lib/common";
import { importSrc, nodeD1, type RunTiming } from "./lib/d1-node";
import { withDev } from "./lib/wrangler-dev";

const EXPIRED = 500_000;
const ISSUE_CHUNK = 10_000;
const RETENTION_DAYS = 30; // wrangler.toml RETENTION_DAYS
const TARGET_CHUNK_MS = 250;
const PORT = 8791;
/** Sweeps fired through the Worker at most (each has a 20 s budget). */
const MAX_WORKER_RUNS = 10;
const SWEEP_CRON = "17 3 * * *"; // src/triggers.ts SWEEP_CRON

interface SweepReport {
  event: "retention_sweep";
  cutoff: string;
  expired_deleted: number;
  deleted_job_logs_deleted: number;
  chunks: number;
  slowest_chunk_ms: number;
  chunk_rows: { min: number; max: number };
  complete: boolean;
  duration_ms: number;
}

interface SweepModule {
  sweep: (
    db: unknown,
    opts: { retentionDays: number; now: number; chunk?: number; budgetMs?: number },
  ) => Promise<SweepReport>;
}

function checkpoint(file: string) {
  const db = openDb(file);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

/** The cutoff that leaves exactly the oldest EXPIRED rows (or a few more on a tie) past retention. */
function cutoffFor(file: string) {
  const db = openDb(file, { readOnly: true });
  const total = (db.prepare("SELECT count(*) AS n FROM logs").get() as { n: number }).n;
  const at = (
    db.prepare("SELECT executed_at AS t FROM logs ORDER BY executed_at LIMIT 1 OFFSET ?").get(EXPIRED - 1) as {
      t: number;
    }
  ).t;
  const cutoff = at + 1;
  const expired = (db.prepare("SELECT count(*) AS n FROM logs WHERE executed_at < ?").get(cutoff) as { n: number }).n;
  const names = (type: string) =>
    (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = ? AND tbl_name = 'logs' ORDER BY name")
        .all(type) as Array<{ name: string }>
    ).map((r) => r.name);
  const indexes = names("index");
  const triggers = names("trigger");
  db.close();
  return { total, cutoff, expired, indexes, triggers };
}

/** Schema changes made to the copy first (comparison runs only): objects dropped, or SQL run. */
interface Drop {
  indexes?: string[];
  triggers?: string[];
  /** Statements run on the copy, e.g. to re-create a trigger the migrations removed. */
  add?: { label: string; sql: string };
}

/**
 * The per-row delete trigger of migration 0003, which migration 0004 dropped when the sweep began to adjust
 * log_counts itself: re-created on a copy to measure what it cost (the sweep's own UPDATE then subtracts the
 * chunk a second time, which does not change its timing materially but leaves the copy's counts wrong — it is
 * thrown away).
 */
const ROW_DELETE_TRIGGER = `CREATE TRIGGER log_day_counts_after_delete AFTER DELETE ON logs BEGIN
  UPDATE log_day_counts SET n = n - 1
  WHERE job = OLD.job AND day = OLD.executed_at / 86400000 AND status = OLD.status;
END`;

/** `chunk`: a fixed size; undefined runs the code's adaptive sizing. */
async function rawSweep(source: string, mod: SweepModule, chunk: number | undefined, drop: Drop = {}) {
  const dropped = [...(drop.indexes ?? []), ...(drop.triggers ?? [])];
  const changed = [...dropped.map((d) => `without ${d}`), ...(drop.add ? [drop.add.label] : [])];
  const dir = join(STATE_DIR, "sweep-raw");
  rmSync(dir, { recursive: true, force: true });
  const copy = join(dir, "edgecron.sqlite");
  cpSync(source, copy);
  if (changed.length > 0) {
    const db = openDb(copy);
    for (const name of drop.indexes ?? []) db.exec(`DROP INDEX ${name}`);
    for (const name of drop.triggers ?? []) db.exec(`DROP TRIGGER ${name}`);
    if (drop.add) db.exec(drop.add.sql);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    db.close();
  }
  const { total, cutoff, expired, indexes, triggers } = cutoffFor(copy);
  const db = openDb(copy);
  const deletes: RunTiming[] = [];
  // A chunk is the round trip (a run() or a batch) that deletes from the (compact, issue 12) log table.
  const d1 = nodeD1(db, (t) => {
    if (t.sqls.some((q) => /^\s*delete from "logs"/i.test(q))) deletes.push(t);
  });
  const { createDb } = await importSrc<{ createDb: (d1: unknown) => unknown }>("src/db/client.ts");
  const load1 = loadavg1();
  const t0 = now();
  // The sweep's own loop; a budget it cannot reach here, so every chunk is measured.
  const report = await mod.sweep(createDb(d1), {
    retentionDays: RETENTION_DAYS,
    now: cutoff + RETENTION_DAYS * DAY_MS,
    chunk,
    budgetMs: 600_000,
  });
  const totalMs = now() - t0;
  const left = (db.prepare("SELECT count(*) AS n FROM logs").get() as { n: number }).n;
  const pragmas = {
    journal_mode: (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
    synchronous: (db.prepare("PRAGMA synchronous").get() as { synchronous: number }).synchronous,
  };
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const wall = deletes.map((d) => d.ms).sort((a, b) => a - b);
  const cpu = deletes.map((d) => d.cpuMs).sort((a, b) => a - b);
  const deleted = report.expired_deleted + report.deleted_job_logs_deleted;
  const res = {
    rows_before: total,
    expired,
    deleted,
    rows_after: left,
    dropped,
    changed,
    indexes_on_execution_logs: indexes,
    triggers_on_execution_logs: triggers,
    /** The statements of one chunk's round trip, as drizzle rendered them from src/retention/sweep.ts. */
    sql: deletes[0]?.sqls ?? [],
    chunk: chunk ?? "adaptive",
    chunk_rows: report.chunk_rows,
    chunks: deletes.length,
    total_ms: round(totalMs, 0),
    rows_per_s: round(deleted / (totalMs / 1000), 0),
    chunk_ms: {
      min: round(wall[0] ?? 0, 1),
      p50: round(percentile(wall, 50), 1),
      p90: round(percentile(wall, 90), 1),
      max: round(wall.at(-1) ?? 0, 1),
    },
    chunks_over_target: wall.filter((c) => c >= TARGET_CHUNK_MS).length,
    /** CPU time per chunk (this process): what a chunk costs when nothing else competes for the cores. */
    chunk_cpu_ms: { p50: round(percentile(cpu, 50), 1), max: round(cpu.at(-1) ?? 0, 1) },
    sweep_report: report,
    loadavg_before: load1,
    pragmas,
  };
  console.log(
    `  raw, ${chunk ? `${chunk}-row` : `adaptive (${report.chunk_rows.min}–${report.chunk_rows.max}-row)`} chunks${changed.length ? `, ${changed.join(", ")}` : ""}: deleted ${deleted.toLocaleString("en")} ` +
      `of ${total.toLocaleString("en")} in ${res.chunks} chunks, ${(totalMs / 1000).toFixed(1)} s → ` +
      `${res.rows_per_s.toLocaleString("en")} rows/s; chunk p50 ${res.chunk_ms.p50} ms, slowest ${res.chunk_ms.max} ms ` +
      `(CPU p50 ${res.chunk_cpu_ms.p50} ms, max ${res.chunk_cpu_ms.max} ms; load ${load1})`,
  );
  return { res, cutoff };
}

async function workerSweep(cutoff: number) {
  const persist = join(STATE_DIR, "sweep-worker");
  rmSync(persist, { recursive: true, force: true });
  cpSync(join(STATE_DIR, "v3/d1"), join(persist, "v3/d1"), { recursive: true });
  const config = benchWranglerConfig({ limiter: "as-is" });
  // scheduledTime such that now − RETENTION_DAYS is exactly the cutoff: the same rows expire as in the raw run.
  const time = cutoff + RETENTION_DAYS * DAY_MS;
  try {
    return await withDev({ port: PORT, persistTo: persist, config: config.path }, async (dev) => {
      const endpoint = `/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(SWEEP_CRON).replace(/%20/g, "+")}&time=${time}`;
      const load1 = loadavg1();
      // One sweep Cron Trigger: it fans out one message per shard (src/ticks.ts), and a shard's sweep that stops at
      // its time budget continues itself through the queue. Followed until every shard logged a complete sweep; shards
      // without expired logs (SHARD_1 here: the seed is on SHARD_0) log an empty sweep, which is left out below.
      const shards = (readFileSync(config.path, "utf8").match(/^binding = "SHARD_\d+"/gm) ?? []).length;
      const from = dev.lines.length;
      const t = now();
      const res = await fetch(dev.base + endpoint);
      const wallMs = now() - t;
      const body = await res.text();
      const seen: SweepReport[] = [];
      let completes = 0;
      await dev.waitForLine(
        (l) => {
          if (!l.includes('"event":"retention_sweep"')) return false;
          const log = JSON.parse(l.slice(l.indexOf("{"))) as SweepReport;
          seen.push(log);
          if (log.complete) completes++;
          console.log(`  worker: ${JSON.stringify(log)}`);
          return completes >= shards;
        },
        MAX_WORKER_RUNS * 60_000,
        from,
      );
      const runs: Array<{ response: string; wall_ms: number; log: SweepReport }> = seen
        .filter((log) => log.chunks > 0 || log.expired_deleted > 0)
        .map((log, i) => ({
          response: i === 0 ? `${res.status} ${body.trim()}` : "continuation",
          wall_ms: i === 0 ? round(wallMs, 0) : 0,
          log,
        }));
      const logs = runs.map((r) => r.log);
      const deleted = logs.reduce((a, l) => a + l.expired_deleted, 0);
      const durationMs = logs.reduce((a, l) => a + l.duration_ms, 0);
      return {
        endpoint,
        runs,
        sweeps: runs.length,
        complete: logs.at(-1)?.complete ?? false,
        cutoff_matches_raw_run: logs[0]?.cutoff === new Date(cutoff).toISOString(),
        expired_deleted: deleted,
        duration_ms: durationMs,
        rows_per_s: round(deleted / (durationMs / 1000), 0),
        chunks: logs.reduce((a, l) => a + l.chunks, 0),
        slowest_chunk_ms: Math.max(...logs.map((l) => l.slowest_chunk_ms)),
        chunk_rows: {
          min: Math.min(...logs.map((l) => l.chunk_rows.min)),
          max: Math.max(...logs.map((l) => l.chunk_rows.max)),
        },
        loadavg_before: load1,
        reloads: dev.reloads(),
      };
    });
  } finally {
    rmSync(persist, { recursive: true, force: true });
  }
}

async function main() {
  const source = d1File();
  checkpoint(source);
  const bundle = ensureBundle();
  const sizeMb = round(statSync(source).size / 1048576, 0);
  const t0 = now();
  const mod = await importSrc<SweepModule>("src/retention/sweep.ts");
  const raw = await rawSweep(source, mod, undefined);
  const atIssueChunk = (await rawSweep(source, mod, ISSUE_CHUNK)).res;
  // Comparison only: copies without the two account-wide indexes (migration 0001), and without the per-row
  // delete trigger that keeps the log_counts rollup (migration 0003).
  const accountIndexes = raw.res.indexes_on_execution_logs.filter((n) => n.startsWith("execution_logs_account_"));
  const withoutAccount =
    accountIndexes.length > 0 ? (await rawSweep(source, mod, undefined, { indexes: accountIndexes })).res : null;
  const deleteTriggers = raw.res.triggers_on_execution_logs.filter((n) => /delete/i.test(n));
  const withoutTrigger =
    deleteTriggers.length > 0 ? (await rawSweep(source, mod, undefined, { triggers: deleteTriggers })).res : null;
  // Comparison only: the per-row delete trigger the sweep replaced (migration 0004), re-created on a copy.
  const withRowTrigger =
    deleteTriggers.length === 0
      ? (
          await rawSweep(source, mod, undefined, {
            add: { label: "with migration 0003's per-row delete trigger", sql: ROW_DELETE_TRIGGER },
          })
        ).res
      : null;
  let worker: unknown = null;
  try {
    worker = await workerSweep(raw.cutoff);
  } catch (e) {
    console.error(`  worker sweep failed: ${String(e)}`);
    worker = { error: String(e) };
  }
  writeResult("sweep", {
    command: commandLine(import.meta.filename),
    bundle,
    db_file_mb: sizeMb,
    target_chunk_ms: TARGET_CHUNK_MS,
    code_chunk: "adaptive",
    raw: raw.res,
    raw_at_issue_chunk: atIssueChunk,
    raw_without_account_indexes: withoutAccount,
    raw_without_delete_trigger: withoutTrigger,
    raw_with_row_trigger: withRowTrigger,
    worker,
    total_s: round((now() - t0) / 1000, 1),
  });
}

if (isMain(import.meta.filename)) await main();
