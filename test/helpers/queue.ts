import { createMessageBatch } from "cloudflare:test";
import type { EngineMessage, MessageSender } from "../../src/lib/messages";

/**
 * A queue stand-in that records what the engine sends, with the delay asked for. `failOnce()`: the next send fails,
 * and so does any one-by-one retry of its messages (src/lib/messages.ts sendIsolating): the queue was down for it.
 */
export function captureQueue() {
  const sent: Array<{ body: EngineMessage; delaySeconds?: number }> = [];
  let failNext = false;
  let downFor: Set<unknown> | null = null;
  const queue: MessageSender & { sent: typeof sent; failOnce(): void; take(): typeof sent } = {
    sent,
    async sendBatch(messages) {
      const list = [...messages];
      if (failNext) {
        failNext = false;
        downFor = new Set(list.map((m) => m.body));
        throw new Error("queue unavailable");
      }
      if (downFor && list.every((m) => downFor?.has(m.body))) throw new Error("queue unavailable");
      downFor = null;
      for (const m of list) sent.push({ body: m.body, delaySeconds: m.delaySeconds });
    },
    failOnce() {
      failNext = true;
    },
    take() {
      return sent.splice(0, sent.length);
    },
  };
  return queue;
}

/** A MessageBatch as the runtime would deliver it, with ack/retry observable through getQueueResult. */
export function batchOf(bodies: EngineMessage[], attempts = 1, queue = "edgecron-runs") {
  return createMessageBatch<EngineMessage>(
    queue,
    bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts, body })),
  );
}
