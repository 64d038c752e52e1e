import { config } from "./config";
import { engineDeps } from "./engine/deps";
import { dispatchTick } from "./engine/dispatch";
import { migrateStore } from "./engine/migrate-logs";
import { relayStranded } from "./engine/relay";
import { sweep } from "./retention/sweep";
import { shardNumbers } from "./shards/bindings";
import { shardDb } from "./shards/resolve";

/** The queue of per-shard ticks and sweeps (wrangler.toml, consumer max_batch_size 1). */
export const TICKS_QUEUE = "edgecron-ticks";

/**
 * One shard's share of a Cron Trigger: the dispatch tick (and the relay after it), or the retention sweep.
 * `scheduledTime` is the trigger's (epoch ms), so a redelivered tick claims exactly what the first would have.
 */
export interface ShardTickMessage {
  type: "shard-tick";
  task: "dispatch" | "sweep";
  shard: number;
  scheduledTime: number;
}

/** The part of the TICKS binding used, so tests can capture what is sent. */
export interface TickSender {
  sendBatch(messages: Iterable<MessageSendRequest<ShardTickMessage>>): Promise<unknown>;
}

/**
 * The Cron Trigger's whole job: one message per shard. Why a queue and not a loop in this invocation: an
 * invocation may make 1,000 D1 queries (Workers Paid) and a sub-hourly Cron Trigger gets 30 s of CPU; a tick costs
 * about 2 queries per 100 due jobs plus the relay's, so a loop over 16 busy shards would spend one shared budget
 * that a single shard's tick already approaches at scale. Each shard's message gets a consumer invocation (and
 * budget) of its own, and Queues runs them concurrently. sendBatch takes 100 messages per call (Queues limit).
 */
export async function fanOutShardTicks(
  ticks: TickSender,
  shards: number[],
  task: ShardTickMessage["task"],
  scheduledTime: number,
): Promise<number> {
  for (let i = 0; i < shards.length; i += 100) {
    await ticks.sendBatch(
      shards.slice(i, i + 100).map((shard) => ({
        body: { type: "shard-tick", task, shard, scheduledTime } satisfies ShardTickMessage,
        contentType: "json" as const,
      })),
    );
  }
  return shards.length;
}

/** Fans a Cron Trigger out to every shard of this deployment. */
export function fanOutToEveryShard(env: Env, task: ShardTickMessage["task"], scheduledTime: number) {
  return fanOutShardTicks(env.TICKS as unknown as TickSender, shardNumbers(env), task, scheduledTime);
}

/**
 * Runs one shard's tick or sweep against that shard's primary. A tick that used its page budget (MAX_PAGES) and a
 * sweep that stopped at its time budget with expired rows left send themselves again, so neither is capped by one
 * invocation's 1,000 queries: a busy shard's tick and a retention backlog both finish across invocations.
 */
export async function runShardTick(
  env: Env,
  msg: ShardTickMessage,
  /** Tests only: a smaller page budget or sweep time budget (ms) than MAX_PAGES and SWEEP_BUDGET_MS. */
  budgets: { maxPages?: number; sweepBudgetMs?: number } = {},
): Promise<void> {
  const db = shardDb(env, msg.shard);
  if (msg.task === "dispatch") {
    const tick = await dispatchTick(db, env.RUNS, msg.scheduledTime, Date.now(), { maxPages: budgets.maxPages });
    // A tick that used its page budget continues in an invocation (and query budget) of its own.
    if (!tick.complete) {
      await fanOutShardTicks(env.TICKS as unknown as TickSender, [msg.shard], "dispatch", msg.scheduledTime);
      return;
    }
    await relayStranded(engineDeps(env, db));
    // Legacy logs move to the current layout a chunk at a time, in what is left of the tick's budgets.
    await migrateStore(db);
    return;
  }
  const report = await sweep(db, {
    retentionDays: config(env).RETENTION_DAYS,
    now: msg.scheduledTime,
    budgetMs: budgets.sweepBudgetMs,
  });
  if (!report.complete)
    await fanOutShardTicks(env.TICKS as unknown as TickSender, [msg.shard], "sweep", msg.scheduledTime);
}

/** The TICKS queue's consumer: each message on its own; a failure retries that message after 10 s. */
export async function consumeShardTicks(env: Env, batch: MessageBatch<ShardTickMessage>): Promise<void> {
  for (const message of batch.messages) {
    try {
      if (message.body?.type !== "shard-tick") {
        console.warn(JSON.stringify({ event: "tick_unknown_message", id: message.id }));
      } else {
        await runShardTick(env, message.body);
      }
      message.ack();
    } catch (err) {
      console.error(JSON.stringify({ event: "shard_tick_failed", id: message.id, error: String(err) }));
      message.retry({ delaySeconds: 10 });
    }
  }
}
