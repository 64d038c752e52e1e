/**
 * The run ledger under load and faults (issue 11): 60 s × 64 connections of the load test's mixed reads while
 * ticks run 200 every-minute jobs through the **http executor** against a loopback target (bench/lib/target.ts)
 * where 20 % of the jobs hang until their 5 s timeout, 10 % of the run messages are delivered twice (half of them
 * in the same sendBatch, so usually in one consumer batch: concurrently) and 5 % of the sends fail once
 * (bench/lib/fault-worker.ts wraps the Worker's bindings; src/ is unchanged). Then the drain, and the checks:
 * claimed slots, logs, target calls as the target counted them, lost slots, duplicated target calls, and the
 * start lateness of healthy and hanging jobs.
 *
 * Before the load, with faults off, three small phases measure the ledger's cost in D1 rows written per
 * execution, per kind of statement (claim, ledger insert, lease, record, follow-ups), from workerd's own
 * `meta.rows_written` — see fault-worker.ts.
 *
 * Clock: the ticks walk a simulated clock, as bench/soak.ts does, on slots three days back: nothing else in the
 * bench's database is due that early, so only this test's jobs are claimed. A log's scheduled_at is that
 * simulated slot, so the start lateness is executed_at − scheduled_at with the simulated clock's offset removed,
 * i.e. executed_at − the real instant the slot's tick was fired — what executed_at − scheduled_at is in
 * production when the Cron Trigger fires on the minute.
 *
 *   npx tsx bench/ledger-load.ts        (after bench/seed-million.ts)
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { buildNewJob } from "../src/jobs/build";
import { CreateJobSchema } from "../src/jobs/schemas";
import {
  type BenchAccount,
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
  percentile,
  ROOT,
  readMeta,
  round,
  STATE_DIR,
  writeResult,
} from "./lib/common";
import type { BatchRecord, BenchState, StatementStats } from "./lib/fault-worker";
import { startTarget, type TargetServer } from "./lib/target";
import { type DevServer, sleep, withDev } from "./lib/wrangler-dev";
import { insertAccounts, jobInsert, removeAccounts } from "./seed-million";
import { ERROR_LINE, mixedReads } from "./soak";

const PORT = 8790;
const CONNECTIONS = 64;
/** LEDGER_DURATION_S / LEDGER_TICKS shorten a trial run; the figures in RESULTS.md use the defaults. */
const DURATION_S = Number(process.env.LEDGER_DURATION_S ?? 60);
const JOBS = 200;
const PER_ACCOUNT = 100;
/** Every 5th job hangs: 20 %. */
const HANG_EVERY = 5;
const HANG_TIMEOUT_S = 5;
const OK_TIMEOUT_S = 10;
const RETRY_DELAY_S = 10;
const DUPLICATE_SHARE = 0.1;
const FAIL_SHARE = 0.05;
/** Simulated minutes the load's ticks claim, one every TICK_EVERY_MS while the reads run. */
const TICKS = Number(process.env.LEDGER_TICKS ?? 2);
const TICK_EVERY_MS = 30_000;
/** After the load, a tick (the relay, on the last slot: it claims nothing) every minute, as in production. */
const RELAY_EVERY_MS = 60_000;
const DRAIN_WAIT_S = 1_500;
/** The queue is quiet when no batch arrived for this long (longer than any `busy` redelivery delay). */
const QUIET_MS = 50_000;
const MINUTE = 60_000;
const LABEL = "Ledger account";
const ROWS_LABEL = "Ledger rows account";
const ROWS_JOBS = 20;
const TICK_PATH = "/cdn-cgi/handler/scheduled?cron=*+*+*+*+*";
const RUNS_QUEUE = "edgecron-runs";
const WRANGLER_LOG = join(STATE_DIR, "ledger-wrangler.log");

interface Job {
  id: string;
  accountId: string;
  hangs: boolean;
}

/** A rows-written phase: what its jobs do, and its simulated slot. */
interface RowsPhase {
  name: string;
  label: string;
  kind: "ok" | "fail";
  callbacks: boolean;
  maxRetries: number;
  slot: number;
  jobs: Job[];
  /** The previous phase's jobs again, at their next slot. */
  again?: boolean;
}

