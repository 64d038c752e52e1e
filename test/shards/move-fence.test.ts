/**
 * An account move costs no run (src/shards/move.ts, src/engine/route-runs.ts, src/engine/queue-handler.ts): runs
 * waiting on the fence are held (a fresh delayed copy, no delivery attempt spent) however long it lasts, slots due
 * during it run after it, and an e-mail confirmation made during it is refused, not lost.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { requestConfirmation } from "../../src/alerts/recipients";
import { dispatchTick } from "../../src/engine/dispatch";
import { DEAD_LETTER_QUEUE } from "../../src/engine/queue-handler";
import { consumeRunsBatch, DEAD_LETTER_MAX_RETRIES, MOVING_RETRY_SECONDS } from "../../src/engine/route-runs";
import type { EngineMessage, RunMessage } from "../../src/lib/messages";
import { shardBinding } from "../../src/shards/bindings";
import { directoryCache } from "../../src/shards/directory";
import { moveAccount } from "../../src/shards/move";
import { shardDb } from "../../src/shards/resolve";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob } from "../helpers/fixtures";
import { BASE } from "../helpers/http";
import { captureQueue } from "../helpers/queue";
import { moveDeps } from "../helpers/shards";
import { storedLogs } from "../helpers/stored-logs";

const MIN = 60_000;
/** The RUNS consumer's max_retries (wrangler.toml): deliveries past 1 + this go to the dead-letter queue. */
const RUNS_MAX_RETRIES = 10;

beforeEach(() => directoryCache.clear());

interface InFlight {
  queue: string;
  body: EngineMessage;
  attempts: number;
}

/**
 * The queue, one delivery round at a time, as Cloudflare Queues behaves: a retried message comes back with one
 * more attempt and, past max_retries, goes to the dead-letter queue (and from there, past its own, is deleted); a
 * held copy comes back as a new message.
 */
function simulatedQueue() {
  const state = { inFlight: [] as InFlight[], deleted: [] as InFlight[], retries: 0, holds: 0 };
  let n = 0;
  async function round() {
    const now = state.inFlight.splice(0, state.inFlight.length);
    for (const queue of ["edgecron-runs", DEAD_LETTER_QUEUE]) {
      const group = now.filter((m) => m.queue === queue);
      if (group.length === 0) continue;
      const batch = createMessageBatch<EngineMessage>(
        queue,
        group.map((m) => ({ id: `m${n++}`, timestamp: new Date(), attempts: m.attempts, body: m.body })),
      );
      const held = { runs: captureQueue(), deadLetters: captureQueue() };
      await consumeRunsBatch(env, batch, { holdQueues: held });
      const result = await getQueueResult(batch, createExecutionContext());
      batch.messages.forEach((message, i) => {
        const m = group[i] as InFlight;
        const retried = result.retryBatch.retry || result.retryMessages.some((r) => r.msgId === message.id);
        if (!retried) return;
        state.retries++;
        const max = queue === DEAD_LETTER_QUEUE ? DEAD_LETTER_MAX_RETRIES : RUNS_MAX_RETRIES;
        if (m.attempts < max + 1) state.inFlight.push({ ...m, attempts: m.attempts + 1 });
        else if (queue === DEAD_LETTER_QUEUE) state.deleted.push(m);
        else state.inFlight.push({ queue: DEAD_LETTER_QUEUE, body: m.body, attempts: 1 });
      });
      state.holds += held.runs.sent.length + held.deadLetters.sent.length;
      for (const h of held.runs.take()) state.inFlight.push({ queue: "edgecron-runs", body: h.body, attempts: 1 });
      for (const h of held.deadLetters.take())
        state.inFlight.push({ queue: DEAD_LETTER_QUEUE, body: h.body, attempts: 1 });
    }
  }
  const send = (bodies: EngineMessage[]) => {
    for (const body of bodies) state.inFlight.push({ queue: "edgecron-runs", body, attempts: 1 });
  };
  return { state, round, send };
}

/** The job's logs on `shard`: slot (scheduled_at), attempt and error, in slot order. */
async function logsOn(shard: number, jobId: string) {
  return (await storedLogs(shardBinding(env, shard), [jobId]))
    .sort((a, b) => (a.scheduled_at ?? 0) - (b.scheduled_at ?? 0))
    .map((l) => ({ slot: l.scheduled_at, status: l.status, error: l.error_message }));
}

