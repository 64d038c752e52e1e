import { env } from "cloudflare:workers";
import { config } from "../../src/config";
import { createDb } from "../../src/db/client";
import type { EngineDeps } from "../../src/engine/deps";
import { createMockExecutor } from "../../src/engine/executors/mock";
import type { ExecutionResult, Executor } from "../../src/engine/executors/types";
import { captureQueue } from "./queue";

/** Engine dependencies over the test D1, a capturing queue, and (by default) the mock executor. */
export function testDeps(overrides: Partial<EngineDeps> = {}) {
  const queue = captureQueue();
  const deps: EngineDeps & { queue: typeof queue } = {
    db: createDb(env.DB),
    cfg: config(env),
    executor: createMockExecutor(),
    fetch: () => Promise.reject(new Error("no fetch in this test")),
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
