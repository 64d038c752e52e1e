/**
 * The dispatch tick with 10,000 due jobs (mock executor) through `wrangler dev --persist-to bench/.state`:
 * time to claim and enqueue (the Worker's own `dispatch_tick` log line, and the wall time of the
 * scheduled request that runs it: miniflare's `/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`, as the frozen bundle
 * has no `/__scheduled` middleware), then the queue consumer's throughput: the count of
 * execution_logs with retry_attempt = 0 written since the tick, polled on the same SQLite file with node:sqlite
 * until it reaches 10,000 or 120 s.
 *
 * The 10,000 jobs belong to 100 accounts of 100 jobs (MAX_ACTIVE_JOBS), are built with buildNewJob (schedule
 * and retry mix of the seed, no callbacks: nothing leaves the machine) and inserted while wrangler is stopped.
 * A rerun first removes the previous run's tick accounts.
 *
 *   npx tsx bench/tick.ts        (after bench/seed-million.ts)
 */

import { stripVTControlCharacters } from "node:util";
import { mulberry32 } from "../src/engine/executors/mock";
import type { TickReport } from "../src/engine/tick-report";
import { buildNewJob } from "../src/jobs/build";
import {
  benchWranglerConfig,
  commandLine,
  d1File,
  ensureBundle,
  groupCpuMs,
  isMain,
  loadavg1,
  now,
  openDb,
  readMeta,
  round,
  writeResult,
} from "./lib/common";
import { sleep, withDev } from "./lib/wrangler-dev";
import { insertAccounts, jobInput, jobInsert, removeAccounts } from "./seed-million";

const JOBS = 10_000;
const PER_ACCOUNT = 100;
/**
 * Locally miniflare delivers one batch at a time and waits for it (wrangler.toml's max_batch_size 4 since long
 * timeouts, issue 14), so 10,000 runs take minutes here; in production up to max_concurrency batches run at once.
 */
const WAIT_S = 600;
const PORT = 8788;
const TARGET_TICK_MS = 10_000;
const LABEL = "Tick account";
const TICK_ENDPOINT = "/cdn-cgi/handler/scheduled?cron=*+*+*+*+*";

async function prepareJobs() {
  const db = openDb(d1File());
  db.exec("BEGIN");
  removeAccounts(db, LABEL); // a previous run's
  const created = Date.now() - 7 * 86_400_000;
  const accounts = await insertAccounts(db, JOBS / PER_ACCOUNT, LABEL, created);
  const r = mulberry32(11);
  // Due a little before the tick: spread over the last minute, like jobs whose slots fell due since the last tick.
  const dueBy = Date.now();
  for (let i = 0; i < JOBS; i++) {
    const account = accounts[Math.floor(i / PER_ACCOUNT)] as (typeof accounts)[number];
    const row = buildNewJob(account.account_id, jobInput(r, i), created);
    const ins = jobInsert({ ...row, nextRunAt: dueBy - 60_000 + Math.floor(r() * 59_000) });
    db.prepare(ins.sql).run(...ins.params);
  }
  db.exec("COMMIT");
  const due = (
    db
      .prepare("SELECT count(*) AS n FROM cron_jobs WHERE is_active = 1 AND deleted_at IS NULL AND next_run_at <= ?")
      .get(dueBy) as { n: number }
  ).n;
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return { accounts: accounts.length, due };
}

