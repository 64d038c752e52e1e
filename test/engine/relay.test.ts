/**
 * The relay (src/engine/relay.ts) and its sends (src/lib/messages.ts sendIsolating): one message the queue refuses
 * never holds back the rest; a crashed run is re-sent once its lease is 2 minutes gone, never while it is live.
 */
import { createExecutionContext, getQueueResult } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { takeLease } from "../../src/engine/ledger";
import { consumeBatch } from "../../src/engine/queue-handler";
import { CRASH_RESEND_AFTER_MS, relayStranded } from "../../src/engine/relay";
import type { EngineMessage, MessageSender } from "../../src/lib/messages";
import { SEND_BATCH_MAX_BYTES, sendAll, sendIsolating, UnsendableMessagesError } from "../../src/lib/messages";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, refOf, scriptedExecutor, testDeps } from "../helpers/engine";
import { db, insertJob } from "../helpers/fixtures";
import { batchOf, captureQueue } from "../helpers/queue";
import { shardD1 } from "../helpers/shards";
import { storedLogs } from "../helpers/stored-logs";

const MIN = 60_000;
const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const FAR = Date.UTC(2099, 0, 1);

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

/**
 * A queue that keeps Cloudflare Queues' limits (128 KB a message, 256 KB and 100 messages a batch) and refuses any
 * batch holding a message `poisoned` names; `down` refuses everything.
 */
function limitedQueue(poisoned: (body: EngineMessage) => boolean = () => false) {
  const sent: Array<{ body: EngineMessage; delaySeconds?: number }> = [];
  const q = {
    sent,
    down: false,
    calls: 0,
    async sendBatch(messages: Iterable<MessageSendRequest<EngineMessage>>) {
      q.calls++;
      const list = [...messages];
      const sizes = list.map((m) => JSON.stringify(m.body).length);
      if (q.down) throw new Error("Queue send failed: service unavailable");
      if (list.length > 100 || sizes.reduce((a, b) => a + b, 0) > 256_000 || sizes.some((s) => s > 128_000)) {
        throw new Error("Queue sendBatch failed: payload too large");
      }
      if (list.some((m) => poisoned(m.body))) throw new Error("Queue sendBatch failed: refused");
      for (const m of list) sent.push({ body: m.body, delaySeconds: m.delaySeconds });
    },
  };
  return q satisfies MessageSender;
}

/** A queued run whose message was never sent (sent_at null): the relay's first kind of stranded run. */
async function unsentRun(slot = T) {
  const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
  const msg = await queuedRun(job, slot);
  await shardD1()
    .prepare("UPDATE runs SET sent_at = NULL WHERE account = (SELECT num FROM accounts WHERE id = ?)")
    .bind(acct.accountId)
    .run();
  return msg;
}

async function outboxEntry(id: string, message: EngineMessage, createdAt = T) {
  await shardD1()
    .prepare("INSERT INTO outbox (id, account_id, message, created_at) VALUES (?, ?, ?, ?)")
    .bind(id, acct.accountId, JSON.stringify(message), createdAt)
    .run();
}

const callback = (body: string): EngineMessage => ({
  type: "callback",
  accountId: acct.accountId,
  url: "https://hooks.example.com/cb",
  body,
  attempt: 0,
});

async function ledger(runId: string) {
  return shardD1()
    .prepare("SELECT state, reason, sent_at FROM run_ledger WHERE id = ?")
    .bind(runId)
    .first<{ state: string; reason: string | null; sent_at: number | null }>();
}

const outboxIds = async () =>
  (
    await shardD1()
      .prepare("SELECT id FROM outbox WHERE account_id = ? ORDER BY id")
      .bind(acct.accountId)
      .all<{ id: string }>()
  ).results.map((r) => r.id);

const runIds = (sent: Array<{ body: EngineMessage }>) =>
  sent.flatMap((m) => (m.body.type === "run" ? [m.body.runId] : []));

