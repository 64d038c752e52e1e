import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { dispatchTick } from "../../src/engine/dispatch";
import { relayStranded } from "../../src/engine/relay";
import { triggerNow } from "../../src/engine/trigger";
import { findJob, softDeleteJob } from "../../src/jobs/repository";
import type { ExecutionResult, Executor } from "../../src/lib/execution";
import type { EngineMessage, MessageSender } from "../../src/lib/messages";
import { createAccount } from "../helpers/accounts";
import { testDeps } from "../helpers/engine";
import { takeAvailable } from "../helpers/engine-model";
import { insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const MIN = 60_000;
/** The jobs' timeout: a call in flight longer than this ends as a timeout before time moves past it. */
const TIMEOUT_S = 30;

type Cmd =
  | { k: "tick" }
  | { k: "deliver"; i: number }
  | { k: "deliverTwice"; i: number }
  | { k: "finish"; i: number; ok: boolean }
  | { k: "failSend" }
  | { k: "trigger"; j: number }
  | { k: "advance"; ms: number };

const i = fc.nat(20);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ k: "tick" as const }) },
  { weight: 8, arbitrary: i.map((i) => ({ k: "deliver" as const, i })) },
  { weight: 2, arbitrary: i.map((i) => ({ k: "deliverTwice" as const, i })) },
  { weight: 6, arbitrary: fc.record({ i, ok: fc.boolean() }).map((r) => ({ k: "finish" as const, ...r })) },
  { weight: 1, arbitrary: fc.constant({ k: "failSend" as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 1 }).map((j) => ({ k: "trigger" as const, j })) },
  { weight: 2, arbitrary: fc.integer({ min: 1_000, max: 3 * MIN }).map((ms) => ({ k: "advance" as const, ms })) },
);

interface Pending {
  body: EngineMessage;
  availableAt: number;
}

interface Call {
  executionId: string;
  jobId: string;
  startedAt: number;
  resolve: (r: ExecutionResult) => void;
  /** The delivery that made the call: settled once its outcome is recorded. */
  done?: Promise<unknown>;
}

const result = (ok: boolean, timedOut = false): ExecutionResult => ({
  status: timedOut ? "timeout" : ok ? "success" : "failure",
  responseCode: timedOut ? null : ok ? 200 : 500,
  responseBody: null,
  errorMessage: timedOut ? "Timed out" : ok ? null : "Endpoint returned status code 500",
  responseTimeMs: 3,
  retryAfterSeconds: null,
});

