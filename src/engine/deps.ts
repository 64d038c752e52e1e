import { type Config, config } from "../config";
import type { Db } from "../db/client";
import type { Executor } from "../lib/execution";
import type { MessageSender } from "../lib/messages";
import { createExecutor } from "./executors";

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

/** The engine over one shard: `db` is that shard's database (src/shards/resolve.ts chooses it). */
export function engineDeps(env: Env, db: Db): EngineDeps {
  const cfg = config(env);
  return {
    db,
    cfg,
    queue: env.RUNS,
    executor: createExecutor(cfg.EXECUTOR, { allowPrivateTargets: cfg.ALLOW_PRIVATE_TARGETS }),
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
  };
}