describe("one message the queue refuses is isolated; the rest of the batch goes", () => {
  it("an oversized callback in the relay's pass: the runs and the other entry are sent, it is given up", async () => {
    const runs = [await unsentRun(), await unsentRun(), await unsentRun()];
    await outboxEntry("exe_a:callback", callback("x".repeat(200_000)));
    await outboxEntry("exe_b:callback", callback("small"));
    const queue = limitedQueue();
    const deps = { ...testDeps({ now: () => T + 11 * MIN }), queue };
    const report = await relayStranded(deps);
    expect(report).toMatchObject({ runs: 3, outbox: 2, unsendable: 1 });
    expect(runIds(queue.sent).sort()).toEqual(runs.map((r) => r.runId).sort());
    expect(queue.sent.filter((m) => m.body.type === "callback")).toHaveLength(1);
    for (const r of runs) expect((await ledger(r.runId))?.sent_at).toBe(T + 11 * MIN);
    // The refused entry is gone (given up, logged with its body), so the next pass sends nothing again.
    expect(await outboxIds()).toEqual([]);
    queue.sent.length = 0;
    expect(await relayStranded(deps)).toMatchObject({ runs: 0, outbox: 0 });
  });

  it("a run whose message the queue refuses is closed dead, undelivered, with the queue's answer in its log", async () => {
    const good = await unsentRun();
    const bad = await unsentRun(T + 1000);
    const queue = limitedQueue((b) => b.type === "run" && b.runId === bad.runId);
    const ex = scriptedExecutor({});
    const deps = { ...testDeps({ executor: ex, now: () => T + MIN }), queue };
    await relayStranded(deps);
    expect(runIds(queue.sent)).toEqual([good.runId]);
    expect(ex.calls).toBe(0);
    expect(await ledger(bad.runId)).toMatchObject({ state: "dead", reason: "undelivered" });
    const [log] = await storedLogs(shardD1(), [bad.jobId]);
    expect(log).toMatchObject({ status: "error", response_code: null });
    expect(log?.error_message).toMatch(/^Not delivered: the queue refused the run's message \(Error: Queue sendBatch/);
    // The healthy run still runs.
    expect((await consumeRun(deps, good)).result).toBe("executed");
  });

  it("a queue that refuses everything is an outage, not a bad message: nothing is dead-lettered", async () => {
    const msg = await unsentRun();
    await outboxEntry("exe_c:callback", callback("small"));
    const queue = limitedQueue();
    queue.down = true;
    const deps = { ...testDeps({ now: () => T + 11 * MIN }), queue };
    await expect(relayStranded(deps)).rejects.toThrow(/service unavailable/);
    expect(await ledger(msg.runId)).toMatchObject({ state: "queued", sent_at: null });
    expect(await outboxIds()).toEqual(["exe_c:callback"]);
    queue.down = false;
    await relayStranded(deps);
    expect(runIds(queue.sent)).toEqual([msg.runId]);
    expect(await outboxIds()).toEqual([]);
  });

  it("a full pass over 256 KB goes in batches under the byte limit, none refused", async () => {
    for (let k = 0; k < 100; k++) await outboxEntry(`exe_${k}:callback`, callback("y".repeat(3_000)));
    const queue = limitedQueue();
    const deps = { ...testDeps({ now: () => T + 11 * MIN }), queue };
    expect(await relayStranded(deps)).toMatchObject({ outbox: 100, unsendable: 0 });
    expect(queue.sent).toHaveLength(100);
    expect(queue.calls).toBe(Math.ceil((100 * 3_100) / SEND_BATCH_MAX_BYTES));
  });

  it("an alert whose message is refused: its delivery is recorded failed with the reason, the entry goes", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR });
    await shardD1()
      .prepare(
        `INSERT INTO deliveries (id, account_id, source, source_id, execution_id, kind, event, channel, target, payload, fired_at)
         VALUES ('exe_d:alert:0', ?, 'job', ?, 'exe_d', 'alert', 'failure', 'webhook', 'https://hooks.example.com/a', '{}', ?)`,
      )
      .bind(acct.accountId, job.id, T)
      .run();
    const alert: EngineMessage = { type: "alert", accountId: acct.accountId, deliveryId: "exe_d:alert:0", attempt: 0 };
    await outboxEntry("exe_d:alert:0", alert);
    await outboxEntry("exe_e:callback", callback("small"));
    const queue = limitedQueue((b) => b.type === "alert");
    await relayStranded({ ...testDeps({ now: () => T + 11 * MIN }), queue });
    const row = await shardD1()
      .prepare("SELECT state, last_error FROM deliveries WHERE id = 'exe_d:alert:0'")
      .first<{ state: string; last_error: string }>();
    expect(row).toMatchObject({ state: "failed" });
    expect(row?.last_error).toMatch(/^the queue refused its message/);
    expect(queue.sent.map((m) => m.body.type)).toEqual(["callback"]);
    expect(await outboxIds()).toEqual([]);
  });

  it("sendAll isolates too: what went is kept, the refused ones are named", async () => {
    const queue = limitedQueue((b) => b.type === "callback" && b.body === "bad");
    const messages = ["ok1", "bad", "ok2"].map((body) => ({ body: callback(body), contentType: "json" as const }));
    const err = await sendAll(queue, messages).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsendableMessagesError);
    expect((err as UnsendableMessagesError).unsendable).toEqual([
      { index: 1, error: expect.stringMatching(/refused/) },
    ]);
    expect(queue.sent.map((m) => (m.body as { body: string }).body)).toEqual(["ok1", "ok2"]);
    // Alone and refused by the queue (not the runtime): indistinguishable from an outage, so it throws.
    await expect(sendIsolating(queue, [messages[1] as (typeof messages)[number]])).rejects.toThrow(/refused/);
    // A queue that is down costs a handful of calls, not one per message: the batch, 3 alone, the last as a probe.
    const down = limitedQueue();
    down.down = true;
    const hundred = Array.from({ length: 100 }, (_, k) => ({ body: callback(`m${k}`), contentType: "json" as const }));
    await expect(sendIsolating(down, hundred)).rejects.toThrow(/service unavailable/);
    expect(down.calls).toBe(5);
    // Three refused at the head: the probe finds the queue up, so they are isolated and the rest go.
    const headBad = limitedQueue((b) => b.type === "callback" && ["m0", "m1", "m2"].includes(b.body));
    const refused = await sendIsolating(headBad, hundred);
    expect(refused.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(headBad.sent).toHaveLength(97);
    // The runtime refusing a body it cannot serialise is the message's fault even alone.
    const typeError = { sendBatch: () => Promise.reject(new TypeError("Do not know how to serialize a BigInt")) };
    expect(await sendIsolating(typeError, [messages[0] as (typeof messages)[number]])).toHaveLength(1);
  });
});

