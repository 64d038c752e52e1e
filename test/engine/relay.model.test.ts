/**
 * The relay's and the consumers' invariants under any interleaving (model-based, fast-check): sends the queue
 * refuses (a whole queue down, one message refused), crashed calls (the lease expires with nothing recorded),
 * duplicate deliveries and a move's fence. Afterwards every run has ended exactly once (done, skipped or dead, one
 * log each), no target was called again while an earlier call's lease was live, no run was re-sent inside
 * CRASH_RESEND_AFTER_MS of its lease, nothing ran while fenced, and no message was dropped.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createControlDb } from "../../src/db/client";
import { accountShards } from "../../src/db/control-schema";
import type { CronJobRow } from "../../src/db/schema";
import { dispatchTick } from "../../src/engine/dispatch";
import { findRun } from "../../src/engine/ledger";
import { DEAD_LETTER_QUEUE, redeliveryDelaySeconds } from "../../src/engine/queue-handler";
import { CRASH_RESEND_AFTER_MS, relayStranded } from "../../src/engine/relay";
import { consumeRunsBatch, DEAD_LETTER_MAX_RETRIES } from "../../src/engine/route-runs";
import { triggerNow } from "../../src/engine/trigger";
import { findJob, softDeleteJob } from "../../src/jobs/repository";
import type { ExecutionResult, Executor } from "../../src/lib/execution";
import type { EngineMessage, MessageSender } from "../../src/lib/messages";
import { directoryCache } from "../../src/shards/directory";
import { createAccount } from "../helpers/accounts";
import { testDeps } from "../helpers/engine";
import { everyInterleaving, seededResult, takeAvailable } from "../helpers/engine-model";
import { insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";
import { storedLogs } from "../helpers/stored-logs";

const MIN = 60_000;
const RUNS_QUEUE = "edgecron-runs";
/** wrangler.toml's max_retries of the RUNS consumer. */
const RUNS_MAX_RETRIES = 10;
/** Issue 24: a crashed run is re-sent at the first tick at least 2 minutes after its lease_until. */
const CRASH_GRACE_MS = 2 * MIN;

type Cmd =
  | { k: "tick" }
  | { k: "deliver"; i: number }
  | { k: "deliverTwice"; i: number }
  | { k: "deliverBatch" }
  | { k: "crash"; i: number }
  | { k: "crashRunNow"; j: number }
  | { k: "failSend" }
  | { k: "refuse"; j: number }
  | { k: "fence"; shardOnly: boolean }
  | { k: "unfence" }
  | { k: "advance"; ms: number };

const i = fc.nat(20);
const j = fc.integer({ min: 0, max: 1 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ k: "tick" as const }) },
  { weight: 8, arbitrary: i.map((i) => ({ k: "deliver" as const, i })) },
  { weight: 2, arbitrary: i.map((i) => ({ k: "deliverTwice" as const, i })) },
  { weight: 2, arbitrary: fc.constant({ k: "deliverBatch" as const }) },
  { weight: 2, arbitrary: i.map((i) => ({ k: "crash" as const, i })) },
  { weight: 1, arbitrary: j.map((j) => ({ k: "crashRunNow" as const, j })) },
  { weight: 1, arbitrary: fc.constant({ k: "failSend" as const }) },
  { weight: 2, arbitrary: j.map((j) => ({ k: "refuse" as const, j })) },
  { weight: 1, arbitrary: fc.boolean().map((shardOnly) => ({ k: "fence" as const, shardOnly })) },
  { weight: 1, arbitrary: fc.constant({ k: "unfence" as const }) },
  { weight: 3, arbitrary: fc.integer({ min: 1_000, max: 4 * MIN }).map((ms) => ({ k: "advance" as const, ms })) },
);

interface Pending {
  queue: string;
  body: EngineMessage;
  availableAt: number;
  attempts: number;
}

interface Call {
  id: string;
  at: number;
  /** The lease the call ran under, as the ledger held it when the call started. */
  leaseUntil: number;
}

/** 32-bit FNV-1a: an attempt's outcome is a function of its id and the sequence's seed. */
/** A refused message fails in the runtime (as an unserialisable body would), so it is refused even alone. */
class Refused extends TypeError {}

