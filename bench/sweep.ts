/**
 * The retention sweep on 500,000 expired rows among the seeded 1,000,000.
 *
 * 1. Raw: on a copy of the bench's SQLite file, with node:sqlite, the chunked DELETE of src/retention/sweep.ts
 *    (10,000-row chunks, `DELETE … WHERE id IN (SELECT id … WHERE executed_at < ? LIMIT ?)`, as drizzle renders
 *    it), with exactly the indexes the migrations created (it is their file). Total time, rows/s, every chunk.
 * 2. Through the Worker: a copy of the bench state served by `wrangler dev`, the sweep cron fired through
 *    miniflare's scheduled endpoint with `time` set so that the same 500,000 rows are past retention (rather
 *    than rewriting 1,000,000 dates); the Worker's own `retention_sweep` log line gives its figures.
 *
 *   npx tsx bench/sweep.ts        (after bench/seed-million.ts)
 */
import { cpSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  commandLine,
  DAY_MS,
  d1File,
  isMain,
  now,
  openDb,
  percentile,
  round,
  STATE_DIR,
  writeResult,
} from "./lib/common";
import { withDev } from "./lib/wrangler-dev";

const EXPIRED = 500_000;
const CHUNK = 10_000;
const RETENTION_DAYS = 30; // wrangler.toml RETENTION_DAYS
const TARGET_CHUNK_MS = 250;
const PORT = 8788;

/** drizzle's rendering of src/retention/sweep.ts deleteChunk for the expiry condition. */
const DELETE_CHUNK =
  'DELETE FROM "execution_logs" WHERE "execution_logs"."id" IN (SELECT "execution_logs"."id" FROM "execution_logs" WHERE "execution_logs"."executed_at" < ? LIMIT ?)';

function checkpoint(file: string) {
  const db = openDb(file);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

/** The cutoff that leaves exactly the oldest EXPIRED rows (or a few more on a tie) past retention. */
function cutoffFor(file: string) {
  const db = openDb(file, { readOnly: true });
  const total = (db.prepare("SELECT count(*) AS n FROM execution_logs").get() as { n: number }).n;
  const at = (
    db
      .prepare("SELECT executed_at AS t FROM execution_logs ORDER BY executed_at LIMIT 1 OFFSET ?")
      .get(EXPIRED - 1) as { t: number }
  ).t;
  const cutoff = at + 1;
  const expired = (
    db.prepare("SELECT count(*) AS n FROM execution_logs WHERE executed_at < ?").get(cutoff) as { n: number }
  ).n;
  const indexes = (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'execution_logs' ORDER BY name")
      .all() as Array<{ name: string }>
  ).map((r) => r.name);
  db.close();
  return { total, cutoff, expired, indexes };
}

function rawSweep(source: string) {
  const dir = join(STATE_DIR, "sweep-raw");
  rmSync(dir, { recursive: true, force: true });
  const copy = join(dir, "edgecron.sqlite");
  cpSync(source, copy);
  const { total, cutoff, expired, indexes } = cutoffFor(copy);
  const db = openDb(copy);
  const del = db.prepare(DELETE_CHUNK);
  const chunks: number[] = [];
  let deleted = 0;
  const t0 = now();
  for (;;) {
    const t = now();
    const n = Number(del.run(cutoff, CHUNK).changes);
    chunks.push(now() - t);
    deleted += n;
    if (n < CHUNK) break;
  }
  const totalMs = now() - t0;
  const left = (db.prepare("SELECT count(*) AS n FROM execution_logs").get() as { n: number }).n;
  const pragmas = {
    journal_mode: (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
    synchronous: (db.prepare("PRAGMA synchronous").get() as { synchronous: number }).synchronous,
  };
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const sorted = [...chunks].sort((a, b) => a - b);
  const res = {
    rows_before: total,
    expired,
    deleted,
    rows_after: left,
    indexes_on_execution_logs: indexes,
    sql: DELETE_CHUNK,
    chunk: CHUNK,
    chunks: chunks.length,
    total_ms: round(totalMs, 0),
    rows_per_s: round(deleted / (totalMs / 1000), 0),
    chunk_ms: {
      min: round(sorted[0] ?? 0, 1),
      p50: round(percentile(sorted, 50), 1),
      p90: round(percentile(sorted, 90), 1),
      max: round(sorted.at(-1) ?? 0, 1),
    },
    chunks_over_target: chunks.filter((c) => c >= TARGET_CHUNK_MS).length,
    every_chunk_ms: chunks.map((c) => round(c, 1)),
    pragmas,
  };
  console.log(
    `  raw: deleted ${deleted.toLocaleString("en")} of ${total.toLocaleString("en")} in ${res.chunks} chunks, ` +
      `${(totalMs / 1000).toFixed(1)} s → ${res.rows_per_s.toLocaleString("en")} rows/s; chunk p50 ${res.chunk_ms.p50} ms, ` +
      `slowest ${res.chunk_ms.max} ms`,
  );
  return { res, cutoff };
}

interface SweepLog {
  event: "retention_sweep";
  cutoff: string;
  expired_deleted: number;
  chunks: number;
  slowest_chunk_ms: number;
  complete: boolean;
  duration_ms: number;
}

async function workerSweep(cutoff: number) {
  const persist = join(STATE_DIR, "sweep-worker");
  rmSync(persist, { recursive: true, force: true });
  cpSync(join(STATE_DIR, "v3/d1"), join(persist, "v3/d1"), { recursive: true });
  // scheduledTime such that now − RETENTION_DAYS is exactly the cutoff: the same rows expire as in the raw run.
  const time = cutoff + RETENTION_DAYS * DAY_MS;
  try {
    return await withDev({ port: PORT, persistTo: persist }, async (dev) => {
      const from = dev.lines.length;
      const t = now();
      const res = await fetch(`${dev.base}/cdn-cgi/handler/scheduled?cron=17+3+*+*+*&time=${time}`);
      const wallMs = now() - t;
      const body = await res.text();
      const line = await dev.waitForLine((l) => l.includes('"event":"retention_sweep"'), 30_000, from);
      const log = JSON.parse(line.slice(line.indexOf("{"))) as SweepLog;
      const expectedCutoff = new Date(cutoff).toISOString();
      const out = {
        endpoint: `/cdn-cgi/handler/scheduled?cron=17+3+*+*+*&time=${time}`,
        response: `${res.status} ${body.trim()}`,
        wall_ms: round(wallMs, 0),
        cutoff_matches_raw_run: log.cutoff === expectedCutoff,
        log,
        rows_per_s: round(log.expired_deleted / (log.duration_ms / 1000), 0),
      };
      console.log(`  worker: ${JSON.stringify(log)}`);
      return out;
    });
  } finally {
    rmSync(persist, { recursive: true, force: true });
  }
}

async function main() {
  const source = d1File();
  checkpoint(source);
  const sizeMb = round(statSync(source).size / 1048576, 0);
  const t0 = now();
  const raw = rawSweep(source);
  let worker: unknown = null;
  try {
    worker = await workerSweep(raw.cutoff);
  } catch (e) {
    console.error(`  worker sweep failed: ${String(e)}`);
    worker = { error: String(e) };
  }
  writeResult("sweep", {
    command: commandLine(import.meta.filename),
    db_file_mb: sizeMb,
    target_chunk_ms: TARGET_CHUNK_MS,
    raw: raw.res,
    worker,
    total_s: round((now() - t0) / 1000, 1),
  });
}

if (isMain(import.meta.filename)) await main();
