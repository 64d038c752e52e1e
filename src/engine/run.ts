import type { Config } from "../config";
import type { Db } from "../db/client";
import type { CronJobRow } from "../db/schema";
import { executionId } from "./execution-id";
import { createExecutor } from "./executors";
import type { ExecutionResult } from "./executors/types";
import type { RunMessage } from "./messages";
import { recordExecution } from "./record";
import { retryDelaySeconds } from "./retry";

export interface RunOutcome {
  executionId: string;
  executedAt: number;
  result: ExecutionResult;
  /** Set when another attempt should follow, after this many seconds. */
  retryInSeconds: number | null;
  /** False when the log already existed (a redelivered message). */
  recorded: boolean;
}

/**
 * One attempt of one slot of a job, the single code path for scheduled, retried and manual runs:
 * execute with the configured executor, then record the log and counters together.
 */
export async function runAttempt(db: Db, cfg: Config, job: CronJobRow, msg: RunMessage): Promise<RunOutcome> {
  const id = executionId(job.id, msg.slot, msg.attempt);
  const executor = createExecutor(cfg.EXECUTOR, { allowPrivateTargets: cfg.ALLOW_PRIVATE_TARGETS });
  const executedAt = Date.now();
  const result = await executor.execute({
    executionId: id,
    endpointUrl: job.endpointUrl,
    method: job.method,
    headers: JSON.parse(job.headers) as Record<string, string>,
    body: job.body,
    timeoutSeconds: job.timeoutSeconds,
  });
  const retryInSeconds =
    result.status !== "success" && msg.attempt < job.maxRetries ? retryDelaySeconds(job, msg.attempt, result) : null;
  const recorded = await recordExecution(db, {
    executionId: id,
    jobId: job.id,
    accountId: job.accountId,
    executedAt,
    attempt: msg.attempt,
    result,
    final: retryInSeconds === null,
  });
  return { executionId: id, executedAt, result, retryInSeconds, recorded };
}