function jobRow(
  account: BenchAccount,
  i: number,
  o: { target: string; kind: "ok" | "hang" | "fail"; timeout: number; maxRetries: number; callbacks: boolean },
  created: number,
  slot: number,
) {
  const input = CreateJobSchema.parse({
    name: `Ledger job ${i}`,
    endpoint_url: `${o.target}/${o.kind}/pending`,
    method: "GET",
    timezone: "UTC",
    schedule_config: { cron: "* * * * *" },
    retry_config: { max_retries: o.maxRetries, retry_delay_seconds: RETRY_DELAY_S, timeout_seconds: o.timeout },
    ...(o.callbacks ? { callbacks: { success_url: `${o.target}/callback`, failure_url: `${o.target}/callback` } } : {}),
  });
  const row = buildNewJob(account.account_id, input, created);
  return { ...row, endpointUrl: `${o.target}/${o.kind}/${row.id}`, nextRunAt: slot };
}

/**
 * The test's accounts and jobs, inserted while wrangler is stopped: the load's JOBS every-minute jobs due at
 * `base + 10 min`, and the rows phases' jobs due at `base` + 0, 2 and 3 min (each phase's jobs are
 * deleted through the API after it, so the next phase's tick claims only its own; "plain-again" runs the "plain"
 * jobs' next slot, when their log_counts rows exist).
 */
async function prepare(target: string) {
  const db = openDb(d1File());
  const columns = new Set(
    (db.prepare("PRAGMA table_info(cron_jobs)").all() as Array<{ name: string }>).map((c) => c.name),
  );
  db.exec("BEGIN");
  removeAccounts(db, LABEL);
  removeAccounts(db, ROWS_LABEL);
  // The removed accounts' ledger (runs: by account number) and outbox.
  db.exec("DELETE FROM runs WHERE account NOT IN (SELECT num FROM accounts)");
  db.exec("DELETE FROM outbox WHERE account_id NOT IN (SELECT id FROM accounts)");
  // Unfinished runs other benches left (tick's and soak's retries: their queue messages died with their wrangler dev,
  // local queues being in memory). The relay would run them during this bench's phases, and their rows would be
  // counted as this bench's executions'.
  db.exec("DELETE FROM runs WHERE state IN (0, 1)"); // queued, running (src/db/schema.ts runStates)
  const base = Math.floor(Date.now() / MINUTE) * MINUTE - 3 * 86_400_000;
  const loadSlot = base + 10 * MINUTE;
  const created = base - 86_400_000;
  const accounts = await insertAccounts(db, JOBS / PER_ACCOUNT, LABEL, created);
  const jobs: Job[] = [];
  for (let i = 0; i < JOBS; i++) {
    const account = accounts[Math.floor(i / PER_ACCOUNT)] as BenchAccount;
    const hangs = i % HANG_EVERY === 0;
    const row = jobRow(
      account,
      i,
      {
        target,
        kind: hangs ? "hang" : "ok",
        timeout: hangs ? HANG_TIMEOUT_S : OK_TIMEOUT_S,
        maxRetries: 1,
        callbacks: true,
      },
      created,
      loadSlot,
    );
    const ins = jobInsert(row, columns);
    db.prepare(ins.sql).run(...ins.params);
    jobs.push({ id: row.id, accountId: account.account_id, hangs });
  }
  const [rowsAccount] = await insertAccounts(db, 1, ROWS_LABEL, created);
  const plainJobs: Job[] = [];
  const phases: RowsPhase[] = [
    {
      name: "plain",
      label: "success, no callback (the job's first log of the day)",
      kind: "ok",
      callbacks: false,
      maxRetries: 0,
      slot: base,
      jobs: plainJobs,
    },
    {
      name: "plain-again",
      label: "the same jobs' next slot (their log_counts rows exist)",
      kind: "ok",
      callbacks: false,
      maxRetries: 0,
      slot: base + MINUTE,
      jobs: plainJobs,
      again: true,
    },
    {
      name: "callback",
      label: "success + callback (notify attempt)",
      kind: "ok",
      callbacks: true,
      maxRetries: 0,
      slot: base + 2 * MINUTE,
      jobs: [],
    },
    {
      name: "retry",
      label: "failure, one retry, callback per attempt",
      kind: "fail",
      callbacks: true,
      maxRetries: 1,
      slot: base + 3 * MINUTE,
      jobs: [],
    },
  ];
  for (const phase of phases) {
    if (phase.again) continue;
    for (let i = 0; i < ROWS_JOBS; i++) {
      const row = jobRow(
        rowsAccount as BenchAccount,
        i,
        { target, kind: phase.kind, timeout: OK_TIMEOUT_S, maxRetries: phase.maxRetries, callbacks: phase.callbacks },
        created,
        phase.slot,
      );
      // Retries 1 s apart, so the phase drains quickly.
      const ins = jobInsert({ ...row, retryDelaySeconds: 1 }, columns);
      db.prepare(ins.sql).run(...ins.params);
      phase.jobs.push({ id: row.id, accountId: row.accountId, hangs: false });
    }
  }
  // Nothing else may be due at the test's ticks: they claim every due job of the database.
  const mine = [...accounts, rowsAccount as BenchAccount].map((a) => a.account_id);
  const others = (
    db
      .prepare(
        `SELECT count(*) AS n FROM cron_jobs WHERE is_active = 1 AND deleted_at IS NULL AND next_run_at <= ?
         AND account_id NOT IN (${mine.map(() => "?").join(", ")})`,
      )
      .get(loadSlot + TICKS * MINUTE, ...mine) as { n: number }
  ).n;
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  if (others > 0) throw new Error(`${others} other jobs are due at the test's simulated slots`);
  return { base, loadSlot, accounts, rowsAccount: rowsAccount as BenchAccount, jobs, phases };
}

