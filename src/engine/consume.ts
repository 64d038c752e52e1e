import { findLiveJob } from "../jobs/repository";
import { deliverCallback } from "./callbacks";
import type { EngineDeps } from "./deps";
import { executionId } from "./execution-id";
import type { EngineMessage, RunMessage } from "./messages";
import { executionExists } from "./record";
import { runAttempt } from "./run";

export type ConsumeResult = "executed" | "duplicate" | "skipped";

/**
 * Handles one run message. Delivery is at least once, so it is idempotent: the execution id comes from
 * (job, slot, attempt) and an existing log means the work is done. The job is re-read, so a job deleted
 * or paused since it was claimed (or during its retries) does not run.
 */
export async function consumeRun(deps: EngineDeps, msg: RunMessage): Promise<ConsumeResult> {
  const job = await findLiveJob(deps.db, msg.jobId);
  if (!job?.isActive) return "skipped";
  if (await executionExists(deps.db, executionId(msg.jobId, msg.slot, msg.attempt))) return "duplicate";
  const outcome = await runAttempt(deps, job, msg);
  return outcome.recorded ? "executed" : "duplicate";
}

/** The queue() handler: each message acked on its own; an unexpected failure retries just that message. */
export async function consumeBatch(deps: EngineDeps, batch: MessageBatch<EngineMessage>) {
  for (const message of batch.messages) {
    try {
      const body = message.body;
      if (body?.type === "run") {
        const result = await consumeRun(deps, body);
        console.log(
          JSON.stringify({ event: "run", job_id: body.jobId, slot: body.slot, attempt: body.attempt, result }),
        );
      } else if (body?.type === "callback") {
        const result = await deliverCallback(deps, body);
        console.log(JSON.stringify({ event: "callback", url: body.url, attempt: body.attempt, result }));
      } else {
        console.warn(JSON.stringify({ event: "queue_unknown_message", id: message.id }));
      }
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ event: "queue_message_failed", id: message.id, error: String(err) }));
      message.retry({ delaySeconds: 10 });
    }
  }
}
