import { type Config, config } from "../config";
import { createDb, type Db } from "../db/client";
import { createExecutor } from "./executors";
import type { Executor } from "./executors/types";
import type { MessageSender } from "./messages";

/** What the engine needs from the outside world; tests swap the executor, the queue and fetch. */
export interface EngineDeps {
  db: Db;
  cfg: Config;
  queue: MessageSender;
  executor: Executor;
  /** Used for callback deliveries. */
  fetch: typeof fetch;
  /** The engine's clock (epoch ms): leases, planned times and executed_at; tests drive it. */
  now: () => number;
}

export function engineDeps(env: Env): EngineDeps {
  const cfg = config(env);
  return {
    db: createDb(env.DB),
    cfg,
    queue: env.RUNS,
    executor: createExecutor(cfg.EXECUTOR, { allowPrivateTargets: cfg.ALLOW_PRIVATE_TARGETS }),
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
  };
}