const get = async <T>(dev: DevServer, path: string): Promise<T> => (await (await fetch(dev.base + path)).json()) as T;
const post = (dev: DevServer, path: string, body: unknown = {}) =>
  fetch(dev.base + path, { method: "POST", body: JSON.stringify(body) }).then((r) => r.json());

/** Fires the dispatch cron with a simulated scheduled time; returns the real instant it was fired. */
async function tick(dev: DevServer, time: number) {
  const firedAt = Date.now();
  const res = await fetch(`${dev.base}${TICK_PATH}&time=${time}`);
  await res.text();
  return { firedAt, status: res.status, wallMs: Date.now() - firedAt };
}

function scalar(sql: string, ...params: Array<string | number>): number {
  const db = openDb(d1File(), { readOnly: true });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}
const inList = (ids: string[]) => `(${ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(", ")})`;

/** Unfinished ledger rows and unsent outbox entries of these accounts. */
const pending = (accountIds: string[]) =>
  scalar(
    `SELECT count(*) AS n FROM run_ledger WHERE state IN ('queued', 'running') AND account_id IN ${inList(accountIds)}`,
  ) + scalar(`SELECT count(*) AS n FROM outbox WHERE account_id IN ${inList(accountIds)}`);

/** Waits until the accounts' runs are all finished and no queue batch arrived for `quietMs`; fires relay ticks meanwhile. */
async function drain(
  dev: DevServer,
  accountIds: string[],
  opts: { quietMs: number; relayTime: number; relayEveryMs: number; maxS: number; expectedRuns: number },
) {
  const started = now();
  let lastRelay = Date.now();
  let relays = 0;
  for (;;) {
    const state = await get<BenchState>(dev, "/__bench/state");
    const running = state.batches.some((b) => b.finished_at === 0);
    const lastBatch = running ? Date.now() : Math.max(0, ...state.batches.map((b) => b.finished_at));
    const runs = scalar(`SELECT count(*) AS n FROM run_ledger WHERE account_id IN ${inList(accountIds)}`);
    const open = pending(accountIds);
    if (runs >= opts.expectedRuns && open === 0 && Date.now() - lastBatch > opts.quietMs) break;
    if (now() - started > opts.maxS * 1000) throw new Error(`not drained after ${opts.maxS} s: ${open} pending`);
    if (Date.now() - lastRelay >= opts.relayEveryMs) {
      await tick(dev, opts.relayTime);
      lastRelay = Date.now();
      relays++;
    }
    await sleep(1_000);
  }
  return { seconds: round((now() - started) / 1000, 1), relays };
}

