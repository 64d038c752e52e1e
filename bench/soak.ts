/**
 * Load test: mixed API reads while ticks on a simulated clock make every soak job due each minute; after the drain,
 * every claimed slot's execution id (the engine's executionId) against the first-attempt logs. Target: no error, none lost.
 *   npx tsx bench/soak.ts [--smoke]        (after bench/seed-million.ts)
 */
import autocannon from "autocannon";
import type { TickReport } from "../src/engine/tick-report";
import { executionId } from "../src/lib/execution-id";
import * as h from "./lib/harness";
import { insertJobs, mixedReads } from "./lib/seed";
import { ERROR_LINE, events, fireCron, withDev } from "./lib/wrangler-dev";

const [CONNECTIONS, DURATION_S, JOBS, PER_ACCOUNT, TICKS] = h.size([64, 60, 200, 100, 30], [4, 5, 20, 10, 3]);
const LABEL = "Soak account";
const OWN = `account_id IN (SELECT id FROM accounts WHERE name LIKE '${LABEL} %')`;

h.readMeta();
const t0 = Math.floor(Date.now() / h.MINUTE) * h.MINUTE - 120 * h.MINUTE;
const input = { timezone: "UTC", schedule_config: { cron: "* * * * *" } };
const options = { seed: 17, created: t0 - h.DAY_MS, nextRunAt: () => t0, input };
const { accounts, jobs } = await insertJobs(LABEL, JOBS, PER_ACCOUNT, options);
const firstAttempts = () =>
  h.scalar(h.d1File(), `SELECT count(*) AS n FROM execution_logs WHERE retry_attempt = 0 AND ${OWN}`);
const bundle = h.ensureBundle();
const config = h.benchWranglerConfig({ limiter: "raised" });
const run = await withDev({ config: config.path }, async (dev) => {
  const requests = await mixedReads(dev.base, accounts[0] as h.BenchAccount, jobs[0] as string);
  const [from, loadavg, cpu0] = [dev.lines.length, h.loadavg1(), h.groupCpuMs(dev.pgid)];
  const fired: Array<Awaited<ReturnType<typeof fireCron>>> = [];
  const ticking = (async () => {
    for (let k = 0; k < TICKS; k++, await h.sleep(2_000 - (fired.at(-1)?.wall_ms ?? 0)))
      fired.push(await fireCron(dev, "* * * * *", t0 + k * h.MINUTE));
  })();
  const load = await autocannon({ url: dev.base, connections: CONNECTIONS, duration: DURATION_S, requests });
  await ticking;
  const cpuS = h.round((h.groupCpuMs(dev.pgid) - cpu0) / 1000, 1);
  const drain = h.now();
  while (firstAttempts() < JOBS * TICKS && h.now() - drain < 300_000) await h.sleep(1_000);
  const drainS = h.round((h.now() - drain) / 1000, 1);
  await h.sleep(2_000); // the last batch's log lines
  const ticks = events<TickReport>(dev, "dispatch_tick", from);
  const errors = dev.lines.slice(from).filter((l) => ERROR_LINE.test(l));
  return { load: { ...h.loadSummary(load, cpuS), loadavg }, fired, ticks, drainS, errors, reloads: dev.reloads() };
});

// With wrangler stopped: every claimed slot (T0, T0 + 1 min, …: one per occurrence) against the logs, by id.
const db = h.openDb(h.d1File(), true);
type Job = { id: string; n: number; next: number };
const rows = db.prepare(`SELECT id, occurrences AS n, next_run_at AS next FROM cron_jobs WHERE ${OWN}`).all() as Job[];
const logIds = (cond: string) => db.prepare(`SELECT id FROM execution_logs WHERE ${cond} AND ${OWN}`).all() as Job[];
const ids = (cond: string) => logIds(cond).map((r) => r.id);
const [actual, retries] = [new Set(ids("retry_attempt = 0")), ids("retry_attempt > 0").length];
db.close();
const expected = new Set(
  rows.flatMap((j) => Array.from({ length: j.n }, (_, k) => executionId(j.id, t0 + k * h.MINUTE, 0))),
);
const claimed = rows.reduce((a, j) => a + j.n, 0);
const [missing, unexpected] = [
  [...expected].filter((id) => !actual.has(id)),
  [...actual].filter((id) => !expected.has(id)),
];
const nextRunMismatch = rows.filter((j) => j.next !== t0 + j.n * h.MINUTE).length;
const tickClaims = run.ticks.reduce((a, t) => a + t.claimed, 0);
const l = run.load;
const notOk = run.fired.filter((f) => f.status !== 200).length;
const result = {
  reads: l.reads,
  "status codes": l.status_codes,
  "non-2xx / connection errors / timeouts": `${l.non2xx} / ${l.errors} / ${l.timeouts}`,
  "wrangler + workerd CPU s during the load (load avg before)": `${l.cpu_s} (${l.loadavg})`,
  "ticks fired / not 200 / logged": `${run.fired.length} / ${notOk} / ${run.ticks.length}`,
  "slowest tick request / dispatch_tick ms": `${Math.max(...run.fired.map((f) => f.wall_ms))} / ${Math.max(0, ...run.ticks.map((t) => t.duration_ms))}`,
  "claimed / enqueued (dispatch_tick logs)": `${tickClaims} / ${run.ticks.reduce((a, t) => a + t.enqueued, 0)}`,
  "drain after the load, s": run.drainS,
  "claimed slots / expected (jobs × ticks)": `${claimed} / ${JOBS * TICKS}`,
  "first-attempt logs in D1": actual.size,
  "missing / unexpected execution ids": `${missing.length} / ${unexpected.length}`,
  "jobs whose next_run_at is not the slot after their last claim": nextRunMismatch,
  "retry logs": retries,
  "every claimed slot exactly once":
    missing.length + unexpected.length + nextRunMismatch === 0 && claimed === tickClaims && actual.size === claimed,
  "Worker error lines": run.errors.length,
  "errors in all": l.non2xx + l.errors + l.timeouts + notOk + run.errors.length,
  "Worker reloads": run.reloads,
};
const json = { bundle, t0: new Date(t0).toISOString(), reads: run.load, figures: result };
const samples = { missing_sample: missing.slice(0, 5), error_sample: run.errors.slice(0, 5) };
const title = `Load test: ${DURATION_S} s at ${CONNECTIONS} connections, ${TICKS} ticks of ${JOBS} every-minute jobs`;
h.writeResult("soak", { ...json, ...samples }, [h.figures(title, result)]);
