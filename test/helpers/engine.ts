import { env } from "cloudflare:workers";
import { config } from "../../src/config";
import { createDb } from "../../src/db/client";
import type { EngineDeps } from "../../src/engine/deps";
import { createMockExecutor } from "../../src/engine/executors/mock";
import { runMessage } from "../../src/engine/follow-ups";
import { insertRunStatement, runId } from "../../src/engine/ledger";
import type { ExecutionResult, Executor } from "../../src/lib/execution";
import type { RunMessage } from "../../src/lib/messages";
import { captureQueue } from "./queue";
import { accountDb, shardD1 } from "./shards";

/** Engine dependencies over the test D1, a capturing queue, and (by default) the mock executor. */
export function testDeps(overrides: Partial<EngineDeps> = {}) {
  const queue = captureQueue();
  const deps: EngineDeps & { queue: typeof queue } = {
    db: createDb(shardD1()),
    cfg: config(env),
    executor: createMockExecutor(),
    fetch: () => Promise.reject(new Error("no fetch in this test")),
    now: () => Date.now(),
    ...overrides,
    queue,
  };
  return deps;
}

/** An executor that answers with the given results in turn (the last one repeats). */
export function scriptedExecutor(...results: Array<Partial<ExecutionResult>>): Executor & { calls: number } {
  const ex = {
    calls: 0,
    async execute() {
      const r = results[Math.min(ex.calls, results.length - 1)] ?? {};
      ex.calls++;
      return {
        status: "success",
        responseCode: 200,
        responseBody: "ok",
        errorMessage: null,
        responseTimeMs: 12,
        retryAfterSeconds: null,
        ...r,
      } as ExecutionResult;
    },
  };
  return ex;
}

export const FAIL_500: Partial<ExecutionResult> = {
  status: "failure",
  responseCode: 500,
  responseBody: '{"error":"boom"}',
  errorMessage: "Endpoint returned status code 500",
};

/** The ledger row a run message names, for the ledger's lookups (src/engine/run-row.ts RunRef). */
export const refOf = (msg: RunMessage) => ({ id: msg.runId, jobId: msg.jobId, accountId: msg.accountId });

/**
 * A schedule slot's first attempt as the tick would leave it: its ledger row (queued, sent) and its message.
 * `attempt`/`plannedAt` describe a later attempt instead.
 */
export async function queuedRun(
  job: { id: string; accountId: string },
  slot: number,
  opts: { attempt?: number; plannedAt?: number; origin?: "schedule" | "manual"; nonce?: string | null } = {},
): Promise<RunMessage> {
  const key = { jobId: job.id, slot, attempt: opts.attempt ?? 0, nonce: opts.nonce ?? null };
  await insertRunStatement(await accountDb(job.accountId), {
    ...key,
    accountId: job.accountId,
    origin: opts.origin ?? "schedule",
    plannedAt: opts.plannedAt ?? slot,
    sentAt: slot,
    now: slot,
  });
  return runMessage({ id: runId(key), jobId: job.id, accountId: job.accountId });
}