const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? (s.at(-1) as number) : NaN };
};

/** Statement kinds of the engine's run path (everything but reads and the API's own writes). */
const engineKind = (k: string) => k !== "reads" && !k.startsWith("api:") && !k.startsWith("other:");

function rowsOf(statements: Record<string, StatementStats>, executions: number) {
  const kinds = Object.entries(statements)
    .filter(([k]) => engineKind(k))
    .map(([kind, s]) => ({
      kind,
      statements: s.statements,
      rows_written: s.rows_written,
      per_execution: round(s.rows_written / Math.max(1, executions), 2),
      sample: s.sample,
    }))
    .sort((a, b) => a.kind.localeCompare(b.kind));
  const total = kinds.reduce((a, k) => a + k.rows_written, 0);
  const others = Object.entries(statements)
    .filter(([k]) => !engineKind(k) && k !== "reads")
    .map(([kind, s]) => ({ kind, statements: s.statements, rows_written: s.rows_written }));
  return { executions, kinds, total, per_execution: round(total / Math.max(1, executions), 2), others };
}

async function rowsPhases(dev: DevServer, prepared: Awaited<ReturnType<typeof prepare>>) {
  const out = [];
  const acc = prepared.rowsAccount;
  const headers = { "x-api-key": acc.api_key, "x-api-secret": acc.api_secret };
  for (const [i, phase] of prepared.phases.entries()) {
    await post(dev, "/__bench/reset");
    const t = await tick(dev, phase.slot);
    const perSlot = phase.kind === "fail" ? phase.maxRetries + 1 : 1;
    const expected = phase.jobs.length * perSlot;
    const ids = phase.jobs.map((j) => j.id);
    const before = phase.again ? phase.jobs.length : 0;
    const logs = () => scalar(`SELECT count(*) AS n FROM execution_logs WHERE cron_job_id IN ${inList(ids)}`) - before;
    const started = now();
    while (logs() < expected && now() - started < 120_000) await sleep(500);
    await drain(dev, [acc.account_id], {
      quietMs: 3_000,
      relayTime: phase.slot,
      relayEveryMs: 3_600_000,
      maxS: 120,
      expectedRuns: 0,
    });
    const state = await get<BenchState>(dev, "/__bench/state");
    const executions = logs();
    out.push({
      name: phase.name,
      label: phase.label,
      jobs: phase.jobs.length,
      tick_status: t.status,
      ...rowsOf(state.statements, executions),
    });
    // Out of the next phase's ticks (its jobs are due again a minute later), unless it runs them again.
    if (prepared.phases[i + 1]?.again) continue;
    for (const id of ids) {
      await fetch(`${dev.base}/v1/cron-jobs/${acc.account_id}/delete/${id}`, { method: "DELETE", headers });
    }
  }
  return out;
}

async function main() {
  const meta = readMeta();
  const t0 = now();
  const target = await startTarget();
  try {
    await run(meta, target, t0);
  } finally {
    await target.close();
  }
}

