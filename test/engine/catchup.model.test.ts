/**
 * Catch-up model: ticks that are missed, late or overlapping, deliveries that repeat, crash mid-call or dead-letter.
 * Afterwards every slot of each job's window (its first slot to its last claimed one) is exactly one of done, dead or
 * skipped with a reason (a missed slot inside exactly one span), and no attempt's target is called twice.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runReasons, runStates } from "../../src/db/schema";
import { TICK_MS } from "../../src/engine/catchup";
import { consumeRun } from "../../src/engine/consume";
import { closeDeadRun } from "../../src/engine/dead-letter";
import { dispatchTick } from "../../src/engine/dispatch";
import { LEASE_MARGIN_MS, takeLease } from "../../src/engine/ledger";
import { redeliveryDelaySeconds } from "../../src/engine/queue-handler";
import { relayStranded } from "../../src/engine/relay";
import { softDeleteJob } from "../../src/jobs/repository";
import type { ExecutionResult, Executor } from "../../src/lib/execution";
import type { EngineMessage, MessageSender } from "../../src/lib/messages";
import { nextRuns } from "../../src/lib/schedule/next-run";
import { idOfLogKey } from "../../src/logs/log-key";
import { createAccount } from "../helpers/accounts";
import { testDeps } from "../helpers/engine";
import { everyInterleaving, seededResult, takeAvailable } from "../helpers/engine-model";
import { insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const MIN = 60_000;
const MAX_DELIVERIES = 3;
/** The fixtures' timeout: a lease lasts this plus LEASE_MARGIN_MS. */
const TIMEOUT_S = 30;

type Cmd =
  | { k: "tick"; lateMs: number }
  | { k: "missTicks"; n: number }
  | { k: "overlapTick"; lateMs: number; skewMs: number }
  | { k: "staleTick" }
  | { k: "deliver"; i: number }
  | { k: "deliverTwice"; i: number }
  | { k: "crash"; i: number; after: boolean }
  | { k: "deadLetter"; i: number }
  | { k: "failSend" }
  | { k: "advance"; ms: number };

const i = fc.nat(20);
const late = fc.integer({ min: 0, max: 100_000 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: late.map((lateMs) => ({ k: "tick" as const, lateMs })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 90 }).map((n) => ({ k: "missTicks" as const, n })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ lateMs: late, skewMs: fc.integer({ min: 0, max: 90_000 }) })
      .map((r) => ({ k: "overlapTick" as const, ...r })),
  },
  { weight: 1, arbitrary: fc.constant({ k: "staleTick" as const }) },
  { weight: 7, arbitrary: i.map((i) => ({ k: "deliver" as const, i })) },
  { weight: 2, arbitrary: i.map((i) => ({ k: "deliverTwice" as const, i })) },
  {
    weight: 2,
    arbitrary: fc.record({ i, after: fc.boolean() }).map((r) => ({ k: "crash" as const, ...r })),
  },
  { weight: 1, arbitrary: i.map((i) => ({ k: "deadLetter" as const, i })) },
  { weight: 1, arbitrary: fc.constant({ k: "failSend" as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 1_000, max: 3 * MIN }).map((ms) => ({ k: "advance" as const, ms })) },
);

interface Pending {
  body: EngineMessage;
  availableAt: number;
  deliveries: number;
}

/** The jobs: every minute `latest`; every minute `none` with skip overlap and 30 s lateness; every 2 minutes, 4 runs. */
const JOBS = [
  { cron: "* * * * *", catchup: "latest" as const, maxLatenessSeconds: null, overlapPolicy: "allow" as const },
  { cron: "* * * * *", catchup: "none" as const, maxLatenessSeconds: 30, overlapPolicy: "skip" as const },
  {
    cron: "*/2 * * * *",
    catchup: "latest" as const,
    maxLatenessSeconds: 60,
    overlapPolicy: "allow" as const,
    end: { end_type: "after", end_occurrences: 4 },
  },
];

interface Row {
  id: string;
  job_id: string;
  slot: number;
  attempt: number;
  origin: number;
  state: string;
  reason: string | null;
  last_slot: number | null;
  slot_count: number | null;
}

