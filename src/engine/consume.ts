import type { Config } from "../config";
import type { Db } from "../db/client";
import { findLiveJob } from "../jobs/repository";
import { executionId } from "./execution-id";
import { type EngineMessage, type MessageSender, type RunMessage, sendAll } from "./messages";
import { executionExists } from "./record";
import { runAttempt } from "./run";

export type ConsumeResult = "executed" | "duplicate" | "skipped";

/**
 * Handles one run message. Delivery is at least once, so it is idempotent: the execution id comes from
 * (job, slot, attempt) and an existing log means the work is done. The job is re-read, so a job deleted
 * or paused since it was claimed (or during its retries) does not run.
 */
export async function consumeRun(db: Db, cfg: Config, queue: MessageSender, msg: RunMessage): Promise<ConsumeResult> {
  const job = await findLiveJob(db, msg.jobId);
  if (!job?.isActive) return "skipped";
  if (await executionExists(db, executionId(msg.jobId, msg.slot, msg.attempt))) return "duplicate";
  const outcome = await runAttempt(db, cfg, job, msg);
  if (outcome.recorded && outcome.retryInSeconds !== null) {
    await sendAll(queue, [
      {
        body: { ...msg, attempt: msg.attempt + 1 } satisfies RunMessage,
        contentType: "json",
        delaySeconds: outcome.retryInSeconds,
      },
    ]);
  }
  return outcome.recorded ? "executed" : "duplicate";
}

/** The queue() handler: each message acked on its own; an unexpected failure retries just that message. */
export async function consumeBatch(db: Db, cfg: Config, queue: MessageSender, batch: MessageBatch<EngineMessage>) {
  for (const message of batch.messages) {
    try {
      const body = message.body;
      if (body?.type !== "run") {
        console.warn(JSON.stringify({ event: "queue_unknown_message", id: message.id }));
        message.ack();
        continue;
      }
      const result = await consumeRun(db, cfg, queue, body);
      console.log(JSON.stringify({ event: "run", job_id: body.jobId, slot: body.slot, attempt: body.attempt, result }));
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ event: "run_failed", id: message.id, error: String(err) }));
      message.retry({ delaySeconds: 10 });
    }
  }
}