async function run(meta: ReturnType<typeof readMeta>, target: TargetServer, t0: number) {
  const prepared = await prepare(target.base);
  const accountIds = prepared.accounts.map((a) => a.account_id);
  const hanging = new Set(prepared.jobs.filter((j) => j.hangs).map((j) => j.id));
  console.log(
    `  ${JOBS} every-minute jobs (${hanging.size} hanging until their ${HANG_TIMEOUT_S} s timeout) against ${target.base}; ` +
      `rows phases: ${prepared.phases.map((p) => p.name).join(", ")}`,
  );
  const bundle = ensureBundle({ faults: true });
  const config = benchWranglerConfig({ limiter: "raised", faults: true });
  const vars = { EXECUTOR: "http", ALLOW_PRIVATE_TARGETS: "true", CALLBACKS: "record" };

  const result = await withDev({ port: PORT, config: config.path, vars }, async (dev) => {
    // wrangler's output, kept as it comes (bench/.state/ledger-wrangler.log) for a look after the run.
    let written = 0;
    const flush = () => {
      appendFileSync(
        WRANGLER_LOG,
        dev.lines
          .slice(written)
          .map((l) => `${l}\n`)
          .join(""),
      );
      written = dev.lines.length;
    };
    writeFileSync(WRANGLER_LOG, "");
    const flusher = setInterval(flush, 1_000);
    try {
      return await underDev(dev);
    } finally {
      clearInterval(flusher);
      flush();
    }
  });
  async function underDev(dev: DevServer) {
    const params = { 100: await get(dev, "/__bench/params?n=100"), 101: await get(dev, "/__bench/params?n=101") };
    // 1. Rows written per execution, faults off.
    await post(dev, "/__bench/faults", { duplicate: 0, fail: 0 });
    const rows = await rowsPhases(dev, prepared);
    for (const r of rows) console.log(`  rows written per execution, ${r.label}: ${r.per_execution}`);

    // 2. The load with faults on.
    await post(dev, "/__bench/reset");
    await post(dev, "/__bench/faults", { duplicate: DUPLICATE_SHARE, fail: FAIL_SHARE, delay_seconds: 3 });
    const reads = await mixedReads(dev.base, meta, prepared.accounts[0] as BenchAccount, prepared.jobs[1]?.id ?? "");
    const from = dev.lines.length;
    const loadavgBefore = loadavg().map((x) => round(x, 2));
    const cpu0 = groupCpuMs(dev.pgid);
    const fired: Array<{ slot: number; firedAt: number; status: number; wallMs: number }> = [];
    const loadStart = Date.now();
    const ticking = (async () => {
      for (let k = 0; k < TICKS; k++) {
        await sleep(Math.max(0, loadStart + k * TICK_EVERY_MS - Date.now()));
        const slot = prepared.loadSlot + k * MINUTE;
        fired.push({ slot, ...(await tick(dev, slot)) });
      }
    })();
    const load = await autocannon({
      url: dev.base,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests: reads.map((r) => ({ method: "GET", path: r.path, headers: r.headers })),
    });
    await ticking;
    const loadCpuS = round((groupCpuMs(dev.pgid) - cpu0) / 1000, 1);
    const loadavgAfterLoad = loadavg().map((x) => round(x, 2));
    const lastSlot = prepared.loadSlot + (TICKS - 1) * MINUTE;
    const drained = await drain(dev, accountIds, {
      quietMs: QUIET_MS,
      relayTime: lastSlot,
      relayEveryMs: RELAY_EVERY_MS,
      maxS: DRAIN_WAIT_S,
      expectedRuns: JOBS * TICKS,
    });
    const state = await get<BenchState>(dev, "/__bench/state");
    const lines = dev.lines.slice(from);
    const events = lines
      .filter((l) => l.includes('"event":"run"') || l.includes('"event":"dead_run"'))
      .map((l) => JSON.parse(l.slice(l.indexOf("{"))) as { event: string; result: string });
    const results: Record<string, number> = {};
    for (const e of events) results[`${e.event}:${e.result}`] = (results[`${e.event}:${e.result}`] ?? 0) + 1;
    const injected = (l: string) => l.includes("bench: injected send failure");
    const errorLines = lines.filter((l) => ERROR_LINE.test(l));
    return {
      params,
      rows,
      fired,
      state,
      load: {
        ...loadSummary(load, loadCpuS),
        loadavg_before: loadavgBefore,
        loadavg_after: loadavgAfterLoad,
      },
      reads: reads.map((r) => r.path),
      drain: { ...drained, loadavg_after: loadavg().map((x) => round(x, 2)) },
      deliveries: results,
      worker_error_lines: errorLines.length,
      worker_error_lines_injected: errorLines.filter(injected).length,
      worker_error_sample: errorLines.filter((l) => !injected(l)).slice(0, 5),
      relay_lines: lines.filter((l) => l.includes('"event":"relay"')).length,
      dispatch_enqueue_failed: lines.filter((l) => l.includes("dispatch_enqueue_failed")).length,
      reloads: dev.reloads(),
    };
  }

  // ---- with wrangler stopped: the checks on the SQLite file and the target's own counts.
  const db = openDb(d1File(), { readOnly: true });
  const accs = inList(accountIds);
  const jobRows = db
    .prepare(`SELECT id, occurrences, total_executions FROM cron_jobs WHERE account_id IN ${accs}`)
    .all() as Array<{ id: string; occurrences: number; total_executions: number }>;
  const logs = db
    .prepare(
      `SELECT id, cron_job_id, executed_at, scheduled_at, retry_attempt, status, "trigger" FROM execution_logs
       WHERE account_id IN ${accs}`,
    )
    .all() as Array<{
    id: string;
    cron_job_id: string;
    executed_at: number;
    scheduled_at: number | null;
    retry_attempt: number;
    status: string;
    trigger: string;
  }>;
  const runs = db
    .prepare(`SELECT id, job_id, slot, attempt, state, leases FROM run_ledger WHERE account_id IN ${accs}`)
    .all() as Array<{ id: string; job_id: string; slot: number; attempt: number; state: string; leases: number }>;
  db.close();

  const claimedSlots = jobRows.reduce((a, j) => a + j.occurrences, 0);
  const logIds = new Set(logs.map((l) => l.id));
  const firstAttempts = runs.filter((r) => r.attempt === 0);
  const slotsWithFirstLog = firstAttempts.filter((r) => logIds.has(r.id)).length;
  const unfinished = runs.filter((r) => r.state !== "done").length;
  const runsWithoutLog = runs.filter((r) => !logIds.has(r.id)).length;
  const multiLease = runs.filter((r) => r.leases > 1).length;
  // Every slot ends with a final outcome: its last attempt's log is a success or has no retry after it.
  const byJob = new Map<string, typeof logs>();
  for (const l of logs) byJob.set(l.cron_job_id, [...(byJob.get(l.cron_job_id) ?? []), l]);
  let duplicatedCalls = 0;
  let callsWithoutLog = 0;
  let logsWithoutCall = 0;
  let maxMatchMs = 0;
  let counterMismatch = 0;
  let calls = 0;
  for (const j of jobRows) {
    const jobLogs = (byJob.get(j.id) ?? []).map((l) => l.executed_at).sort((a, b) => a - b);
    const jobCalls = [...(target.calls.get(j.id) ?? [])].sort((a, b) => a - b);
    calls += jobCalls.length;
    duplicatedCalls += Math.max(0, jobCalls.length - jobLogs.length);
    logsWithoutCall += Math.max(0, jobLogs.length - jobCalls.length);
    if (jobCalls.length === jobLogs.length) {
      // Calls matched to logs by time: the i-th call of a job is its i-th log's execution.
      jobCalls.forEach((c, i) => {
        maxMatchMs = Math.max(maxMatchMs, Math.abs(c - (jobLogs[i] as number)));
      });
    }
    if (j.total_executions !== jobLogs.length) counterMismatch++;
  }
  callsWithoutLog = duplicatedCalls;
  const lost = claimedSlots - slotsWithFirstLog + unfinished;

  // ---- lateness: executed_at − the real instant the slot's tick was fired, first attempts only.
  const firedAt = new Map(result.fired.map((f) => [f.slot, f.firedAt]));
  const lateness = (hangs: boolean) =>
    stat(
      logs
        .filter((l) => l.retry_attempt === 0 && l.scheduled_at !== null && hanging.has(l.cron_job_id) === hangs)
        .map((l) => l.executed_at - (firedAt.get(l.scheduled_at as number) ?? Number.NaN)),
    );
  const rawLateness = stat(
    logs
      .filter((l) => l.retry_attempt === 0 && l.scheduled_at !== null)
      .map((l) => l.executed_at - (l.scheduled_at ?? 0)),
  );

  // ---- in-batch: how long a healthy run waited inside its own batch, above all beside a hanging run.
  const logById = new Map(logs.map((l) => [l.id, l]));
  const runJob = new Map(runs.map((r) => [r.id, r.job_id]));
  const runBatches = result.state.batches.filter((b: BatchRecord) => b.queue === RUNS_QUEUE);
  const inBatchMixed: number[] = [];
  const inBatchAll: number[] = [];
  const inBatchClean: number[] = [];
  const queueWait: number[] = [];
  const mixedDurations: number[] = [];
  let mixedBatches = 0;
  let concurrentPairs = 0;
  for (const b of runBatches) {
    const ids = b.messages.filter((m) => m.type === "run" && m.run_id).map((m) => m.run_id as string);
    concurrentPairs += ids.length - new Set(ids).size;
    const hasHanging = ids.some((id) => hanging.has(runJob.get(id) ?? ""));
    const hasHealthy = ids.some((id) => !hanging.has(runJob.get(id) ?? ""));
    if (hasHanging && hasHealthy) {
      mixedBatches++;
      mixedDurations.push(b.finished_at - b.received_at);
    }
    for (const id of new Set(ids)) {
      const log = logById.get(id);
      if (!log || hanging.has(log.cron_job_id)) continue;
      // This delivery is the one that ran it when the log's start lies within the batch.
      if (log.executed_at < b.received_at || log.executed_at > b.finished_at) continue;
      const wait = log.executed_at - b.received_at;
      inBatchAll.push(wait);
      if (hasHanging) inBatchMixed.push(wait);
      else inBatchClean.push(wait);
      if (log.retry_attempt === 0 && log.scheduled_at !== null) {
        queueWait.push(b.received_at - (firedAt.get(log.scheduled_at) ?? Number.NaN));
      }
    }
  }

  const check = {
    jobs: jobRows.length,
    hanging_jobs: hanging.size,
    claimed_slots: claimedSlots,
    expected_slots: JOBS * TICKS,
    ledger_rows: runs.length,
    logs: logs.length,
    first_attempt_logs: logs.filter((l) => l.retry_attempt === 0).length,
    retry_logs: logs.filter((l) => l.retry_attempt > 0).length,
    status_mix: logs.reduce<Record<string, number>>((a, l) => {
      a[l.status] = (a[l.status] ?? 0) + 1;
      return a;
    }, {}),
    target_calls: calls,
    target_strays: target.strays,
    lost,
    unfinished_runs: unfinished,
    runs_without_log: runsWithoutLog,
    duplicated_target_calls: duplicatedCalls,
    calls_without_log: callsWithoutLog,
    logs_without_call: logsWithoutCall,
    runs_leased_more_than_once: multiLease,
    max_call_to_log_ms: maxMatchMs,
    counter_mismatch_jobs: counterMismatch,
  };
  const lateMs = {
    healthy: lateness(false),
    hanging: lateness(true),
    raw_executed_minus_scheduled_min_ms: rawLateness.n
      ? Math.min(...logs.map((l) => l.executed_at - (l.scheduled_at ?? 0)))
      : null,
  };
  const inBatch = {
    batches: runBatches.length,
    mean_batch_size: round(runBatches.reduce((a, b) => a + b.messages.length, 0) / Math.max(1, runBatches.length), 2),
    mixed_batches: mixedBatches,
    mixed_batch_ms: stat(mixedDurations),
    healthy_wait_beside_hanging_ms: stat(inBatchMixed),
    healthy_wait_any_batch_ms: stat(inBatchAll),
    healthy_wait_without_hanging_ms: stat(inBatchClean),
    healthy_wait_for_own_batch_ms: stat(queueWait),
    duplicate_pairs_in_one_batch: concurrentPairs,
  };
  const underLoad = rowsOf(result.state.statements, logs.length);
  // A tick's run messages: its slots, plus the share delivered twice.
  const model = await productionModel(Math.round(JOBS * (1 + DUPLICATE_SHARE)), inBatch);
  console.log(
    `  reads: ${result.load.requests.toLocaleString("en")} at ${result.load.req_per_s} req/s (p99 ${result.load.p99_ms} ms), ` +
      `non-2xx ${result.load.non2xx}, errors ${result.load.errors}; drained in ${result.drain.seconds} s`,
  );
  console.log(
    `  slots claimed ${check.claimed_slots}, logs ${check.logs}, target calls ${check.target_calls}, lost ${check.lost}, ` +
      `duplicated calls ${check.duplicated_target_calls}, counters ≠ logs ${check.counter_mismatch_jobs}`,
  );
  console.log(
    `  lateness healthy p50/p99/max ${lateMs.healthy.p50}/${lateMs.healthy.p99}/${lateMs.healthy.max} ms, hanging ` +
      `${lateMs.hanging.p50}/${lateMs.hanging.p99}/${lateMs.hanging.max} ms; in-batch beside a hanging run ` +
      `${inBatch.healthy_wait_beside_hanging_ms.p50}/${inBatch.healthy_wait_beside_hanging_ms.p99}/${inBatch.healthy_wait_beside_hanging_ms.max} ms`,
  );
  console.log(`  rows written per execution under the load (faults included): ${underLoad.per_execution}`);
  writeResult("ledger-load", {
    command: commandLine(import.meta.filename),
    bundle,
    wrangler_config: { path: config.path, changes: config.changes },
    vars,
    connections: CONNECTIONS,
    duration_s: DURATION_S,
    jobs: JOBS,
    hang_every: HANG_EVERY,
    hang_timeout_s: HANG_TIMEOUT_S,
    ok_timeout_s: OK_TIMEOUT_S,
    retry_delay_s: RETRY_DELAY_S,
    duplicate_share: DUPLICATE_SHARE,
    fail_share: FAIL_SHARE,
    ticks: TICKS,
    tick_every_ms: TICK_EVERY_MS,
    relay_every_ms: RELAY_EVERY_MS,
    quiet_ms: QUIET_MS,
    base: new Date(prepared.base).toISOString(),
    fired: result.fired,
    load: result.load,
    reads: result.reads,
    drain: result.drain,
    faults: result.state.counters,
    deliveries: result.deliveries,
    relay_lines: result.relay_lines,
    dispatch_enqueue_failed: result.dispatch_enqueue_failed,
    worker_error_lines: result.worker_error_lines,
    worker_error_lines_injected: result.worker_error_lines_injected,
    worker_error_sample: result.worker_error_sample,
    reloads: result.reloads,
    bound_parameters: result.params,
    check,
    lateness_ms: lateMs,
    in_batch: inBatch,
    model,
    rows_phases: result.rows,
    rows_under_load: underLoad,
    loadavg_end: loadavg1(),
    total_s: round((now() - t0) / 1000, 1),
    root: ROOT,
  });
}