async function runModel(cmds: Cmd[], seed: number, base: number) {
  let now = base;
  const pending: Pending[] = [];
  const dropped: Pending[] = [];
  const deadLettered = new Set<string>();
  const refused = new Set<string>();
  const refuseNextOf = new Set<string>();
  const violations: string[] = [];
  let queueDown = false;
  let crashNext = false;
  const crashed = new Set<string>();
  const calls: Call[] = [];
  let holds = 0;
  let retries = 0;

  const acct = await createAccount(); // first: testDeps() works on the new account's shard
  const runIdOf = (b: EngineMessage) => (b.type === "run" ? (b.runId ?? null) : null);
  const deps = testDeps();
  const ledgerRow = (id: string, jobId: string) => findRun(deps.db, { id, jobId });
  const fencedOnShard = async () =>
    (
      await shardD1()
        .prepare("SELECT fenced_at FROM accounts WHERE id = ?")
        .bind(acct.accountId)
        .first<{ fenced_at: number | null }>()
    )?.fenced_at != null;

  /** The engine's queue: refuses what `refused` names, everything while down; checks the crash re-send rule. */
  const queue: MessageSender = {
    async sendBatch(messages) {
      const list = [...messages];
      if (queueDown) {
        queueDown = false;
        throw new Error("queue unavailable");
      }
      for (const m of list) {
        // The job's next run message is refused from now on (too large, say): it must be dead-lettered.
        const id = runIdOf(m.body);
        if (id && m.body.type === "run" && refuseNextOf.delete(m.body.jobId)) refused.add(id);
      }
      const bad = list.find((m) => refused.has(runIdOf(m.body) ?? ""));
      if (bad) throw new Refused(`message ${runIdOf(bad.body)} refused`);
      for (const m of list) {
        const id = runIdOf(m.body);
        if (id && m.body.type === "run") {
          const row = await ledgerRow(id, m.body.jobId);
          if (row?.state === "running" && (row.leaseUntil ?? 0) + CRASH_GRACE_MS > now) {
            violations.push(`${id} re-sent at ${now} within ${CRASH_GRACE_MS} ms of its lease ${row.leaseUntil}`);
          }
        }
        pending.push({ queue: RUNS_QUEUE, body: m.body, availableAt: now + (m.delaySeconds ?? 0) * 1000, attempts: 1 });
      }
    },
  };
  const executor: Executor = {
    async execute(req): Promise<ExecutionResult> {
      const row =
        (await ledgerRow(req.executionId, ids[0] as string)) ?? (await ledgerRow(req.executionId, ids[1] as string));
      const leaseUntil = row?.leaseUntil ?? 0;
      for (const earlier of calls.filter((c) => c.id === req.executionId)) {
        if (now <= earlier.leaseUntil) violations.push(`${req.executionId} called again at ${now} under a live lease`);
      }
      if (await fencedOnShard()) violations.push(`${req.executionId} called while the account is fenced`);
      calls.push({ id: req.executionId, at: now, leaseUntil });
      if (crashNext) {
        crashNext = false;
        crashed.add(req.executionId);
        throw new Error("the isolate died mid-call");
      }
      return seededResult(req.executionId, seed, 4);
    },
  };
  Object.assign(deps, { queue, executor, now: () => now });

  const jobs = [
    await insertJob(acct.accountId, {
      nextRunAt: base,
      scheduleAnchorAt: base - MIN,
      schedule: "* * * * *",
      scheduleConfig: JSON.stringify({ cron: "* * * * *", end_type: "never" }),
      maxRetries: 1,
      retryDelaySeconds: 20,
      timeoutSeconds: 5,
    }),
    await insertJob(acct.accountId, {
      nextRunAt: base,
      scheduleAnchorAt: base - MIN,
      schedule: "* * * * *",
      scheduleConfig: JSON.stringify({ cron: "* * * * *", end_type: "never" }),
      maxRetries: 0,
      timeoutSeconds: 5,
    }),
  ];
  const ids = jobs.map((x) => x.id);

  const setFence = async (directory: "active" | "moving", shardFence: boolean) => {
    await createControlDb(env.DB)
      .update(accountShards)
      .set({ state: directory })
      .where(eq(accountShards.accountId, acct.accountId));
    await shardD1()
      .prepare("UPDATE accounts SET fenced_at = ? WHERE id = ?")
      .bind(shardFence ? now : null, acct.accountId)
      .run();
    directoryCache.clear();
  };

  /** One delivery of these messages as one batch, settled as the queue would: ack, retry (then DLQ), or held. */
  const deliver = async (batchOf: Pending[]) => {
    for (const q of [RUNS_QUEUE, DEAD_LETTER_QUEUE]) {
      const group = batchOf.filter((p) => p.queue === q);
      if (group.length === 0) continue;
      const batch = createMessageBatch<EngineMessage>(
        q,
        group.map((p, k) => ({
          id: `m${k}-${crypto.randomUUID()}`,
          timestamp: new Date(now),
          attempts: p.attempts,
          body: p.body,
        })),
      );
      const held = { runs: heldSender(RUNS_QUEUE), deadLetters: heldSender(DEAD_LETTER_QUEUE) };
      await consumeRunsBatch(env, batch, { holdQueues: held, deps: (db) => ({ ...deps, db }) });
      const result = await getQueueResult(batch, createExecutionContext());
      batch.messages.forEach((message, k) => {
        const p = group[k] as Pending;
        if (!(result.retryBatch.retry || result.retryMessages.some((r) => r.msgId === message.id))) return;
        retries++;
        const max = q === DEAD_LETTER_QUEUE ? DEAD_LETTER_MAX_RETRIES : RUNS_MAX_RETRIES;
        const delay = redeliveryDelaySeconds(p.attempts) * 1000;
        if (p.attempts < max + 1) pending.push({ ...p, attempts: p.attempts + 1, availableAt: now + delay });
        else if (q === DEAD_LETTER_QUEUE) dropped.push(p);
        else {
          const id = runIdOf(p.body);
          if (id) deadLettered.add(id);
          pending.push({ queue: DEAD_LETTER_QUEUE, body: p.body, attempts: 1, availableAt: now });
        }
      });
    }
  };
  /** Where a consumer's hold goes: a new message on the queue it came from, delayed. */
  const heldSender = (q: string): MessageSender => ({
    async sendBatch(messages) {
      for (const m of messages) {
        holds++;
        pending.push({ queue: q, body: m.body, attempts: 1, availableAt: now + (m.delaySeconds ?? 0) * 1000 });
      }
    },
  });
  const take = (k: number) => takeAvailable(pending, now, k);
  const safely = async (f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (err) {
      const text = String(err);
      if (!text.includes("queue unavailable") && !text.includes("refused") && !text.includes("died")) throw err;
    }
  };

  for (const cmd of cmds) {
    switch (cmd.k) {
      case "tick": {
        const at = Math.floor(now / MIN) * MIN;
        await safely(() => dispatchTick(deps.db, queue, at, now));
        await safely(() => relayStranded(deps));
        now = at + MIN;
        break;
      }
      case "deliver": {
        const p = take(cmd.i);
        if (p) await deliver([p]);
        break;
      }
      case "deliverTwice": {
        const p = take(cmd.i);
        if (p) await Promise.all([deliver([p]), deliver([{ ...p }])]);
        break;
      }
      case "deliverBatch": {
        const batch: Pending[] = [];
        for (let k = 0; k < 4; k++) {
          const p = take(0);
          if (p) batch.push(p);
        }
        await deliver(batch);
        break;
      }
      case "crash": {
        const p = take(cmd.i);
        if (!p) break;
        crashNext = true;
        await deliver([p]);
        crashNext = false;
        break;
      }
      case "crashRunNow": {
        // A run-now whose isolate died mid-call: leased, no message anywhere; only the relay can finish it.
        const job = await findJob(deps.db, acct.accountId, ids[cmd.j] as string);
        if (job?.state !== "active") break;
        crashNext = true;
        await safely(() => triggerNow(deps, job as CronJobRow));
        crashNext = false;
        break;
      }
      case "failSend":
        queueDown = true;
        break;
      case "refuse":
        refuseNextOf.add(ids[cmd.j] as string);
        break;
      case "fence":
        await setFence(cmd.shardOnly ? "active" : "moving", true);
        break;
      case "unfence":
        await setFence("active", false);
        break;
      case "advance":
        now += cmd.ms;
        break;
    }
  }

  // Drain: the fence ends, no more ticks; time moves on until every message is handled and the relay is idle.
  queueDown = false;
  await setFence("active", false);
  for (let round = 0; round < 60; round++) {
    now += MIN;
    await safely(() => relayStranded(deps));
    for (let p = take(0); p; p = take(0)) await deliver([p]);
    const open = await shardD1()
      .prepare("SELECT count(*) AS n FROM run_ledger WHERE state IN ('queued', 'running') AND account_id = ?")
      .bind(acct.accountId)
      .first<{ n: number }>();
    if ((open?.n ?? 0) === 0 && pending.length === 0) break;
  }

  // ---- invariants ----
  const { results: ledger } = await shardD1()
    .prepare("SELECT id, state, reason FROM run_ledger WHERE account_id = ?")
    .bind(acct.accountId)
    .all<{ id: string; state: string; reason: string | null }>();
  const logs = await storedLogs(shardD1(), ids);

  expect(violations).toEqual([]);
  expect(dropped).toEqual([]);
  expect(pending).toEqual([]);
  // Every run ended, exactly once: a terminal state, and one log for each that was run or dead-lettered.
  expect(ledger.filter((r) => r.state === "queued" || r.state === "running")).toEqual([]);
  const logIds = logs.map((l) => l.id);
  expect(new Set(logIds).size).toBe(logIds.length);
  const closed = ledger.filter((r) => r.state === "done" || r.state === "dead").map((r) => r.id);
  expect([...logIds].sort()).toEqual([...closed].sort());
  const logById = new Map(logs.map((l) => [l.id, l]));
  for (const r of ledger) {
    if (r.state !== "dead") continue;
    const text = logById.get(r.id)?.error_message ?? "";
    if (r.reason === "undelivered") {
      expect(text, r.id).toMatch(/^Not delivered/);
      // Never because of a fence or a crash: only a refused message, or one that failed every delivery.
      expect(refused.has(r.id) || deadLettered.has(r.id), `${r.id} dead-lettered without cause`).toBe(true);
      expect(
        calls.some((c) => c.id === r.id),
        `${r.id} undelivered but called`,
      ).toBe(false);
    } else {
      expect(r.reason, r.id).toBe("outcome_unknown");
      expect(text, r.id).toMatch(/^Outcome unknown/);
    }
  }
  // A target is called once per run, again only after a crash left its lease to expire.
  for (const id of new Set(calls.map((c) => c.id))) {
    const n = calls.filter((c) => c.id === id).length;
    const crashes = calls.filter((c) => c.id === id && crashed.has(id)).length;
    expect(n, `calls of ${id}`).toBeLessThanOrEqual(crashed.has(id) ? crashes + 1 : 1);
  }
  // The next sequence starts clean: these jobs no longer tick.
  for (const id of ids) await softDeleteJob(deps.db, acct.accountId, id, now);
  return { ledger, calls, crashed, holds, retries };
}