describe("a crashed run is re-sent 2 minutes after its lease, never while it is live", () => {
  it("re-sent at the first tick ≥ 2 min past lease_until, once per 2 minutes, and run once more", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, timeoutSeconds: 5 });
    const msg = await queuedRun(job, T);
    const leased = await takeLease(db(), refOf(msg), T, 5); // the consumer died after taking it
    const leaseUntil = leased?.leaseUntil ?? 0;
    const at = (t: number) => {
      const deps = testDeps({ executor: scriptedExecutor({}), now: () => t });
      const pass = async () => {
        await relayStranded(deps);
        return runIds(deps.queue.take());
      };
      return { deps, pass };
    };
    expect(await at(leaseUntil + 1000).pass()).toEqual([]);
    expect(await at(leaseUntil + CRASH_RESEND_AFTER_MS - 1000).pass()).toEqual([]);
    const due = at(leaseUntil + CRASH_RESEND_AFTER_MS);
    expect(await due.pass()).toEqual([msg.runId]);
    // Sent again only 2 minutes after that send, if nothing took it meanwhile.
    expect(await at(leaseUntil + CRASH_RESEND_AFTER_MS + MIN).pass()).toEqual([]);
    expect(await at(leaseUntil + 2 * CRASH_RESEND_AFTER_MS).pass()).toEqual([msg.runId]);
    expect((await consumeRun(due.deps, msg)).result).toBe("executed");
    expect(await ledger(msg.runId)).toMatchObject({ state: "done" });
  });

  it("a copy delivered while the lease is live is held (a fresh delayed send), not run, not retried", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0, timeoutSeconds: 5 });
    const msg = await queuedRun(job, T);
    await takeLease(db(), refOf(msg), T, 5);
    const ex = scriptedExecutor({});
    const deps = testDeps({ executor: ex, now: () => T + 1000 });
    const hold = captureQueue();
    const batch = batchOf([msg], 9);
    await consumeBatch(deps, batch, hold);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(ex.calls).toBe(0);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    expect(hold.sent).toEqual([{ body: msg, delaySeconds: 35 }]);
  });

  it("a fenced account's stranded runs and outbox entries wait for the end of the move", async () => {
    const msg = await unsentRun();
    await outboxEntry("exe_f:callback", callback("small"));
    const fence = (at: number | null) =>
      shardD1().prepare("UPDATE accounts SET fenced_at = ? WHERE id = ?").bind(at, acct.accountId).run();
    await fence(T);
    const deps = testDeps({ now: () => T + 11 * MIN });
    expect(await relayStranded(deps)).toMatchObject({ runs: 0, outbox: 0 });
    await fence(null);
    await relayStranded(deps);
    expect(deps.queue.take().map((m) => m.body.type)).toEqual(["run", "callback"]);
    expect(await ledger(msg.runId)).toMatchObject({ sent_at: T + 11 * MIN });
  });
});