/**
 * The README's production lateness model ("Lateness in production") for this test's tick, from wrangler.toml's
 * consumer settings and the consumer's in-flight bound: a tick's N runs need ceil(N / max_batch_size)
 * invocations; while that fits max_concurrency every run starts within max_batch_timeout plus its wait inside
 * its own batch (measured above); beyond, a run waits up to ceil(N / (max_concurrency × max_batch_size)) − 1 times
 * the longest timeout ahead of it.
 */
async function productionModel(n: number, inBatch: { healthy_wait_beside_hanging_ms: { p99: number; max: number } }) {
  const toml = readFileSync(`${ROOT}/wrangler.toml`, "utf8");
  const consumer =
    /\[\[queues\.consumers\]\]\s*\nqueue = "edgecron-runs"\n([\s\S]*?)(?=\n\[|\n#|$)/.exec(toml)?.[1] ?? "";
  const num = (key: string) => Number(new RegExp(`^${key}\\s*=\\s*(\\d+)`, "m").exec(consumer)?.[1] ?? Number.NaN);
  const batchSize = num("max_batch_size");
  const batchTimeoutS = num("max_batch_timeout");
  const concurrency = num("max_concurrency");
  const invocations = Math.ceil(n / batchSize);
  const waves = Math.ceil(n / (concurrency * batchSize));
  const startBoundMs = batchTimeoutS * 1000 + inBatch.healthy_wait_beside_hanging_ms.max;
  return {
    runs_per_tick: n,
    max_batch_size: batchSize,
    max_batch_timeout_s: batchTimeoutS,
    max_concurrency: concurrency,
    invocations,
    waves,
    healthy_start_bound_ms: waves <= 1 ? startBoundMs : null,
    hanging_start_bound_ms: waves <= 1 ? startBoundMs : null,
    extra_wait_beyond_capacity_s: waves <= 1 ? 0 : (waves - 1) * HANG_TIMEOUT_S,
  };
}

if (isMain(import.meta.filename)) await main();
