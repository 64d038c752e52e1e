/**
 * Routing RUNS and its dead-letter queue (src/engine/route-runs.ts): every message is settled on its own. One that
 * cannot be routed (a shard the Worker does not bind, a corrupt body) never fails its batch, and the dead-letter
 * consumer reports what it cannot route instead of dropping it. Waiting messages are held, not retried.
 */
import { createExecutionContext, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createControlDb } from "../../src/db/client";
import { accountShards } from "../../src/db/control-schema";
import { DEAD_LETTER_QUEUE } from "../../src/engine/queue-handler";
import { consumeRunsBatch, DEAD_LETTER_MAX_RETRIES, MOVING_RETRY_SECONDS } from "../../src/engine/route-runs";
import type { EngineMessage } from "../../src/lib/messages";
import { directoryCache } from "../../src/shards/directory";
import wranglerToml from "../../wrangler.toml?raw";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { batchOf, captureQueue } from "../helpers/queue";
import { accountD1 } from "../helpers/shards";
import { storedLogs } from "../helpers/stored-logs";

const FAR = Date.UTC(2099, 0, 1);

async function setDirectory(accountId: string, set: { shard?: number; state?: "active" | "moving" }) {
  await createControlDb(env.DB).update(accountShards).set(set).where(eq(accountShards.accountId, accountId));
  directoryCache.clear();
}

/** A due run of a new job of `acct`: its ledger row and message. */
async function dueRun(acct: TestAccount) {
  const job = await insertJob(acct.accountId, { nextRunAt: FAR, maxRetries: 0 });
  return queuedRun(job, Date.now() - 1000);
}

async function logsOf(acct: TestAccount, jobId: string) {
  const logs = await storedLogs(await accountD1(acct.accountId), [jobId]);
  return { n: logs.length, error: logs[0]?.error_message ?? null };
}

