import pLimit from "p-limit";
import type { EngineMessage, MessageSender } from "../lib/messages";
import { abandonCallback, deliverCallback } from "./callbacks";
import { consumeRun } from "./consume";
import { closeDeadRun } from "./dead-letter";
import { abandon, deliver } from "./deliver";
import type { EngineDeps } from "./deps";

/** The dead-letter queue of RUNS (wrangler.toml `dead_letter_queue`). */
export const DEAD_LETTER_QUEUE = "edgecron-runs-dlq";

/**
 * Messages in flight per batch: an invocation has 6 simultaneous connections shared with D1, so 4 target calls
 * leave room for lease and record queries (Cloudflare Workers limits).
 */
export const MAX_IN_FLIGHT = 4;

/** A queue consumer invocation's wall-time limit for its whole batch (Cloudflare Queues limits: 15 minutes). */
export const CONSUMER_WALL_TIME_SECONDS = 15 * 60;

/*
 * Every run consumer has max_batch_size = MAX_IN_FLIGHT, so a batch's messages start together: four 600 s runs
 * end near 600 s, inside the 900 s limit. test/engine/long-timeouts.test.ts holds wrangler.toml to this.
 */

/** Seconds before a failed delivery is tried again: 10 s doubling per delivery, at most 10 minutes. */
export function redeliveryDelaySeconds(attempts: number): number {
  return Math.min(10 * 2 ** Math.max(0, attempts - 1), 600);
}

/** The longest delaySeconds a message may be sent with (Cloudflare Queues limits: 12 hours). */
export const MAX_QUEUE_DELAY_SECONDS = 12 * 3600;

/**
 * Holds a message that is waiting, not failing (a move's fence, a lease held elsewhere, an early copy): a fresh copy
 * sent to `queue` with the delay, then the delivery acked, so waiting spends none of the queue's max_retries
 * (message.retry counts as a delivery attempt: Cloudflare Queues, "Batching, Retries and Delays"). Without a
 * queue, or when that send fails, it falls back to retry().
 */
export async function holdMessage(
  queue: MessageSender | undefined,
  message: Message<EngineMessage>,
  delaySeconds: number,
): Promise<void> {
  const delay = Math.min(Math.max(1, Math.ceil(delaySeconds)), MAX_QUEUE_DELAY_SECONDS);
  if (queue) {
    try {
      await queue.sendBatch([{ body: message.body, contentType: "json", delaySeconds: delay }]);
      message.ack();
      return;
    } catch (err) {
      console.error(JSON.stringify({ event: "queue_hold_failed", id: message.id, error: String(err) }));
    }
  }
  message.retry({ delaySeconds: delay });
}

/**
 * The queue() handler for RUNS and its dead-letter queue: at most MAX_IN_FLIGHT at once, each acked alone. A run
 * that must wait (`busy`) is held on `holdQueue` (the queue the batch came from), see holdMessage.
 */
export async function consumeBatch(deps: EngineDeps, batch: MessageBatch<EngineMessage>, holdQueue?: MessageSender) {
  const deadLetters = batch.queue === DEAD_LETTER_QUEUE;
  const limit = pLimit(MAX_IN_FLIGHT);
  await Promise.all(
    batch.messages.map((message) =>
      limit(async () => {
        try {
          const body = message.body;
          if (body?.type === "run") {
            const { result, retryAfterSeconds } = deadLetters
              ? await closeDeadRun(deps, body, message.attempts)
              : await consumeRun(deps, body);
            console.log(
              JSON.stringify({
                event: deadLetters ? "dead_run" : "run",
                run_id: body.runId,
                job_id: body.jobId,
                result,
              }),
            );
            if (result === "busy") return await holdMessage(holdQueue, message, retryAfterSeconds ?? 10);
          } else if (body?.type === "alert") {
            const result = deadLetters ? await abandon(deps, body) : await deliver(deps, body);
            console.log(JSON.stringify({ event: "alert", id: body.deliveryId, attempt: body.attempt, result }));
          } else if (body?.type === "callback") {
            const result = deadLetters ? await abandonCallback(deps, body) : await deliverCallback(deps, body);
            console.log(
              JSON.stringify({ event: "callback", id: body.deliveryId, url: body.url, attempt: body.attempt, result }),
            );
          } else {
            // A type added to EngineMessage (src/lib/messages.ts) without a branch here fails to compile.
            const _unhandled: never = body;
            console.warn(JSON.stringify({ event: "queue_unknown_message", id: message.id }));
          }
          message.ack();
        } catch (err) {
          console.error(JSON.stringify({ event: "queue_message_failed", id: message.id, error: String(err) }));
          message.retry({ delaySeconds: redeliveryDelaySeconds(message.attempts) });
        }
      }),
    ),
  );
}
