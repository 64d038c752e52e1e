/**
 * The retention sweep of 500,000 expired logs: src/retention/sweep.ts over node:sqlite on a copy, each chunk timed
 * (adaptive, the issue's fixed 10,000, a per-row delete trigger for comparison); then the Worker's own sweep cron.
 *   npx tsx bench/sweep.ts [--smoke]        (after bench/seed-million.ts)
 */
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SWEEP_CRON } from "../src/triggers";
import { importSrc, nodeD1, type RoundTrip } from "./lib/d1-node";
import * as h from "./lib/harness";
import { events, fireCron, withDev } from "./lib/wrangler-dev";

const [EXPIRED, ISSUE_CHUNK] = h.size([500_000, 10_000], [1_000, 100]);
const RETENTION_DAYS = 30; // wrangler.toml
const TARGET_MS = 250;
/** A per-row delete trigger like migration 0003's, on today's rollup: what the sweep's grouped UPDATE replaced. */
const ROW_TRIGGER = `CREATE TRIGGER bench_row_delete AFTER DELETE ON logs BEGIN
  UPDATE log_hours SET n = n - 1 WHERE job = OLD.job AND hour = OLD.executed_at / 3600000 AND status = OLD.status;
END`;
type Report = {
  cutoff: string;
  expired_deleted: number;
  chunks: number;
  slowest_chunk_ms: number;
  chunk_rows: { min: number; max: number };
  complete: boolean;
  duration_ms: number;
};
type Sweep = (
  db: unknown,
  o: { retentionDays: number; now: number; chunk?: number; budgetMs?: number },
) => Promise<Report>;

const source = h.d1File();
const checkpoint = h.openDb(source);
checkpoint.exec("PRAGMA wal_checkpoint(TRUNCATE)");
checkpoint.close();
// The cutoff that leaves exactly the oldest EXPIRED logs (or a few more on a tie) past retention.
const oldest = "SELECT executed_at AS n FROM logs ORDER BY executed_at LIMIT 1 OFFSET ?";
const cutoff = h.scalar(source, oldest, EXPIRED - 1) + 1;
const sweepNow = cutoff + RETENTION_DAYS * h.DAY_MS;
const { sweep } = await importSrc<{ sweep: Sweep }>("src/retention/sweep.ts");
const { createDb } = await importSrc<{ createDb: (d1: unknown) => unknown }>("src/db/client.ts");

/** sweep() on a copy of the file; a chunk is the round trip that deletes from logs. */
async function raw(label: string, chunk?: number, sql?: string) {
  const copy = join(h.STATE_DIR, "sweep-raw.sqlite");
  for (const f of [`${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true }); // a failed run's
  cpSync(source, copy);
  const db = h.openDb(copy);
  if (sql) db.exec(sql);
  const chunks: RoundTrip[] = [];
  const d1 = nodeD1(db, (t) => t.stmts.some((s) => /^\s*delete from "logs"/i.test(s.sql)) && chunks.push(t));
  const [loadavg, t0] = [h.loadavg1(), h.now()];
  const report = await sweep(createDb(d1), {
    retentionDays: RETENTION_DAYS,
    now: sweepNow,
    chunk,
    budgetMs: 3_600_000,
  });
  const ms = h.now() - t0;
  db.close();
  rmSync(copy);
  const [wall, cpu] = [h.dist(chunks.map((c) => c.ms)), h.dist(chunks.map((c) => c.cpuMs))];
  const [deleted, sizes] = [report.expired_deleted, `adaptive, ${report.chunk_rows.min}–${report.chunk_rows.max}`];
  const rate = { total_ms: Math.round(ms), rows_per_s: Math.round(deleted / (ms / 1000)), chunks: chunks.length };
  return {
    ...{ label, rows_per_chunk: chunk ? `${chunk} (fixed)` : sizes, deleted, ...rate },
    chunk_ms: `${h.round(wall.p50, 1)} / ${h.round(wall.p90, 1)} / ${h.round(wall.max, 1)}`,
    over_target: chunks.filter((c) => c.ms >= TARGET_MS).length,
    cpu_ms: `${h.round(cpu.p50, 1)} / ${h.round(cpu.max, 1)}`,
    loadavg,
    statements: chunks[0]?.stmts.map((s) => s.sql),
  };
}
const bundle = h.ensureBundle();
const runs = [
  await raw("Raw SQLite, as migrated"),
  await raw(`Raw SQLite, the issue's fixed ${ISSUE_CHUNK}-row chunks`, ISSUE_CHUNK),
  await raw("Raw SQLite, plus a per-row delete trigger (comparison only)", undefined, ROW_TRIGGER),
];

const persist = join(h.STATE_DIR, "sweep-worker");
rmSync(persist, { recursive: true, force: true });
cpSync(join(h.STATE_DIR, "v3"), join(persist, "v3"), { recursive: true });
const config = h.benchWranglerConfig({ limiter: "as-is" });
const worker = await withDev({ persistTo: persist, config: config.path }, async (dev) => {
  const [from, loadavg] = [dev.lines.length, h.loadavg1()];
  const fired = await fireCron(dev, SWEEP_CRON, sweepNow);
  const completes = () => events<Report>(dev, "retention_sweep", from).filter((l) => l.complete).length;
  await dev.waitForLine(() => completes() >= h.d1Files().shards.length, h.size(600_000, 120_000), from);
  const logs = events<Report>(dev, "retention_sweep", from).filter((l) => l.chunks > 0);
  const [deleted, ms] = [logs.reduce((a, l) => a + l.expired_deleted, 0), logs.reduce((a, l) => a + l.duration_ms, 0)];
  const rows = `${Math.min(...logs.map((l) => l.chunk_rows.min))}–${Math.max(...logs.map((l) => l.chunk_rows.max))}`;
  const label = `Worker, ${logs.length} sweep(s) (${fired.status} ${fired.body})`;
  const rate = { rows_per_s: Math.round(deleted / (ms / 1000)), chunks: h.sum(logs.map((l) => l.chunks)) };
  const same = logs[0]?.cutoff === new Date(cutoff).toISOString() && logs.at(-1)?.complete;
  const slowest = logs.map((l) => l.slowest_chunk_ms).join(" / ");
  const row = { label, rows_per_chunk: rows, deleted, total_ms: ms, ...rate, loadavg };
  return { ...row, reloads: dev.reloads(), slowest, same };
});
rmSync(persist, { recursive: true, force: true });

type Row = Partial<(typeof runs)[number] & typeof worker>;
const title = `Retention sweep of ${EXPIRED.toLocaleString("en")} expired logs (chunks ≥ ${TARGET_MS} ms counted)`;
h.writeResult("sweep", { bundle, expired: EXPIRED, cutoff, raw: runs, worker }, [
  h.table(title, [...runs, worker] as Row[], [
    ["Path", (r) => r.label],
    ["rows per chunk", (r) => r.rows_per_chunk],
    ["total ms", (r) => r.total_ms],
    ["rows/s", (r) => r.rows_per_s],
    ["chunks", (r) => r.chunks],
    ["chunk p50 / p90 / slowest ms", (r) => r.chunk_ms ?? r.slowest],
    ["chunks ≥ target", (r) => r.over_target],
    ["CPU per chunk p50 / max ms", (r) => r.cpu_ms],
    ["load avg", (r) => r.loadavg],
    ["Worker: same cutoff as raw, complete", (r) => r.same],
  ]),
]);