async function runModel(cmds: Cmd[], base: number) {
  let now = base;
  const pending: Pending[] = [];
  let failNext = false;
  const queue: MessageSender = {
    async sendBatch(messages) {
      if (failNext) {
        failNext = false;
        throw new Error("queue unavailable");
      }
      for (const m of messages) pending.push({ body: m.body, availableAt: now + (m.delaySeconds ?? 0) * 1000 });
    },
  };
  const acct = await createAccount();
  const common = {
    nextRunAt: base,
    scheduleAnchorAt: base - MIN,
    schedule: "* * * * *",
    scheduleConfig: JSON.stringify({ cron: "* * * * *", repeat_every: 1, end_type: "never" }),
    maxRetries: 1,
    retryDelaySeconds: 20,
    timeoutSeconds: TIMEOUT_S,
  };
  const skipJob = await insertJob(acct.accountId, { ...common, overlapPolicy: "skip" });
  const queueJob = await insertJob(acct.accountId, { ...common, overlapPolicy: "queue" });
  const ids = [skipJob.id, queueJob.id];

  const inFlight: Call[] = [];
  const called = new Map<string, number>();
  /** Schedule-run calls of the queue job, in the order they started. */
  const queueStarts: string[] = [];
  const violations: string[] = [];
  const jobOf = new Map<string, string>();
  const executor: Executor = {
    execute(req) {
      called.set(req.executionId, (called.get(req.executionId) ?? 0) + 1);
      const jobId = jobOf.get(req.executionId) ?? "";
      const origin = originOf.get(req.executionId);
      const busy = inFlight.filter((c) => c.jobId === jobId && originOf.get(c.executionId) === "schedule");
      if (origin === "schedule" && busy.length > 0) {
        violations.push(`${req.executionId} called while ${busy.map((c) => c.executionId)} in flight`);
      }
      if (jobId === queueJob.id && origin === "schedule") queueStarts.push(req.executionId);
      return new Promise((resolve) => {
        inFlight.push({ executionId: req.executionId, jobId, startedAt: now, resolve });
        entered?.();
      });
    },
  };
  const originOf = new Map<string, string>();
  let entered: (() => void) | undefined;
  const deps = { ...testDeps(), queue, executor, now: () => now };
  /** The ledger's job and origin of an execution id (the executor only gets the id). */
  const learn = async () => {
    const { results } = await shardD1()
      .prepare("SELECT id, job_id, origin FROM run_ledger WHERE job_id IN (?, ?)")
      .bind(...ids)
      .all<{ id: string; job_id: string; origin: string }>();
    for (const r of results) {
      jobOf.set(r.id, r.job_id);
      originOf.set(r.id, r.origin);
    }
  };

  /** Starts a delivery and returns once it has settled or is calling the target (then it stays in flight). */
  const deliver = async (p: Pending) => {
    if (p.body.type !== "run") return;
    await learn();
    const reached = new Promise<void>((r) => {
      entered = r;
    });
    const body = p.body;
    const done = consumeRun(deps, body).then(
      (o) => {
        if (o.result === "busy") pending.push({ ...p, availableAt: now + (o.retryAfterSeconds ?? 10) * 1000 });
      },
      () => pending.push({ ...p, availableAt: now + 10_000 }),
    );
    await Promise.race([done, reached]);
    entered = undefined;
    const call = inFlight.find((c) => c.done === undefined);
    if (call) call.done = done;
  };
  const finish = async (c: Call, r: ExecutionResult) => {
    inFlight.splice(inFlight.indexOf(c), 1);
    c.resolve(r);
    await c.done;
  };
  /** Calls past their timeout end as timeouts before the clock moves on (the executor's own deadline). */
  const moveClock = async (to: number) => {
    for (const c of [...inFlight]) if (c.startedAt + TIMEOUT_S * 1000 <= to) await finish(c, result(false, true));
    now = to;
  };
  const take = (k: number) => takeAvailable(pending, now, k);
  const safely = async (f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (err) {
      if (!String(err).includes("queue unavailable")) throw err;
    }
  };
  const checkSkipLedger = async () => {
    const row = await shardD1()
      .prepare(
        "SELECT count(DISTINCT slot) AS n FROM run_ledger WHERE job_id = ? AND origin = 'schedule' AND state IN ('queued', 'running')",
      )
      .bind(skipJob.id)
      .first<{ n: number }>();
    if ((row?.n ?? 0) > 1) violations.push(`skip job has ${row?.n} unfinished slots at ${now}`);
  };

  for (const cmd of cmds) {
    switch (cmd.k) {
      case "tick": {
        const at = Math.floor(now / MIN) * MIN;
        await safely(() => dispatchTick(deps.db, queue, at, now));
        await safely(() => relayStranded(deps));
        await moveClock(at + MIN);
        break;
      }
      case "deliver": {
        const p = take(cmd.i);
        if (p) await deliver(p);
        break;
      }
      case "deliverTwice": {
        const p = take(cmd.i);
        if (p) {
          await deliver(p);
          await deliver({ ...p });
        }
        break;
      }
      case "finish": {
        const c = inFlight[cmd.i % Math.max(1, inFlight.length)];
        if (c) await finish(c, result(cmd.ok));
        break;
      }
      case "failSend":
        failNext = true;
        break;
      case "trigger": {
        const job = await findJob(deps.db, acct.accountId, ids[cmd.j] as string);
        if (!job) break;
        // A run-now executes inline: it is in flight like any call until a finish (or its timeout) ends it.
        await learn();
        const reached = new Promise<void>((r) => {
          entered = r;
        });
        const nonceRuns = triggerNow(deps, job).catch((err) => {
          if (!String(err).includes("queue unavailable")) throw err;
        });
        // Its execution id is only known once the ledger row exists: learn it as the call starts.
        await Promise.race([nonceRuns, reached.then(learn)]);
        entered = undefined;
        const call = inFlight.find((c) => c.done === undefined);
        if (call) {
          call.jobId = jobOf.get(call.executionId) ?? call.jobId;
          call.done = nonceRuns;
        }
        break;
      }
      case "advance":
        await moveClock(now + cmd.ms);
        break;
    }
    await checkSkipLedger();
  }

  // Drain: every call ends, every message is delivered, the relay re-sends what waits, until the ledger is idle.
  failNext = false;
  for (let round = 0; round < 60; round++) {
    while (inFlight.length > 0) await finish(inFlight[0] as Call, result(true));
    await moveClock(now + MIN);
    await relayStranded(deps);
    let p = take(0);
    while (p) {
      await deliver(p);
      while (inFlight.length > 0) await finish(inFlight[0] as Call, result(true));
      await checkSkipLedger();
      p = take(0);
    }
    const open = await shardD1()
      .prepare("SELECT count(*) AS n FROM run_ledger WHERE state IN ('queued', 'running') AND job_id IN (?, ?)")
      .bind(...ids)
      .first<{ n: number }>();
    if ((open?.n ?? 0) === 0 && pending.length === 0 && inFlight.length === 0) break;
  }

  // ---- invariants ----
  const { results: ledger } = await shardD1()
    .prepare("SELECT id, job_id, slot, origin, attempt, state, reason FROM run_ledger WHERE job_id IN (?, ?)")
    .bind(...ids)
    .all<{
      id: string;
      job_id: string;
      slot: number;
      origin: string;
      attempt: number;
      state: string;
      reason: string | null;
    }>();
  const { results: logs } = await shardD1()
    .prepare("SELECT id FROM execution_logs WHERE cron_job_id IN (?, ?)")
    .bind(...ids)
    .all<{ id: string }>();
  const { results: jobs } = await shardD1()
    .prepare("SELECT id, occurrences, skipped_runs FROM cron_jobs WHERE id IN (?, ?)")
    .bind(...ids)
    .all<{ id: string; occurrences: number; skipped_runs: number }>();

  expect(violations).toEqual([]);
  expect(ledger.filter((r) => r.state === "queued" || r.state === "running")).toEqual([]);
  // Done, or skipped with its reason; no other state (awaiting, dead) and no unnamed number (null in the view).
  for (const r of ledger) {
    expect(["done", "skipped"], r.id).toContain(r.state);
    expect(r.reason, r.id).toEqual(
      r.state === "skipped" ? expect.stringMatching(/^(paused|deleted|overlap|missed)$/) : null,
    );
  }
  for (const [id, n] of called) expect(n, `calls of ${id}`).toBe(1);
  const done = ledger.filter((r) => r.state === "done").map((r) => r.id);
  expect(logs.map((l) => l.id).sort()).toEqual(done.sort());

  // Slots that ran or were skipped for overlap; a missed span (src/engine/catchup.ts) counts no occurrence.
  const slotsOf = (jobId: string) =>
    ledger.filter((r) => r.job_id === jobId && r.origin === "schedule" && r.attempt === 0 && r.reason !== "missed");
  const skip = jobs.find((x) => x.id === skipJob.id);
  const skipSlots = slotsOf(skipJob.id);
  expect(skipSlots).toHaveLength(skip?.occurrences ?? -1);
  const skipped = skipSlots.filter((r) => r.state === "skipped");
  expect(skipped.every((r) => r.reason === "overlap")).toBe(true);
  expect(skip?.skipped_runs).toBe(skipped.length);
  for (const r of skipped) expect(called.has(r.id)).toBe(false);

  const queued = jobs.find((x) => x.id === queueJob.id);
  const queueSlots = slotsOf(queueJob.id);
  expect(queueSlots).toHaveLength(queued?.occurrences ?? -1);
  expect(queueSlots.every((r) => r.state === "done")).toBe(true);
  expect(queued?.skipped_runs).toBe(0);
  const slotOf = new Map(ledger.map((r) => [r.id, r.slot]));
  const startedSlots = queueStarts.map((id) => slotOf.get(id) ?? 0);
  expect(startedSlots).toEqual([...startedSlots].sort((a, b) => a - b));

  for (const id of ids) await softDeleteJob(deps.db, acct.accountId, id, now);
}

describe("overlap policies model", () => {
  it("skip never has two unfinished slots; queue never runs two at once, in order, and loses none", async () => {
    let runIndex = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 5, maxLength: 40 }), async (cmds) => {
        runIndex++;
        await runModel(cmds, Date.UTC(2027, 0, 1) + runIndex * 86_400_000);
      }),
      { numRuns: 30 },
    );
  }, 180_000);

  it("a plain sequence: a slow run makes the skip job skip and the queue job wait", async () => {
    const cmds: Cmd[] = [
      { k: "tick" },
      { k: "deliver", i: 0 },
      { k: "deliver", i: 0 },
      { k: "tick" },
      { k: "deliver", i: 0 },
      { k: "deliver", i: 0 },
      { k: "finish", i: 0, ok: true },
      { k: "finish", i: 0, ok: true },
      { k: "tick" },
    ];
    await runModel(cmds, Date.UTC(2026, 8, 1));
  });
});