async function runModel(cmds: Cmd[], seed: number, base: number) {
  let now = base;
  const pending: Pending[] = [];
  const deadLetters: Pending[] = [];
  let failNext = false;
  let crashNext = false;
  const queue: MessageSender = {
    async sendBatch(messages) {
      if (failNext) {
        failNext = false;
        throw new Error("queue unavailable");
      }
      for (const m of messages)
        pending.push({ body: m.body, availableAt: now + (m.delaySeconds ?? 0) * 1000, deliveries: 0 });
    },
  };
  /** When each attempt's target was called. */
  const called = new Map<string, number[]>();
  /** Per attempt, how often its consumer died after calling the target: each may cost one more call, after the lease. */
  const crashedAfterCall = new Map<string, number>();
  const executor: Executor = {
    async execute(req): Promise<ExecutionResult> {
      called.set(req.executionId, [...(called.get(req.executionId) ?? []), now]);
      if (crashNext) {
        crashNext = false;
        crashedAfterCall.set(req.executionId, (crashedAfterCall.get(req.executionId) ?? 0) + 1);
        throw new Error("consumer crashed");
      }
      return seededResult(req.executionId, seed, 4);
    },
  };
  const acct = await createAccount();
  const deps = { ...testDeps(), queue, executor, now: () => now };
  const jobs = [];
  for (const j of JOBS) {
    const config = { cron: j.cron, ...(j.end ?? { end_type: "never" }) };
    jobs.push(
      await insertJob(acct.accountId, {
        nextRunAt: base,
        scheduleAnchorAt: base - MIN,
        timezone: "UTC",
        schedule: j.cron,
        scheduleConfig: JSON.stringify(config),
        maxRetries: 1,
        retryDelaySeconds: 20,
        catchup: j.catchup,
        maxLatenessSeconds: j.maxLatenessSeconds,
        overlapPolicy: j.overlapPolicy,
      }),
    );
  }
  const ids = jobs.map((x) => x.id);
  /** Each tick's scheduled time and claim time, for the catch-up rules' checks. */
  const ticks: Array<{ at: number; claimedAt: number }> = [];

  const safely = async (f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (err) {
      if (!/queue unavailable|could not be sent/.test(String(err))) throw err;
    }
  };
  const tick = (at: number, claimedAt: number) => {
    ticks.push({ at, claimedAt });
    return safely(() => dispatchTick(deps.db, queue, at, claimedAt));
  };
  const take = (k: number) => takeAvailable(pending, now, k);
  const deliverOnce = async (p: Pending) => {
    if (p.body.type !== "run") return;
    try {
      const { result, retryAfterSeconds } = await consumeRun(deps, p.body);
      if (result === "busy") pending.push({ ...p, availableAt: now + (retryAfterSeconds ?? 10) * 1000 });
    } catch {
      const again = { ...p, deliveries: p.deliveries + 1 };
      if (again.deliveries >= MAX_DELIVERIES) deadLetters.push(again);
      else pending.push({ ...again, availableAt: now + redeliveryDelaySeconds(again.deliveries) * 1000 });
    }
  };
  const closeDead = async (p: Pending) => {
    if (p.body.type !== "run") return;
    try {
      const { result, retryAfterSeconds } = await closeDeadRun(deps, p.body, p.deliveries);
      if (result === "busy") deadLetters.push({ ...p, availableAt: now + (retryAfterSeconds ?? 10) * 1000 });
    } catch {
      deadLetters.push({ ...p, availableAt: now + 10_000 });
    }
  };

  try {
    for (const cmd of cmds) {
      switch (cmd.k) {
        case "tick": {
          const at = Math.floor(now / MIN) * MIN;
          const claimedAt = Math.max(now, at + cmd.lateMs);
          now = claimedAt;
          await tick(at, claimedAt);
          await safely(() => relayStranded(deps));
          now = Math.max(now, at + MIN);
          break;
        }
        case "missTicks":
          now += cmd.n * MIN;
          break;
        case "overlapTick": {
          // Two copies of one tick, the second claiming later (it may judge lateness otherwise), and a stale one.
          const at = Math.floor(now / MIN) * MIN;
          const claimedAt = Math.max(now, at + cmd.lateMs);
          now = claimedAt;
          await Promise.all([tick(at, claimedAt), tick(at, claimedAt + cmd.skewMs), tick(at - MIN, claimedAt)]);
          now = Math.max(now + cmd.skewMs, at + MIN);
          break;
        }
        case "staleTick": {
          // A redelivered tick for a minute already past.
          const at = Math.floor(now / MIN) * MIN - 3 * MIN;
          await tick(at, now);
          break;
        }
        case "deliver": {
          const p = take(cmd.i);
          if (p) await deliverOnce(p);
          break;
        }
        case "deliverTwice": {
          const p = take(cmd.i);
          if (p) await Promise.all([deliverOnce(p), deliverOnce({ ...p })]);
          break;
        }
        case "crash": {
          // The consumer dies after calling the target, or right after taking the lease, before calling it; either
          // way the queue redelivers the message later.
          const p = take(cmd.i);
          const body = p?.body;
          if (!p || body?.type !== "run" || body.runId === undefined) break;
          if (cmd.after) {
            crashNext = true;
            await deliverOnce(p);
            crashNext = false;
          } else {
            const ref = { id: body.runId, jobId: body.jobId, accountId: body.accountId };
            await takeLease(deps.db, ref, now, TIMEOUT_S);
            pending.push({ ...p, deliveries: p.deliveries + 1, availableAt: now + redeliveryDelaySeconds(1) * 1000 });
          }
          break;
        }
        case "deadLetter": {
          const p = take(cmd.i);
          if (p) await closeDead({ ...p, deliveries: MAX_DELIVERIES });
          break;
        }
        case "failSend":
          failNext = true;
          break;
        case "advance":
          now += cmd.ms;
          break;
      }
    }

    // Drain without ticks: time moves on until every message and dead letter is handled and the relay is idle.
    failNext = false;
    for (let round = 0; round < 40; round++) {
      now += 5 * MIN;
      await relayStranded(deps);
      while (pending.some((p) => p.availableAt <= now) || deadLetters.some((p) => p.availableAt <= now)) {
        const p = take(0);
        if (p) await deliverOnce(p);
        const d = deadLetters.findIndex((x) => x.availableAt <= now);
        if (d >= 0) await closeDead(deadLetters.splice(d, 1)[0] as Pending);
      }
      const open = await shardD1()
        .prepare(
          `SELECT count(*) AS n FROM runs r JOIN cron_jobs j ON j.num = r.job WHERE r.state IN (0, 1) AND j.id IN (?, ?, ?)`,
        )
        .bind(...ids)
        .first<{ n: number }>();
      if ((open?.n ?? 0) === 0 && pending.length === 0 && deadLetters.length === 0) break;
    }

    await checkInvariants(ids, base, ticks, called, crashedAfterCall);
  } finally {
    for (const id of ids) await softDeleteJob(deps.db, acct.accountId, id, now);
  }
}