describe("a move that outlasts the queue's retry budget", () => {
  it("holds a waiting run through 30 deliveries in a 15-minute fence; it and the fenced slots run after", async () => {
    const T = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;
    const acct: TestAccount = await createAccount("Moving for long", { shard: 0 });
    const job = await insertJob(acct.accountId, {
      nextRunAt: T,
      schedule: "* * * * *",
      scheduleConfig: JSON.stringify({ cron: "* * * * *" }),
      maxRetries: 0,
    });
    const q = simulatedQueue();
    // Slot T is claimed and its message sent just before the move fences the account.
    const tick = captureQueue();
    await dispatchTick(shardDb(env, 0), tick, T, T);
    const waiting = tick.sent.map((m) => m.body).filter((b) => (b as RunMessage).accountId === acct.accountId);
    expect(waiting).toHaveLength(1);
    q.send(waiting);

    let fencedRounds = 0;
    const report = await moveAccount(
      moveDeps({
        sleep: async () => {
          if (fencedRounds > 0) return;
          // The fence lasts 15 minutes: every 30 s a delivery, each minute the source's tick (which claims nothing).
          for (let k = 1; k <= 30; k++) {
            if (k % 2 === 0) {
              const ticked = captureQueue();
              await dispatchTick(shardDb(env, 0), ticked, T + (k / 2) * MIN, T + (k / 2) * MIN);
              expect(ticked.sent.filter((m) => (m.body as RunMessage).accountId === acct.accountId)).toEqual([]);
            }
            await q.round();
            fencedRounds++;
          }
        },
      }),
      acct.accountId,
      1,
    );
    expect(report).toMatchObject({ from: 0, to: 1 });
    expect(fencedRounds).toBe(30);
    // Waiting spent no delivery attempt: nothing was retried, dead-lettered or deleted; the run was held each time.
    expect(q.state).toMatchObject({ retries: 0, deleted: [] });
    expect(q.state.holds).toBe(30);
    expect(q.state.inFlight).toEqual([{ queue: "edgecron-runs", body: waiting[0], attempts: 1 }]);
    expect(await logsOn(1, job.id)).toEqual([]);

    // After the move the held run runs on the new shard, and the new shard's tick claims what fell due meanwhile.
    directoryCache.clear();
    await q.round();
    const after = captureQueue();
    const now = Date.now();
    await dispatchTick(shardDb(env, 1), after, now, now);
    q.send(after.sent.map((m) => m.body));
    while (q.state.inFlight.length > 0) await q.round();
    const logs = await logsOn(1, job.id);
    // Each ran: the mock executor's own outcome, never a dead letter's "Not delivered" or "Outcome unknown".
    expect(logs[0]?.slot).toBe(T);
    expect(logs.length).toBeGreaterThanOrEqual(2);
    for (const l of logs) {
      expect(l.status).toMatch(/^(success|failure|error|timeout)$/);
      expect(l.error ?? "").not.toMatch(/^(Not delivered|Outcome unknown)/);
      expect(l.slot ?? 0).toBeGreaterThanOrEqual(T);
    }
    expect(new Set(logs.map((l) => l.slot)).size).toBe(logs.length);
    expect(await logsOn(0, job.id)).toEqual([]);
    expect(MOVING_RETRY_SECONDS).toBe(30);
  });
});

describe("an e-mail confirmation during a move", () => {
  const confirm = (accountId: string, token: string, accept = "text/html") =>
    SELF.fetch(`${BASE}/alerts/${accountId}/confirm`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
      body: new URLSearchParams({ token }).toString(),
    });
  const statusOf = async (shard: number, accountId: string) =>
    (
      await shardBinding(env, shard)
        .prepare("SELECT status FROM alert_email_recipients WHERE account_id = ?")
        .bind(accountId)
        .first<{ status: string }>()
    )?.status;

  async function pendingRecipient(acct: TestAccount) {
    const outcome = await requestConfirmation(shardDb(env, acct.shard), acct.accountId, "ops@example.com", Date.now(), {
      maxRecipients: 50,
      maxEmailsPerHour: 10,
    });
    if (outcome.kind !== "send") throw new Error(`expected a send, got ${outcome.kind}`);
    return outcome.token;
  }

  it("is refused with a 'try again in a minute' page, never a false 'Confirmed'; the link works after it", async () => {
    const acct = await createAccount("Confirming while moving", { shard: 0 });
    const token = await pendingRecipient(acct);
    const pages: Array<{ status: number; retryAfter: string | null; text: string }> = [];
    await moveAccount(
      moveDeps({
        sleep: async () => {
          if (pages.length > 0) return;
          // The directory says `moving`; and an isolate still trusting its cached `active` meets the shard's fence.
          for (const cached of [false, true]) {
            if (cached)
              directoryCache.set(acct.accountId, { shard: 0, state: "active", moveShard: null }, Date.now() + MIN);
            const res = await confirm(acct.accountId, token);
            pages.push({ status: res.status, retryAfter: res.headers.get("retry-after"), text: await res.text() });
          }
          directoryCache.clear();
          const problem = await confirm(acct.accountId, token, "application/json");
          expect(problem.status).toBe(503);
          expect(problem.headers.get("retry-after")).toBe(String(MOVING_RETRY_SECONDS));
          expect(await statusOf(0, acct.accountId)).toBe("pending");
        },
      }),
      acct.accountId,
      1,
    );
    expect(pages).toHaveLength(2);
    for (const page of pages) {
      expect(page).toMatchObject({ status: 503, retryAfter: String(MOVING_RETRY_SECONDS) });
      expect(page.text).toContain("Try again in a minute");
      expect(page.text).not.toContain("Confirmed");
    }
    // The move carried the recipient still pending; the same link now confirms it on the new shard.
    directoryCache.clear();
    expect(await statusOf(1, acct.accountId)).toBe("pending");
    const ok = await confirm(acct.accountId, token);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("will now receive");
    expect(await statusOf(1, acct.accountId)).toBe("confirmed");
    expect((await confirm(acct.accountId, token)).status).toBe(409);
  });
});
