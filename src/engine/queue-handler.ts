import pLimit from "p-limit";
import { abandonAlert, deliverAlert } from "../alerts/deliver";
import { deliverCallback } from "./callbacks";
import { consumeRun } from "./consume";
import { closeDeadRun } from "./dead-letter";
import type { EngineDeps } from "./deps";
import type { EngineMessage } from "./messages";

/** The dead-letter queue of RUNS (wrangler.toml `dead_letter_queue`). */
export const DEAD_LETTER_QUEUE = "edgecron-runs-dlq";

/**
 * Messages of one batch handled at once. An invocation has 6 simultaneous connections and D1 shares them: with at
 * most 4 target calls in flight, the lease and record queries of healthy runs always find one (Cloudflare Workers
 * limits: simultaneous open connections).
 */
export const MAX_IN_FLIGHT = 4;

/** Seconds before a failed delivery is tried again: 10 s doubling per delivery, at most 10 minutes. */
export function redeliveryDelaySeconds(attempts: number): number {
  return Math.min(10 * 2 ** Math.max(0, attempts - 1), 600);
}

/**
 * The queue() handler for RUNS and its dead-letter queue: messages are handled concurrently, at most
 * MAX_IN_FLIGHT at a time, each acked on its own; an unexpected failure retries just that message, later each time.
 */
export async function consumeBatch(deps: EngineDeps, batch: MessageBatch<EngineMessage>) {
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
            if (result === "busy") return message.retry({ delaySeconds: retryAfterSeconds ?? 10 });
          } else if (body?.type === "alert") {
            const result = deadLetters ? await abandonAlert(deps, body) : await deliverAlert(deps, body);
            console.log(JSON.stringify({ event: "alert", id: body.deliveryId, attempt: body.attempt, result }));
          } else if (body?.type === "callback") {
            const result = deadLetters ? "gave-up" : await deliverCallback(deps, body);
            console.log(JSON.stringify({ event: "callback", url: body.url, attempt: body.attempt, result }));
          } else {
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