async function checkInvariants(
  ids: string[],
  base: number,
  ticks: Array<{ at: number; claimedAt: number }>,
  called: Map<string, number[]>,
  crashedAfterCall: Map<string, number>,
) {
  const { results } = await shardD1()
    .prepare(
      `SELECT j.id AS job_id, r.slot, r.id_hi, r.id_lo, r.attempt, r.origin, r.state, r.reason, r.last_slot, r.slot_count
       FROM runs r JOIN cron_jobs j ON j.num = r.job WHERE j.id IN (?, ?, ?)`,
    )
    .bind(...ids)
    .all<
      Omit<Row, "id" | "state" | "reason"> & { id_hi: number; id_lo: number; state: number; reason: number | null }
    >();
  const ledger: Row[] = results.map((r) => ({
    ...r,
    id: idOfLogKey({ slot: r.slot, hi: r.id_hi, lo: r.id_lo }),
    state: runStates[r.state] ?? `?${r.state}`,
    reason: r.reason === null ? null : (runReasons[r.reason] ?? `?${r.reason}`),
  }));
  const { results: jobRows } = await shardD1()
    .prepare("SELECT id, state, occurrences, last_claimed_slot, skipped_missed FROM cron_jobs WHERE id IN (?, ?, ?)")
    .bind(...ids)
    .all<{
      id: string;
      state: string;
      occurrences: number;
      last_claimed_slot: number | null;
      skipped_missed: number;
    }>();

  // No attempt calls its target twice, but one whose consumer died mid-call: delivery is at least once, so each such
  // death may cost one more call, never while the previous call's lease is live.
  for (const [id, times] of called) {
    expect(times.length, `calls of ${id}`).toBeLessThanOrEqual(1 + (crashedAfterCall.get(id) ?? 0));
    for (let k = 1; k < times.length; k++) {
      expect((times[k] ?? 0) - (times[k - 1] ?? 0), `${id} called again in its lease`).toBeGreaterThan(
        TIMEOUT_S * 1000 + LEASE_MARGIN_MS - 1,
      );
    }
  }
  // Final states only, each with its reason.
  const reasons: Record<string, RegExp | null> = {
    done: null,
    skipped: /^(overlap|missed)$/,
    dead: /^(undelivered|outcome_unknown)$/,
  };
  for (const r of ledger) {
    expect(Object.keys(reasons), r.id).toContain(r.state);
    const reason = reasons[r.state];
    expect(r.reason, r.id).toEqual(reason ? expect.stringMatching(reason) : null);
    expect(r.last_slot !== null, `${r.id} is a span exactly when missed`).toBe(r.reason === "missed");
  }

  for (const [index, spec] of JOBS.entries()) {
    const jobId = ids[index] as string;
    const job = jobRows.find((x) => x.id === jobId);
    const own = ledger.filter((r) => r.job_id === jobId && r.origin === 0);
    const spans = own.filter((r) => r.reason === "missed");
    const firsts = own.filter((r) => r.attempt === 0 && r.reason !== "missed");
    const label = `job ${index} (${spec.cron}, ${spec.catchup})`;
    const schedule = {
      config: { cron: spec.cron, repeat_every: 1, end_type: "never" as const },
      timezone: "UTC",
      anchorAt: base - MIN,
    };
    /** The schedule's slots from the first (base) to `last`. */
    const slotsUpTo = (last: number) =>
      last < base
        ? []
        : [base, ...nextRuns(schedule, base, Math.ceil((last - base) / MIN) + 1)].filter((x) => x <= last);

    // Every slot of the window exactly once: a run's first attempt, or inside one span whose count is right.
    const covered: number[] = firsts.map((r) => r.slot);
    for (const s of spans) {
      const inSpan = slotsUpTo(s.last_slot as number).filter((x) => x >= s.slot);
      expect(inSpan.length, `${label}: count of span ${s.id}`).toBe(s.slot_count);
      covered.push(...inSpan);
    }
    const window = job?.last_claimed_slot == null ? [] : slotsUpTo(job.last_claimed_slot);
    expect(
      covered.sort((a, b) => a - b),
      label,
    ).toEqual(window);
    expect(job?.skipped_missed, label).toBe(spans.reduce((n, s) => n + (s.slot_count ?? 0), 0));
    // Missed slots count no occurrence; a skip for overlap does.
    expect(job?.occurrences, label).toBe(firsts.length);
    // A missed slot never reaches its target.
    for (const s of spans) expect(called.has(s.id), `${label}: span ${s.id} called`).toBe(false);

    // The policies: `latest` (no lateness) follows each span with the run of the next slot...
    if (spec.catchup === "latest" && spec.maxLatenessSeconds === null) {
      for (const s of spans) {
        const after = nextRuns(schedule, s.last_slot as number, 1)[0];
        if (after !== undefined && after <= (job?.last_claimed_slot ?? 0)) {
          expect(
            firsts.some((r) => r.slot === after),
            `${label}: a run follows span ${s.id}`,
          ).toBe(true);
        }
      }
    }
    // ...`none` runs only a tick's own slot, and a slot runs only if claimed within max_lateness_seconds.
    for (const r of firsts) {
      const claims = ticks.filter((t) => t.at >= r.slot && (spec.catchup === "latest" || t.at - TICK_MS < r.slot));
      const inTime = claims.filter(
        (t) => spec.maxLatenessSeconds === null || t.claimedAt <= r.slot + spec.maxLatenessSeconds * 1000,
      );
      expect(
        inTime.length,
        `${label}: slot ${new Date(r.slot).toISOString()} ran without a tick allowing it`,
      ).toBeGreaterThan(0);
    }
    // A job set to run 4 times never runs more; once completed it ran exactly 4 times.
    if (spec.end) {
      expect(firsts.length, label).toBeLessThanOrEqual(4);
      if (job?.state === "completed") expect(firsts.length, label).toBe(4);
    }
  }
}