/** The structured console lines of `event` (the Worker's logs are JSON). */
function events(spy: { mock: { calls: unknown[][] } }, event: string) {
  return spy.mock.calls
    .map((c) => {
      try {
        return JSON.parse(String(c[0])) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((e) => e.event === event);
}

let a: TestAccount;
let b: TestAccount;
let lost: TestAccount;
let errors: ReturnType<typeof vi.spyOn>;
beforeEach(async () => {
  a = await createAccount("Healthy on 0", { shard: 0 });
  b = await createAccount("Healthy on 1", { shard: 1 });
  lost = await createAccount("Directory names shard 7", { shard: 0 });
  errors = vi.spyOn(console, "error");
});
afterEach(() => {
  errors.mockRestore();
  directoryCache.clear();
});

const holdQueues = () => ({ runs: captureQueue(), deadLetters: captureQueue() });

describe("a message that cannot be routed is settled alone", () => {
  it("an unbound shard and corrupt bodies never hold up other accounts' runs in the same batch", async () => {
    const ok0 = await dueRun(a);
    const ok1 = await dueRun(b);
    const stray = await dueRun(lost);
    await setDirectory(lost.accountId, { shard: 7 });
    const corrupt = ["garbage", { type: "run" }, null] as unknown as EngineMessage[];
    const batch = batchOf([stray, ...corrupt, ok0, ok1], 3);
    await consumeRunsBatch(env, batch, { holdQueues: holdQueues() });
    const result = await getQueueResult(batch, createExecutionContext());
    expect((await logsOf(a, ok0.jobId)).n).toBe(1);
    expect((await logsOf(b, ok1.jobId)).n).toBe(1);
    const [strayId, ...others] = batch.messages.map((m) => m.id);
    // The stray one alone is retried (a deploy may bind the shard).
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([strayId]);
    expect(result.explicitAcks.sort()).toEqual(others.sort());
    expect(result.retryBatch.retry).toBe(false);
    const [unroutable] = events(errors, "queue_message_unroutable");
    expect(unroutable).toMatchObject({ queue: "edgecron-runs", id: strayId, attempts: 3 });
    expect(JSON.parse(String(unroutable?.body))).toEqual(stray);
    expect(String(unroutable?.error)).toMatch(/shard 7 is not bound/);
    expect(events(errors, "queue_message_corrupt").map((e) => e.body)).toEqual(['"garbage"', '{"type":"run"}', "null"]);
  });

  it("the dead-letter consumer reports what it cannot route and acks only what it handled", async () => {
    const ok = await dueRun(a);
    const stray = await dueRun(lost);
    await setDirectory(lost.accountId, { shard: 7 });
    const batch = batchOf([stray, ok], 11, DEAD_LETTER_QUEUE);
    await consumeRunsBatch(env, batch, { holdQueues: holdQueues() });
    const result = await getQueueResult(batch, createExecutionContext());
    const [strayId, okId] = batch.messages.map((m) => m.id);
    expect(result.explicitAcks).toEqual([okId]);
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([strayId]);
    expect((await logsOf(a, ok.jobId)).error).toMatch(/^Not delivered/);
    expect(events(errors, "queue_message_unroutable")).toMatchObject([{ queue: DEAD_LETTER_QUEUE, id: strayId }]);
    // Its last delivery: the queue deletes it after this, so the line says so, with the body to act on by hand.
    const last = batchOf([stray], DEAD_LETTER_MAX_RETRIES + 1, DEAD_LETTER_QUEUE);
    await consumeRunsBatch(env, last, { holdQueues: holdQueues() });
    const [dropped] = events(errors, "queue_message_dropped");
    expect(JSON.parse(String(dropped?.body))).toEqual(stray);
    expect(wranglerToml).toMatch(
      new RegExp(`queue = "${DEAD_LETTER_QUEUE}"\\n(?:.*\\n)*?max_retries = ${DEAD_LETTER_MAX_RETRIES}\\n`),
    );
  });
});

describe("a message waiting on a move is held, spending no delivery attempt", () => {
  it("directory `moving`: a fresh copy goes back to the queue it came from with a delay, the delivery is acked", async () => {
    const msg = await dueRun(a);
    await setDirectory(a.accountId, { state: "moving" });
    try {
      for (const queue of ["edgecron-runs", DEAD_LETTER_QUEUE]) {
        const held = holdQueues();
        const batch = batchOf([msg], 9, queue);
        await consumeRunsBatch(env, batch, { holdQueues: held });
        const result = await getQueueResult(batch, createExecutionContext());
        expect(result.explicitAcks).toHaveLength(1);
        expect(result.retryMessages).toEqual([]);
        const to = queue === DEAD_LETTER_QUEUE ? held.deadLetters : held.runs;
        expect(to.sent).toEqual([{ body: msg, delaySeconds: MOVING_RETRY_SECONDS }]);
      }
      expect((await logsOf(a, msg.jobId)).n).toBe(0);
    } finally {
      await setDirectory(a.accountId, { state: "active" });
    }
  });

  it("the shard's fence (an isolate still trusting its cached directory): held as well", async () => {
    const msg = await dueRun(a);
    const d1 = await accountD1(a.accountId);
    await d1.prepare("UPDATE accounts SET fenced_at = ? WHERE id = ?").bind(Date.now(), a.accountId).run();
    try {
      const held = holdQueues();
      const batch = batchOf([msg], 10);
      await consumeRunsBatch(env, batch, { holdQueues: held });
      const result = await getQueueResult(batch, createExecutionContext());
      expect(result.retryMessages).toEqual([]);
      expect(result.explicitAcks).toHaveLength(1);
      expect(held.runs.sent).toEqual([{ body: msg, delaySeconds: MOVING_RETRY_SECONDS }]);
    } finally {
      await d1.prepare("UPDATE accounts SET fenced_at = NULL WHERE id = ?").bind(a.accountId).run();
    }
  });

  it("when the held copy cannot be sent, the delivery is retried instead (never lost)", async () => {
    const msg = await dueRun(a);
    await setDirectory(a.accountId, { state: "moving" });
    try {
      const held = holdQueues();
      held.runs.failOnce();
      const batch = batchOf([msg], 2);
      await consumeRunsBatch(env, batch, { holdQueues: held });
      const result = await getQueueResult(batch, createExecutionContext());
      expect(result.retryMessages.map((r) => r.msgId)).toEqual([batch.messages[0]?.id]);
      expect(result.explicitAcks).toEqual([]);
    } finally {
      await setDirectory(a.accountId, { state: "active" });
    }
  });
});