describe("relay and consumer model", () => {
  it("every interleaving of refused sends, crashes, duplicates and fences ends every run exactly once", async () => {
    await everyInterleaving(
      cmdArb,
      { minLength: 10, maxLength: 40, numRuns: 25, firstDay: Date.UTC(2026, 2, 1) },
      runModel,
    );
  }, 240_000);

  it("a fence longer than the retry budget (30 deliveries): the waiting runs are held, then each runs once", async () => {
    for (const shardOnly of [false, true]) {
      const cmds: Cmd[] = [{ k: "tick" }, { k: "fence", shardOnly }];
      for (let k = 0; k < 30; k++)
        cmds.push({ k: "advance", ms: 31_000 }, { k: "deliver", i: 0 }, { k: "deliver", i: 1 });
      const r = await runModel(cmds, 3, Date.UTC(2025, 6, 1) + (shardOnly ? 86_400_000 : 0));
      expect(r.retries).toBe(0);
      expect(r.holds).toBeGreaterThanOrEqual(60);
      expect(r.ledger.filter((x) => x.state === "dead")).toEqual([]);
      expect(r.calls.length).toBeGreaterThanOrEqual(2);
    }
  });

  it("a crashed run-now: re-sent by the relay 2 minutes after its lease, and run once more", async () => {
    const r = await runModel([{ k: "crashRunNow", j: 1 }, { k: "tick" }, { k: "tick" }], 5, Date.UTC(2025, 7, 1));
    const [first, second, ...more] = r.calls.filter((c) => r.crashed.has(c.id));
    expect(more).toEqual([]);
    expect(second?.at).toBeGreaterThanOrEqual((first?.leaseUntil ?? 0) + CRASH_RESEND_AFTER_MS);
    expect(second?.at).toBeLessThan((first?.leaseUntil ?? 0) + CRASH_RESEND_AFTER_MS + 2 * MIN);
  });
});
