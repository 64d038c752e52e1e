/**
 * The dispatch tick with 10,000 due jobs through `wrangler dev`, then the queue consumer's throughput: first attempts
 * polled on the served file, and miniflare's per-batch lines.
 *   npx tsx bench/tick.ts [--smoke]        (after bench/seed-million.ts)
 */
import { stripVTControlCharacters } from "node:util";
import type { TickReport } from "../src/engine/tick-report";
import * as h from "./lib/harness";
import { insertJobs } from "./lib/seed";
import { events, fireCron, withDev } from "./lib/wrangler-dev";

const [JOBS, PER_ACCOUNT, WAIT_S] = h.size([10_000, 100, 600], [20, 10, 120]);
const LABEL = "Tick account";
const OWN = `account IN (SELECT num FROM accounts WHERE name LIKE '${LABEL} %') AND executed_at >= ?`;

h.readMeta(); // the seed must exist
const dueBy = Date.now();
// Due a little before the tick, spread over the last minute as slots that fell due since the previous tick.
const created = dueBy - 7 * h.DAY_MS;
const nextRunAt = (r: () => number) => dueBy - 60_000 + Math.floor(r() * 59_000);
await insertJobs(LABEL, JOBS, PER_ACCOUNT, { seed: 11, created, nextRunAt });
const bundle = h.ensureBundle();
const config = h.benchWranglerConfig({ limiter: "as-is" });
const r = await withDev({ config: config.path }, async (dev) => {
  const reader = h.openDb(h.d1File(), true);
  const firsts = reader.prepare(
    `SELECT count(*) AS n, min(executed_at) AS a, max(executed_at) AS b FROM logs WHERE ${OWN} AND retry_attempt = 0`,
  );
  const [from, loadavg, cpu0] = [dev.lines.length, h.loadavg1(), h.groupCpuMs(dev.pgid)];
  const fired = await fireCron(dev, "* * * * *");
  await dev.waitForLine((l) => l.includes('"event":"dispatch_tick"'), 30_000, from);
  let row = { n: 0, a: 0, b: 0 };
  while (row.n < JOBS && Date.now() - fired.firedAt < WAIT_S * 1000) {
    await h.sleep(500);
    row = firsts.get(fired.firedAt) as typeof row;
  }
  const [doneS, cpuMs] = [(Date.now() - fired.firedAt) / 1000, h.groupCpuMs(dev.pgid) - cpu0];
  reader.close();
  // miniflare logs each delivered batch, "QUEUE edgecron-runs 4/4 (37ms)", and sends the next only when it is done.
  const batches = dev.lines.slice(from).flatMap((l) => {
    const m = /QUEUE edgecron-runs \d+\/(\d+) \((\d+)ms\)/.exec(stripVTControlCharacters(l));
    return m ? [{ size: Number(m[1]), ms: Number(m[2]) }] : [];
  });
  const [messages, batchMs] = [batches.reduce((a, b) => a + b.size, 0), batches.reduce((a, b) => a + b.ms, 0)];
  const tick = events<TickReport>(dev, "dispatch_tick", from)[0] as TickReport;
  const retried = `SELECT count(*) AS n FROM logs WHERE ${OWN} AND retry_attempt > 0`;
  const retries = h.scalar(h.d1File(), retried, fired.firedAt);
  return {
    "dispatch_tick duration_ms": tick.duration_ms,
    "due / claimed / enqueued": `${tick.due} / ${tick.claimed} / ${tick.enqueued}`,
    "scheduled request wall ms": fired.wall_ms,
    "first attempts recorded": row.n,
    "s from tick to the last": h.round(doneS, 1),
    "runs/s, tick → last": h.round(row.n / doneS, 1),
    "runs/s, first → last log": row.b > row.a ? h.round(row.n / ((row.b - row.a) / 1000), 1) : null,
    "retries recorded meanwhile": retries,
    "queue batches, mean size, mean ms": `${batches.length}, ${h.round(messages / batches.length, 1)}, ${h.round(batchMs / batches.length, 1)}`,
    "consumer ms per message": h.round(batchMs / messages, 2),
    "wrangler + workerd CPU ms per run": h.round(cpuMs / Math.max(1, row.n), 2),
    "load avg before": loadavg,
    reloads: dev.reloads(),
  };
});
const sql = `SELECT count(*) AS n FROM cron_jobs WHERE account_id IN (SELECT id FROM accounts WHERE name LIKE '${LABEL} %') AND occurrences = 1`;
const result = { ...r, "jobs claimed exactly once": h.scalar(h.d1File(), sql) };
h.writeResult("tick", { bundle, jobs: JOBS, figures: result }, [
  h.figures(`Dispatch tick of ${JOBS} due jobs and the queue consumer`, result),
]);