async function main() {
  readMeta(); // the seed must exist
  const t0 = now();
  const prepared = await prepareJobs();
  console.log(`  ${prepared.due.toLocaleString("en")} jobs due across ${prepared.accounts} accounts`);
  if (prepared.due !== JOBS) throw new Error(`expected ${JOBS} due jobs, found ${prepared.due}`);

  const bundle = ensureBundle();
  const config = benchWranglerConfig({ limiter: "as-is" });
  const result = await withDev({ port: PORT, config: config.path }, async (dev) => {
    const reader = openDb(d1File(), { readOnly: true });
    // The tick accounts' logs through logs_account_time_idx: a count over every log since the tick (no index
    // leads with executed_at) read the whole million-log table twice a second and took the consumer's CPU.
    const tickLogs = `FROM logs WHERE account IN (SELECT num FROM accounts WHERE name LIKE '${LABEL} %') AND executed_at >= ?`;
    const firstRuns = reader.prepare(
      `SELECT count(*) AS n, min(executed_at) AS first, max(executed_at) AS last ${tickLogs} AND retry_attempt = 0`,
    );
    const retries = reader.prepare(`SELECT count(*) AS n ${tickLogs} AND retry_attempt > 0`);
    const from = dev.lines.length;
    const load1 = loadavg1();
    const cpu0 = groupCpuMs(dev.pgid);
    const tickStartedAt = Date.now();
    const t = now();
    // wrangler's /__scheduled is a middleware it adds when it bundles; the frozen bundle is served with no_bundle,
    // so the tick is fired through miniflare's own scheduled endpoint, which dispatches the same scheduled() event.
    const res = await fetch(`${dev.base}${TICK_ENDPOINT}`);
    const tickWallMs = now() - t;
    const body = await res.text();
    if (!res.ok) throw new Error(`${TICK_ENDPOINT} → ${res.status} ${body.slice(0, 300)}`);
    const line = await dev.waitForLine((l) => l.includes('"event":"dispatch_tick"'), 30_000, from);
    const tick = JSON.parse(line.slice(line.indexOf("{"))) as TickReport;
    console.log(`  tick: ${JSON.stringify(tick)} (request wall ${tickWallMs.toFixed(0)} ms)`);

    // Consumer: poll the count of first attempts recorded since the tick started.
    const series: Array<{ s: number; runs: number }> = [];
    let pollError: string | null = null;
    let runs = 0;
    let firstAt = 0;
    let lastAt = 0;
    const runLines = () => dev.lines.slice(from).filter((l) => l.includes('"event":"run"')).length;
    for (;;) {
      const elapsed = (Date.now() - tickStartedAt) / 1000;
      try {
        const row = firstRuns.get(tickStartedAt) as { n: number; first: number | null; last: number | null };
        runs = row.n;
        firstAt = row.first ?? 0;
        lastAt = row.last ?? 0;
      } catch (e) {
        // Fall back to the Worker's own per-message log lines if the file cannot be read concurrently.
        pollError = String(e);
        runs = runLines();
      }
      series.push({ s: round(elapsed, 1), runs });
      if (runs >= JOBS || elapsed >= WAIT_S) break;
      await sleep(500);
    }
    const doneAfterS = (Date.now() - tickStartedAt) / 1000;
    const cpuMs = groupCpuMs(dev.pgid) - cpu0;
    // miniflare's broker logs each delivered batch: "QUEUE edgecron-runs 25/25 (240ms)"; it sends the next batch
    // only when this one is done, so the per-message time is the local consumer's ceiling.
    const batches = dev.lines
      .slice(from)
      .map((l) => stripVTControlCharacters(l).match(/QUEUE \S+ (\d+)\/(\d+) \((\d+)ms\)/))
      .filter((m): m is RegExpMatchArray => m !== null)
      .map((m) => ({ acked: Number(m[1]), size: Number(m[2]), ms: Number(m[3]) }));
    const batchMessages = batches.reduce((a, b) => a + b.size, 0);
    const batchMs = batches.reduce((a, b) => a + b.ms, 0);
    const retried = (retries.get(tickStartedAt) as { n: number }).n;
    reader.close();
    const consumerSpanS = firstAt && lastAt > firstAt ? (lastAt - firstAt) / 1000 : null;
    return {
      tick,
      tick_wall_ms: round(tickWallMs, 0),
      loadavg_before: load1,
      first_attempts_recorded: runs,
      reached_all: runs >= JOBS,
      wait_s: WAIT_S,
      seconds_from_tick_to_last: round(doneAfterS, 1),
      runs_per_s_from_tick: round(runs / doneAfterS, 1),
      consumer_span_s: consumerSpanS === null ? null : round(consumerSpanS, 1),
      runs_per_s_consumer: consumerSpanS ? round(runs / consumerSpanS, 1) : null,
      retries_recorded_meanwhile: retried,
      queue_batches: {
        count: batches.length,
        messages: batchMessages,
        mean_size: batches.length ? round(batchMessages / batches.length, 1) : null,
        mean_ms: batches.length ? round(batchMs / batches.length, 1) : null,
        ms_per_message: batchMessages ? round(batchMs / batchMessages, 2) : null,
        not_acked: batches.reduce((a, b) => a + b.size - b.acked, 0),
      },
      cpu_ms_per_run: runs ? round(cpuMs / runs, 2) : null,
      cpu_s_total: round(cpuMs / 1000, 1),
      worker_run_lines: runLines(),
      poll_error: pollError,
      reloads: dev.reloads(),
      series: series.filter((_, i) => i % 4 === 0 || i === series.length - 1),
    };
  });

  // After wrangler stopped: what stayed in D1.
  const db = openDb(d1File(), { readOnly: true });
  const claimedAfter = (
    db
      .prepare(
        `SELECT count(*) AS n FROM cron_jobs WHERE account_id IN (SELECT id FROM accounts WHERE name LIKE '${LABEL} %') AND occurrences = 1`,
      )
      .get() as { n: number }
  ).n;
  db.close();
  console.log(
    `  consumer: ${result.first_attempts_recorded.toLocaleString("en")} first attempts in ${result.seconds_from_tick_to_last} s ` +
      `from the tick → ${result.runs_per_s_from_tick} runs/s (${result.runs_per_s_consumer ?? "?"} runs/s between first and last log)`,
  );
  writeResult("tick", {
    command: commandLine(import.meta.filename),
    bundle,
    endpoint: TICK_ENDPOINT,
    jobs: JOBS,
    accounts: prepared.accounts,
    target_tick_ms: TARGET_TICK_MS,
    ...result,
    jobs_claimed_once_in_d1: claimedAfter,
    total_s: round((now() - t0) / 1000, 1),
  });
}

if (isMain(import.meta.filename)) await main();
