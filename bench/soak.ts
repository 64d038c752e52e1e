/**
 * Load test: 60 s at 64 connections of API reads (logs pages, filters, a cursor page, account-wide logs, stats,
 * job details and lists) while the dispatch tick fires every 2 s and the queue consumer writes logs — then,
 * with everything drained, the two things that must hold: zero errors (no failed request, no 5xx, no error
 * line from the Worker) and zero lost executions (every slot a tick claimed has exactly one first-attempt log).
 *
 * The ticks walk a simulated clock (`time` = T0 + k minutes, one minute per tick) so that each tick makes every
 * soak job due again: JOBS every-minute jobs × TICKS ticks = the executions expected. A claimed slot is the
 * job's next_run_at when the tick claimed it; the consumer records it under executionId(job, slot, 0), so the
 * check is exact: the expected ids, computed here with the engine's own function, against the ids in D1.
 *
 *   npx tsx bench/soak.ts        (after bench/seed-million.ts)
 */
import autocannon from "autocannon";
import { mulberry32 } from "../src/engine/executors/mock";
import type { TickReport } from "../src/engine/tick-report";
import { buildNewJob } from "../src/jobs/build";
import { executionId } from "../src/lib/execution-id";
import {
  type BenchAccount,
  type BenchMeta,
  benchWranglerConfig,
  commandLine,
  d1File,
  ensureBundle,
  groupCpuMs,
  isMain,
  loadavg1,
  loadSummary,
  now,
  openDb,
  readMeta,
  round,
  writeResult,
} from "./lib/common";
import { sleep, withDev } from "./lib/wrangler-dev";
import { insertAccounts, jobInput, jobInsert, removeAccounts } from "./seed-million";

const PORT = 8788;
const CONNECTIONS = 64;
const DURATION_S = 60;
const JOBS = 200;
const PER_ACCOUNT = 100;
const TICKS = 30;
const TICK_EVERY_MS = 2_000;
const DRAIN_WAIT_S = 300;
const MINUTE = 60_000;
const LABEL = "Soak account";
/** Worker output that counts as an error: our error events, uncaught exceptions, wrangler's error lines. */
export const ERROR_LINE =
  /"event":"(queue_message_failed|dispatch_enqueue_failed|d1_error|unhandled_error|log_export_failed)"|Uncaught|\[ERROR\]|✘/;

/** JOBS every-minute jobs in fresh accounts, all due at T0 (two hours ago, minute-aligned). */
async function prepare() {
  const db = openDb(d1File());
  db.exec("BEGIN");
  removeAccounts(db, LABEL); // a previous run's
  const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 120 * MINUTE;
  const created = t0 - 86_400_000;
  const accounts = await insertAccounts(db, JOBS / PER_ACCOUNT, LABEL, created);
  const r = mulberry32(17);
  const jobs: Array<{ id: string; accountId: string }> = [];
  for (let i = 0; i < JOBS; i++) {
    const account = accounts[Math.floor(i / PER_ACCOUNT)] as (typeof accounts)[number];
    const input = { ...jobInput(r, i), timezone: "UTC", schedule_config: { cron: "* * * * *" } };
    const row = buildNewJob(account.account_id, input as ReturnType<typeof jobInput>, created);
    const ins = jobInsert({ ...row, nextRunAt: t0 });
    db.prepare(ins.sql).run(...ins.params);
    jobs.push({ id: row.id, accountId: account.account_id });
  }
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return { t0, accounts, jobs };
}