describe("catch-up model", () => {
  it("every interleaving leaves each slot of the window done, dead or skipped with a reason, called at most once", async () => {
    await everyInterleaving(
      cmdArb,
      { minLength: 5, maxLength: 40, numRuns: 25, firstDay: Date.UTC(2028, 0, 1) },
      runModel,
    );
  }, 300_000);

  it("a plain outage: ticks, an hour missed, a late tick, a crash and a redelivery", async () => {
    const cmds: Cmd[] = [
      { k: "tick", lateMs: 1_000 },
      { k: "crash", i: 0, after: false },
      { k: "deliver", i: 0 },
      { k: "tick", lateMs: 2_000 },
      { k: "missTicks", n: 60 },
      { k: "tick", lateMs: 45_000 },
      { k: "deliverTwice", i: 0 },
      { k: "overlapTick", lateMs: 5_000, skewMs: 40_000 },
      { k: "crash", i: 0, after: true },
      { k: "advance", ms: 2 * MIN },
      { k: "deliver", i: 1 },
    ];
    await runModel(cmds, 11, Date.UTC(2027, 5, 1));
  });

  it("an attempt whose consumer dies after the call twice is called three times, each after the last lease", async () => {
    const cmds: Cmd[] = [
      { k: "overlapTick", lateMs: 30_001, skewMs: 0 },
      { k: "crash", i: 0, after: true },
      { k: "missTicks", n: 2 },
      { k: "deliver", i: 0 },
      { k: "crash", i: 0, after: true },
      { k: "deliver", i: 0 },
      { k: "missTicks", n: 1 },
      { k: "tick", lateMs: 0 },
      { k: "deliver", i: 0 },
    ];
    await runModel(cmds, 0, Date.UTC(2027, 6, 1));
  });
});
