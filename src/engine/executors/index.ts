import type { Executor } from "../../lib/execution";
import { createHttpExecutor, type HttpExecutorOptions } from "./http";
import { createMockExecutor } from "./mock";

export type { ExecutionRequest, ExecutionResult, Executor } from "../../lib/execution";
export type { HttpExecutorOptions } from "./http";

export type ExecutorKind = "mock" | "http";

/** The executor the EXECUTOR var selects; `opts` only matters for "http". */
export function createExecutor(
  kind: ExecutorKind,
  opts: HttpExecutorOptions = { allowPrivateTargets: false },
): Executor {
  return kind === "http" ? createHttpExecutor(opts) : createMockExecutor();
}
