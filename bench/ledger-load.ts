/**
 * The run ledger under load and injected faults (bench/lib/fault-worker.ts): the load test's reads while ticks run jobs
 * through the http executor against a loopback target where every 5th job hangs; then lost and duplicated runs, start
 * lateness (executed_at − the real instant the tick fired, the simulated clock removed), and D1 rows written per
 * execution by statement from phases before the load.
 *   npx tsx bench/ledger-load.ts [--smoke]        (after bench/seed-million.ts)
 */
import { readFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { buildNewJob } from "../src/jobs/build";
import { CreateJobSchema } from "../src/jobs/schemas";
import type { BenchState, StatementStats } from "./lib/fault-worker";
import * as h from "./lib/harness";
import { insertAccounts, jobInsert, mixedReads, removeAccounts } from "./lib/seed";
import { type DevServer, ERROR_LINE, fireCron, withDev } from "./lib/wrangler-dev";

const [CONNECTIONS, DURATION_S, JOBS, TICKS, ROWS_JOBS] = h.size([64, 60, 200, 2, 20], [4, 5, 20, 1, 4]);
/** After the load a relay tick every minute; quiet when no batch came for longer than any `busy` redelivery. */
const [RELAY_EVERY_MS, QUIET_MS] = h.size([60_000, 50_000], [10_000, 5_000]);
const [HANG_EVERY, HANG_TIMEOUT_S, RETRY_DELAY_S, TICK_EVERY_MS] = [5, 5, 10, 30_000]; // every 5th job hangs
const FAULTS = { duplicate: 0.1, fail: 0.05, delay_seconds: 3 };
const PHASES = [
  ["plain", "success, no callback (the job's first log of the day)", "ok", false, 0],
  ["plain-again", "the same jobs' next slot (their rollup rows exist)", "ok", false, 0],
  ["callback", "success + callback (notify attempt)", "ok", true, 0],
  ["retry", "failure, one retry, callback per attempt", "fail", true, 1],
] as const;
const LABEL = "Ledger account";

h.readMeta(); // the seed must exist
// The jobs' endpoint on 127.0.0.1, counting calls per job path: /ok 200, /fail 500, /hang never answers.
const [calls, open, strays] = [new Map<string, number[]>(), new Set<ServerResponse>(), { n: 0 }];
const server = createServer((req, res) => {
  const m = /^\/(ok|hang|fail)\/([\w-]+)$/.exec(req.url ?? "");
  req.resume();
  if (!m) strays.n++;
  else calls.set(m[2] as string, [...(calls.get(m[2] as string) ?? []), Date.now()]);
  if (m?.[1] === "hang") open.add(res.on("close", () => open.delete(res)));
  else res.writeHead(m ? (m[1] === "ok" ? 200 : 500) : 404).end();
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const target = { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
const base = Math.floor(Date.now() / h.MINUTE) * h.MINUTE - 3 * h.DAY_MS;
const loadSlot = base + 10 * h.MINUTE;

// ---- the jobs, while wrangler is stopped: the load's (due at loadSlot), each rows phase's (at base + k min)
const db = h.openDb(h.d1File());
const columns = h.columnsOf(db, "cron_jobs");
db.exec("BEGIN");
removeAccounts(db, LABEL);
db.exec("DELETE FROM runs WHERE state IN (0, 1)"); // other benches' unfinished runs (their queues died with them)
const accounts = await insertAccounts(db, Math.ceil(JOBS / 100) + 1, LABEL, base - h.DAY_MS);
const rowsAccount = accounts.pop() as h.BenchAccount;
/** A job with its own target path; the rows phases' retries 1 s apart, so each drains quickly. */
function insertJob(account: h.BenchAccount, kind: string, slot: number, retries = 1, callbacks = true) {
  const [cb, timeout] = [`${target.base}/callback`, kind === "hang" ? HANG_TIMEOUT_S : 10];
  const schedule = { timezone: "UTC", schedule_config: { cron: "* * * * *" } };
  const input = CreateJobSchema.parse({
    ...{ name: "Ledger job", method: "GET", endpoint_url: `${target.base}/${kind}/pending`, ...schedule },
    retry_config: { max_retries: retries, retry_delay_seconds: RETRY_DELAY_S, timeout_seconds: timeout },
    ...(callbacks ? { callbacks: { success_url: cb, failure_url: cb } } : {}),
  });
  const row = buildNewJob(account.account_id, input, base - h.DAY_MS);
  const delay = slot < loadSlot ? 1 : RETRY_DELAY_S;
  const at = { endpointUrl: `${target.base}/${kind}/${row.id}`, nextRunAt: slot, retryDelaySeconds: delay };
  const ins = jobInsert({ ...row, ...at }, columns);
  db.prepare(ins.sql).run(...ins.params);
  return row.id;
}
const hanging = new Set<string>();
for (let i = 0; i < JOBS; i++) {
  const hangs = i % HANG_EVERY === 0;
  const id = insertJob(accounts[Math.floor(i / 100)] as h.BenchAccount, hangs ? "hang" : "ok", loadSlot);
  if (hangs) hanging.add(id);
}
const phaseJob = (k: number) =>
  insertJob(rowsAccount, PHASES[k]?.[2] as string, base + k * h.MINUTE, PHASES[k]?.[4], PHASES[k]?.[3]);
const phaseJobs = PHASES.map((_, k) => Array.from({ length: k === 1 ? 0 : ROWS_JOBS }, () => phaseJob(k)));
phaseJobs[1] = phaseJobs[0] as string[]; // plain-again: the plain jobs' next slot
db.exec("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
db.close();
const OWN = `account_id IN (SELECT id FROM accounts WHERE name LIKE '${LABEL} %')`;

/** Engine statements only (not reads, not the API's own writes), rows written per execution. */
function rowsWritten(label: string, statements: Record<string, StatementStats>, executions: number) {
  const kinds = Object.entries(statements).filter(([k]) => k !== "reads" && !k.startsWith("api:"));
  const per = (n: number) => h.round(n / Math.max(1, executions), 2);
  const total = per(h.sum(kinds.map(([, s]) => s.rows_written)));
  return { label, executions, total, kinds: Object.fromEntries(kinds.map(([k, s]) => [k, per(s.rows_written)])) };
}
const state = async (dev: DevServer) => (await (await fetch(`${dev.base}/__bench/state`)).json()) as BenchState;
const post = (dev: DevServer, path: string, body = {}) =>
  fetch(dev.base + path, { method: "POST", body: JSON.stringify(body) });

/** Until the test's runs are finished, its outbox empty and no batch came for quietMs; relay ticks meanwhile. */
async function drain(dev: DevServer, quietMs: number, relaySlot: number, relayEveryMs: number) {
  const started = h.now();
  let [lastRelay, relays] = [Date.now(), 0];
  const open = `SELECT (SELECT count(*) FROM run_ledger WHERE state IN ('queued', 'running') AND ${OWN}) + (SELECT count(*) FROM outbox WHERE ${OWN}) AS n`;
  for (;;) {
    const batches = (await state(dev)).batches;
    const last = Math.max(0, ...batches.map((b) => b.finished_at || Date.now())); // 0: still running
    if (h.scalar(h.d1File(), open) === 0 && Date.now() - last > quietMs)
      return { seconds: h.round((h.now() - started) / 1000, 1), relays };
    if (h.now() - started > 1_500_000) throw new Error("not drained after 1,500 s");
    if (Date.now() - lastRelay >= relayEveryMs)
      [lastRelay, relays] = [(await fireCron(dev, "* * * * *", relaySlot)).firedAt, relays + 1];
    await h.sleep(1_000);
  }
}

const bundle = h.ensureBundle({ faults: true });
const config = h.benchWranglerConfig({ limiter: "raised", faults: true });
const vars = { EXECUTOR: "http", ALLOW_PRIVATE_TARGETS: "true", CALLBACKS: "record" };
const run = await withDev({ config: config.path, vars }, async (dev) => {
  const params = (n: number) => fetch(`${dev.base}/__bench/params?n=${n}`).then((r) => r.json());
  const bound = { 100: await params(100), 101: await params(101) };
  // 1. Rows written per execution, faults off: each phase's jobs ticked, drained, then deleted (unless run again).
  await post(dev, "/__bench/faults", { duplicate: 0, fail: 0 });
  const rows = [];
  for (const [k, [name, label, , , retries]] of PHASES.entries()) {
    const ids = (phaseJobs[k] as string[]).map((id) => `'${id}'`).join(",");
    await post(dev, "/__bench/reset");
    await fireCron(dev, "* * * * *", base + k * h.MINUTE);
    const before = name === "plain-again" ? ROWS_JOBS : 0;
    const logs = () =>
      h.scalar(h.d1File(), `SELECT count(*) AS n FROM execution_logs WHERE cron_job_id IN (${ids})`) - before;
    for (const t = h.now(); logs() < ROWS_JOBS * (retries + 1) && h.now() - t < 120_000; ) await h.sleep(500);
    await drain(dev, 3_000, base + k * h.MINUTE, 3_600_000);
    rows.push(rowsWritten(label, (await state(dev)).statements, logs()));
    if (PHASES[k + 1]?.[0] === "plain-again") continue;
    const headers = h.keyHeaders(rowsAccount);
    for (const id of phaseJobs[k] ?? [])
      await fetch(`${dev.base}/v1/cron-jobs/${rowsAccount.account_id}/delete/${id}`, { method: "DELETE", headers });
  }
  // 2. The load, faults on.
  await post(dev, "/__bench/reset");
  await post(dev, "/__bench/faults", FAULTS);
  const requests = await mixedReads(dev.base, accounts[0] as h.BenchAccount, [...hanging][0] as string);
  const [from, loadavgBefore, cpu0] = [dev.lines.length, loadavg(), h.groupCpuMs(dev.pgid)];
  const fired: Array<{ slot: number; firedAt: number; wall_ms: number }> = [];
  const ticking = (async () => {
    for (let k = 0; k < TICKS; k++) {
      if (k > 0) await h.sleep(TICK_EVERY_MS);
      fired.push({ slot: loadSlot + k * h.MINUTE, ...(await fireCron(dev, "* * * * *", loadSlot + k * h.MINUTE)) });
    }
  })();
  const load = await autocannon({ url: dev.base, connections: CONNECTIONS, duration: DURATION_S, requests });
  await ticking;
  const [cpuS, loadavgAfter] = [h.round((h.groupCpuMs(dev.pgid) - cpu0) / 1000, 1), loadavg()];
  const drained = await drain(dev, QUIET_MS, loadSlot + (TICKS - 1) * h.MINUTE, RELAY_EVERY_MS);
  const deliveries: Record<string, number> = {};
  for (const l of dev.lines.slice(from).filter((x) => /"event":"(run|dead_run)"/.test(x))) {
    const e = JSON.parse(l.slice(l.indexOf("{"))) as { event: string; result: string };
    deliveries[`${e.event}:${e.result}`] = (deliveries[`${e.event}:${e.result}`] ?? 0) + 1;
  }
  const errors = dev.lines.slice(from).filter((l) => ERROR_LINE.test(l));
  const injected = errors.filter((l) => l.includes("bench: injected send failure")).length;
  const loadavgs = [loadavgBefore, loadavgAfter, loadavg()].map((a) => a.map((x) => h.round(x, 2)).join(", "));
  const more = { state: await state(dev), load: h.loadSummary(load, cpuS), reloads: dev.reloads() };
  return { bound, rows, fired, loadavgs, drained, deliveries, injected, errors, ...more };
});

// ---- with wrangler stopped: the SQLite file against the target's own counts
const file = h.openDb(h.d1File(), true);
const loadAccounts = `account_id IN (${accounts.map((a) => `'${a.account_id}'`).join(",")})`;
const select = <T>(sql: string) => file.prepare(`${sql} WHERE ${loadAccounts}`).all() as T[];
type Log = { id: string; job: string; at: number; slot: number | null; attempt: number };
type Run = { id: string; job: string; attempt: number; state: string; leases: number };
const jobs = select<{ id: string; occurrences: number; total: number }>(
  "SELECT id, occurrences, total_executions AS total FROM cron_jobs",
);
const logs = select<Log>(
  "SELECT id, cron_job_id AS job, executed_at AS at, scheduled_at AS slot, retry_attempt AS attempt FROM execution_logs",
);
const runs = select<Run>("SELECT id, job_id AS job, attempt, state, leases FROM run_ledger");
file.close();
for (const res of open) res.destroy();
server.closeAllConnections();
server.close();
const logIds = new Set(logs.map((l) => l.id));
const claimed = jobs.reduce((a, j) => a + j.occurrences, 0);
const unfinished = runs.filter((r) => r.state !== "done").length;
const c = { calls: 0, duplicated: 0, withoutCall: 0, maxGap: 0, counterMismatch: 0 };
for (const j of jobs) {
  const at = logs.flatMap((l) => (l.job === j.id ? [l.at] : [])).sort((a, b) => a - b);
  const got = [...(calls.get(j.id) ?? [])].sort((a, b) => a - b);
  c.calls += got.length;
  c.duplicated += Math.max(0, got.length - at.length);
  c.withoutCall += Math.max(0, at.length - got.length);
  // Calls matched to logs by time: a job's i-th call is its i-th log's execution.
  if (got.length === at.length)
    for (const [i, t] of got.entries()) c.maxGap = Math.max(c.maxGap, Math.abs(t - (at[i] as number)));
  if (j.total !== at.length) c.counterMismatch++;
}

// ---- lateness, and what a healthy run waited inside its own batch (above all beside a hanging one)
const firedAt = new Map(run.fired.map((f) => [f.slot, f.firedAt]));
const sinceTick = (l: Log) => (l.at - (firedAt.get(l.slot as number) ?? Number.NaN)) / 1000;
const late = (hangs: boolean) =>
  logs.filter((l) => l.attempt === 0 && l.slot !== null && hanging.has(l.job) === hangs).map(sinceTick);
const [byId, jobOfRun] = [new Map(logs.map((l) => [l.id, l])), new Map(runs.map((r) => [r.id, r.job]))];
const batches = run.state.batches.filter((b) => b.queue === "edgecron-runs");
const wait = {
  mixed: [] as number[],
  clean: [] as number[],
  own: [] as number[],
  mixedBatchMs: [] as number[],
  pairs: 0,
};
for (const b of batches) {
  const ids = b.messages.flatMap((m) => (m.run_id ? [m.run_id] : []));
  wait.pairs += ids.length - new Set(ids).size;
  const hangs = ids.some((id) => hanging.has(jobOfRun.get(id) ?? ""));
  if (hangs && ids.some((id) => !hanging.has(jobOfRun.get(id) ?? "")))
    wait.mixedBatchMs.push(b.finished_at - b.received_at);
  for (const l of [...new Set(ids)].map((id) => byId.get(id))) {
    // The delivery that ran it: the log's start lies within the batch.
    if (!l || hanging.has(l.job) || l.at < b.received_at || l.at > b.finished_at) continue;
    (hangs ? wait.mixed : wait.clean).push(l.at - b.received_at);
    if (l.attempt === 0 && l.slot !== null) wait.own.push((b.received_at - (firedAt.get(l.slot) ?? Number.NaN)) / 1000);
  }
}

// ---- the production lateness model ("Lateness in production", docs/ARCHITECTURE.md), wrangler.toml's consumer
const toml = readFileSync(join(h.ROOT, "wrangler.toml"), "utf8");
const consumer =
  /queue = "edgecron-runs"\n([\s\S]*?)(?=\n\[|\n#|$)/.exec(toml.slice(toml.indexOf("[[queues.consumers]]")))?.[1] ?? "";
const num = (key: string) => Number(new RegExp(`^${key}\\s*=\\s*(\\d+)`, "m").exec(consumer)?.[1]);
const perTick = Math.round(JOBS * (1 + FAULTS.duplicate));
const waves = Math.ceil(perTick / (num("max_concurrency") * num("max_batch_size")));
const bound = waves <= 1 ? num("max_batch_timeout") * 1000 + h.dist(wait.mixed).max : null;

const f = run.state.counters;
const l = run.load;
const result = {
  reads: l.reads,
  "non-2xx / connection errors / timeouts": `${l.non2xx} / ${l.errors} / ${l.timeouts}`,
  "load average (1, 5, 15 min) before the load / after it / after the drain": run.loadavgs.join(" / "),
  "wrangler + workerd CPU s during the load": l.cpu_s,
  "ticks' request ms; relay ticks": `${run.fired.map((x) => x.wall_ms).join(", ")}; ${run.drained.relays}`,
  "run messages sent / sent twice (same sendBatch, later)": `${f.run_messages_sent} / ${f.duplicated_adjacent + f.duplicated_delayed} (${f.duplicated_adjacent}, ${f.duplicated_delayed})`,
  "duplicate pairs delivered in one consumer batch": wait.pairs,
  "sendBatch calls / failed once (messages)": `${f.send_calls} / ${f.failed_sends} (${f.failed_messages})`,
  "deliveries by consumer result": JSON.stringify(run.deliveries),
  "claimed slots / expected": `${claimed} / ${JOBS * TICKS}`,
  "ledger rows / unfinished": `${runs.length} / ${unfinished}`,
  "logs (retries)": `${logs.length} (${logs.filter((x) => x.attempt > 0).length})`,
  "target calls (to unknown paths)": `${c.calls} (${strays.n})`,
  "lost (claimed slots without a first-attempt log, plus unfinished runs)":
    claimed - runs.filter((r) => r.attempt === 0 && logIds.has(r.id)).length + unfinished,
  "duplicated target calls (per job: calls beyond its logs)": c.duplicated,
  "logs without a target call / ledger rows without a log": `${c.withoutCall} / ${runs.filter((r) => !logIds.has(r.id)).length}`,
  "runs leased more than once": runs.filter((r) => r.leases > 1).length,
  "largest gap call − executed_at, ms": c.maxGap,
  "jobs whose total_executions ≠ their logs": c.counterMismatch,
  "drain after the load, s": run.drained.seconds,
  "Worker error lines: injected send failures / others": `${run.injected} / ${run.errors.length - run.injected}`,
  "Worker reloads": run.reloads,
  "batches of the runs queue (mixed: a hanging run beside a healthy one)": `${batches.length} (${wait.mixedBatchMs.length})`,
  "modelled production start bound, ms (runs per tick, waves)": `${bound} (${perTick}, ${waves})`,
};
const lateness = {
  "healthy jobs, locally (s)": late(false),
  "hanging jobs, locally (s)": late(true),
  "tick → arrival of the healthy run's batch (s)": wait.own,
  "in-batch: healthy run beside a hanging one, arrival → start (ms)": wait.mixed,
  "in-batch: healthy run without a hanging one (ms)": wait.clean,
  "duration of those mixed batches (ms)": wait.mixedBatchMs,
};
const phases = [...run.rows, rowsWritten("under the load with faults", run.state.statements, logs.length)];
const kinds = [...new Set(phases.flatMap((p) => Object.keys(p.kinds)))].sort();
const parts = ["tick: claim", "tick: ledger insert", "lease", "record", "follow-ups"];
const part = (p: (typeof phases)[number], prefix: string) =>
  h.round(h.sum(kinds.filter((k) => k.startsWith(prefix)).map((k) => p.kinds[k] ?? 0)), 2);
type Col = [string, (k: string) => string | number | undefined];
type Phase = (typeof phases)[number];
const totals = ["rows written per execution", "executions (logs)"];
const total = (p: Phase, k: string) => (k === totals[0] ? p.total : p.executions);
const byPhase = (cell: (p: Phase, k: string) => number | undefined): Col[] =>
  phases.map((p) => [p.label, (k) => (totals.includes(k) ? total(p, k) : cell(p, k))]);
const latenessDist = Object.fromEntries(Object.entries(lateness).map(([k, v]) => [k, h.dist(v)]));
const json = { bundle, vars, faults: FAULTS, bound_parameters: run.bound, figures: result, lateness: latenessDist };
const quantiles = (["n", "p50", "p99", "max"] as const).map((q): [string, (e: [string, number[]]) => number] => [
  q,
  ([, v]) => h.round(h.dist(v)[q], 1),
]);
h.writeResult("ledger-load", { ...json, rows_written: phases, counters: f, error_sample: run.errors.slice(0, 5) }, [
  h.figures("Run ledger under load and faults", result),
  h.table("Start lateness", Object.entries(lateness), [["Start lateness", ([k]) => k], ...quantiles]),
  h.table("D1 rows written per execution, by part", [...parts, ...totals], [["Part", (k) => k], ...byPhase(part)]),
  h.table(
    "D1 rows written per execution, by statement",
    [...kinds, ...totals],
    [["Statement", (k) => k], ...byPhase((p, k) => p.kinds[k])],
  ),
]);