function firstAttempts(accountIds: string[]) {
  const db = openDb(d1File(), { readOnly: true });
  try {
    const marks = accountIds.map(() => "?").join(", ");
    return (
      db
        .prepare(`SELECT count(*) AS n FROM execution_logs WHERE retry_attempt = 0 AND account_id IN (${marks})`)
        .get(...accountIds) as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

/**
 * The load test's mix of API reads (also bench/ledger-load.ts's): the big job's logs (page 1, a status filter, a
 * cursor page), account-wide logs, and the load test's own account's logs, job details, list and stats.
 */
export async function mixedReads(
  base: string,
  meta: BenchMeta,
  account: BenchAccount,
  jobId: string,
): Promise<Array<{ path: string; headers: Record<string, string> }>> {
  const big = meta.bigJob;
  const bigAccount = meta.accounts.find((a) => a.account_id === big.accountId);
  if (!bigAccount) throw new Error("bench meta: the big job's account is missing");
  const bigHeaders = { "x-api-key": bigAccount.api_key, "x-api-secret": bigAccount.api_secret };
  const headers = { "x-api-key": account.api_key, "x-api-secret": account.api_secret };
  const bigLogs = `/v1/cron-jobs/${big.accountId}/logs/${big.id}`;
  const page1 = (await (await fetch(`${base}${bigLogs}?limit=50`, { headers: bigHeaders })).json()) as {
    pagination: { next_cursor: string };
  };
  const own = `/v1/cron-jobs/${account.account_id}`;
  return [
    { path: `${bigLogs}?limit=50`, headers: bigHeaders },
    { path: `${bigLogs}?limit=50&status=failure`, headers: bigHeaders },
    { path: `${bigLogs}?limit=50&cursor=${encodeURIComponent(page1.pagination.next_cursor)}`, headers: bigHeaders },
    { path: `/v1/cron-jobs/${big.accountId}/logs?limit=20`, headers: bigHeaders },
    { path: `${own}/logs?limit=20`, headers },
    { path: `${own}/logs/${jobId}?limit=20`, headers },
    { path: `${own}/details/${jobId}`, headers },
    { path: `${own}/list?limit=20`, headers },
    { path: `${own}/stats/${jobId}`, headers },
  ];
}

async function main() {
  const meta = readMeta();
  const t0 = now();
  const prepared = await prepare();
  const soakAccount = prepared.accounts[0] as (typeof prepared.accounts)[number];
  const soakJob = prepared.jobs[0] as (typeof prepared.jobs)[number];
  const accountIds = prepared.accounts.map((a) => a.account_id);
  console.log(
    `  ${JOBS} every-minute jobs in ${prepared.accounts.length} accounts, due from ${new Date(prepared.t0).toISOString()}`,
  );

  const bundle = ensureBundle();
  const config = benchWranglerConfig({ limiter: "raised" });
  const result = await withDev({ port: PORT, config: config.path }, async (dev) => {
    const reads = await mixedReads(dev.base, meta, soakAccount, soakJob.id);
    const from = dev.lines.length;
    const load1 = loadavg1();
    const cpu0 = groupCpuMs(dev.pgid);

    // Ticks on the simulated clock, one every TICK_EVERY_MS, alongside the reads.
    const tickResults: Array<{ k: number; status: number; wall_ms: number }> = [];
    const ticking = (async () => {
      for (let k = 0; k < TICKS; k++) {
        const started = now();
        const time = prepared.t0 + k * MINUTE;
        const res = await fetch(`${dev.base}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${time}`);
        await res.text();
        tickResults.push({ k, status: res.status, wall_ms: round(now() - started, 0) });
        await sleep(Math.max(0, TICK_EVERY_MS - (now() - started)));
      }
    })();
    const load = await autocannon({
      url: dev.base,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: reads.map((r) => ({ method: "GET", path: r.path, headers: r.headers })),
    });
    await ticking;
    const loadCpuMs = groupCpuMs(dev.pgid) - cpu0;

    // Drain: wait for the consumer to record every claimed slot's first attempt.
    const expected = JOBS * TICKS;
    const drainStart = now();
    let recorded = firstAttempts(accountIds);
    while (recorded < expected && now() - drainStart < DRAIN_WAIT_S * 1000) {
      await sleep(1_000);
      recorded = firstAttempts(accountIds);
    }
    const drainS = (now() - drainStart) / 1000;
    await sleep(2_000); // let the last batch's log lines arrive
    const lines = dev.lines.slice(from);
    const ticks = lines
      .filter((l) => l.includes('"event":"dispatch_tick"'))
      .map((l) => JSON.parse(l.slice(l.indexOf("{"))) as TickReport);
    const errorLines = lines.filter((l) => ERROR_LINE.test(l));
    return {
      load: {
        ...loadSummary(load, round(loadCpuMs / 1000, 1)),
        loadavg_before: load1,
      },
      reads: reads.map((r) => r.path),
      ticks: {
        fired: tickResults.length,
        non_200: tickResults.filter((t) => t.status !== 200).length,
        wall_ms_max: Math.max(...tickResults.map((t) => t.wall_ms)),
        logged: ticks.length,
        claimed: ticks.reduce((a, t) => a + t.claimed, 0),
        enqueued: ticks.reduce((a, t) => a + t.enqueued, 0),
        duration_ms_max: Math.max(0, ...ticks.map((t) => t.duration_ms)),
      },
      drain_s: round(drainS, 1),
      first_attempts_seen_while_running: recorded,
      worker_error_lines: errorLines.length,
      worker_error_sample: errorLines.slice(0, 5),
      reloads: dev.reloads(),
    };
  });

  // With wrangler stopped: every claimed slot against the first-attempt logs in D1, by execution id.
  const db = openDb(d1File(), { readOnly: true });
  const marks = accountIds.map(() => "?").join(", ");
  const jobs = db
    .prepare(`SELECT id, occurrences, next_run_at FROM cron_jobs WHERE account_id IN (${marks})`)
    .all(...accountIds) as Array<{ id: string; occurrences: number; next_run_at: number }>;
  const actual = new Set(
    (
      db
        .prepare(`SELECT id FROM execution_logs WHERE retry_attempt = 0 AND account_id IN (${marks})`)
        .all(...accountIds) as Array<{ id: string }>
    ).map((r) => r.id),
  );
  const retries = (
    db
      .prepare(`SELECT count(*) AS n FROM execution_logs WHERE retry_attempt > 0 AND account_id IN (${marks})`)
      .get(...accountIds) as { n: number }
  ).n;
  db.close();
  const expectedIds = new Set<string>();
  let claimedSlots = 0;
  let nextRunMismatch = 0;
  for (const job of jobs) {
    // Slots T0, T0 + 1 min, … : one per claim (occurrences counts claims), the last one before next_run_at.
    claimedSlots += job.occurrences;
    for (let k = 0; k < job.occurrences; k++) expectedIds.add(executionId(job.id, prepared.t0 + k * MINUTE, 0));
    if (job.next_run_at !== prepared.t0 + job.occurrences * MINUTE) nextRunMismatch++;
  }
  const missing = [...expectedIds].filter((id) => !actual.has(id));
  const unexpected = [...actual].filter((id) => !expectedIds.has(id));
  const check = {
    jobs: jobs.length,
    claimed_slots: claimedSlots,
    claimed_by_tick_logs: result.ticks.claimed,
    expected_first_attempts: JOBS * TICKS,
    first_attempt_logs: actual.size,
    missing: missing.length,
    unexpected: unexpected.length,
    missing_sample: missing.slice(0, 5),
    /** Jobs whose next_run_at is not the slot after their last claim. */
    next_run_at_mismatch: nextRunMismatch,
    retry_logs: retries,
    lost_executions: missing.length,
    exactly_once:
      missing.length === 0 &&
      unexpected.length === 0 &&
      nextRunMismatch === 0 &&
      claimedSlots === result.ticks.claimed &&
      actual.size === claimedSlots,
  };
  const errorsTotal =
    result.load.non2xx + result.load.errors + result.load.timeouts + result.ticks.non_200 + result.worker_error_lines;
  console.log(
    `  load: ${result.load.requests.toLocaleString("en")} reads at ${result.load.req_per_s} req/s (p50 ${result.load.p50_ms} ms, ` +
      `p99 ${result.load.p99_ms} ms), non-2xx ${result.load.non2xx}, errors ${result.load.errors}, timeouts ${result.load.timeouts}`,
  );
  console.log(
    `  ticks: ${result.ticks.fired} fired (${result.ticks.non_200} not 200), claimed ${result.ticks.claimed}; drained in ${result.drain_s} s; ` +
      `worker error lines ${result.worker_error_lines}`,
  );
  console.log(
    `  executions: ${check.claimed_slots} claimed slots, ${check.first_attempt_logs} first-attempt logs, missing ${check.missing}, ` +
      `unexpected ${check.unexpected} → exactly once: ${check.exactly_once ? "yes" : "NO"}; errors in all: ${errorsTotal}`,
  );
  writeResult("soak", {
    command: commandLine(import.meta.filename),
    bundle,
    wrangler_config: { path: config.path, changes: config.changes },
    connections: CONNECTIONS,
    duration_s: DURATION_S,
    jobs: JOBS,
    ticks_planned: TICKS,
    tick_every_ms: TICK_EVERY_MS,
    t0: new Date(prepared.t0).toISOString(),
    ...result,
    check,
    errors_total: errorsTotal,
    total_s: round((now() - t0) / 1000, 1),
  });
}

if (isMain(import.meta.filename)) await main();
