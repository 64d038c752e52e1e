import { createHttpExecutor, type HttpExecutorOptions } from "./http";
import { createMockExecutor } from "./mock";
import type { Executor } from "./types";

export type { HttpExecutorOptions } from "./http";
export type { ExecutionRequest, ExecutionResult, Executor } from "./types";

export type ExecutorKind = "mock" | "http";

/** The executor the EXECUTOR var selects; `opts` only matters for "http". */
export function createExecutor(
  kind: ExecutorKind,
  opts: HttpExecutorOptions = { allowPrivateTargets: false },
): Executor {
  return kind === "http" ? createHttpExecutor(opts) : createMockExecutor();
}
