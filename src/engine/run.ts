import type { CronJobRow } from "../db/schema";
import { callbackPayload, callbackTarget, enqueueCallback } from "./callbacks";
import type { EngineDeps } from "./deps";
import { executionId } from "./execution-id";
import type { ExecutionResult } from "./executors/types";
import { type RunMessage, send } from "./messages";
import { recordExecution } from "./record";
import { retryDelaySeconds } from "./retry";

export interface RunOutcome {
  executionId: string;
  executedAt: number;
  result: ExecutionResult;
  /** Set when another attempt follows, after this many seconds. */
  retryInSeconds: number | null;
  /** False when the log already existed (a redelivered message): nothing follows then. */
  recorded: boolean;
}

/**
 * One attempt of one slot of a job — the single code path for scheduled, retried and manual runs: execute,
 * record the log and the counters together, then either queue the next attempt or, on the final outcome,
 * queue the callback.
 */
export async function runAttempt(deps: EngineDeps, job: CronJobRow, msg: RunMessage): Promise<RunOutcome> {
  const id = executionId(job.id, msg.slot, msg.attempt);
  const executedAt = Date.now();
  const result = await deps.executor.execute({
    executionId: id,
    endpointUrl: job.endpointUrl,
    method: job.method,
    headers: JSON.parse(job.headers) as Record<string, string>,
    body: job.body,
    timeoutSeconds: job.timeoutSeconds,
  });
  const retryInSeconds =
    result.status !== "success" && msg.attempt < job.maxRetries ? retryDelaySeconds(job, msg.attempt, result) : null;
  const recorded = await recordExecution(deps.db, {
    executionId: id,
    jobId: job.id,
    accountId: job.accountId,
    executedAt,
    attempt: msg.attempt,
    result,
    final: retryInSeconds === null,
  });
  if (recorded) {
    if (retryInSeconds !== null) {
      await send(deps.queue, { ...msg, attempt: msg.attempt + 1 }, retryInSeconds);
    } else {
      const url = callbackTarget(job, result.status);
      if (url) {
        const payload = callbackPayload(job, { executionId: id, executedAt, attempt: msg.attempt, result });
        await enqueueCallback(deps, job.accountId, url, payload);
      }
    }
  }
  return { executionId: id, executedAt, result, retryInSeconds, recorded };
}
