import { config } from "./config";
import { expireDeadlines } from "./engine/completion-record";
import { engineDeps } from "./engine/deps";
import { dispatchTick } from "./engine/dispatch";
import { sendFollowUps } from "./engine/follow-ups";
import { migrateStore } from "./engine/migrate-logs";
import { relayStranded } from "./engine/relay";
import { resumePausedJobs } from "./engine/resume";
import { maintainWindows } from "./metrics/windows";
import { checkMonitors } from "./monitors/check";
import { sweep } from "./retention/sweep";
import { shardNumbers } from "./shards/bindings";
import { shardDb } from "./shards/resolve";

/** The queue of per-shard ticks and sweeps (wrangler.toml, consumer max_batch_size 1). */
export const TICKS_QUEUE = "edgecron-ticks";

/**
 * One shard's tick (dispatch, monitor check, relay), a monitor check continuing one, or its sweep; `scheduledTime` is
 * the trigger's, so a redelivery claims the same.
 */
export interface ShardTickMessage {
  type: "shard-tick";
  task: "dispatch" | "monitors" | "sweep";
  shard: number;
  scheduledTime: number;
}

/** The part of the TICKS binding used, so tests can capture what is sent. */
export interface TickSender {
  sendBatch(messages: Iterable<MessageSendRequest<ShardTickMessage>>): Promise<unknown>;
}

/**
 * The Cron Trigger sends one message per shard: an invocation may make 1,000 D1 queries (Workers Paid) and a tick
 * costs ~2 per 100 due jobs, so each shard gets its own consumer invocation and budget. sendBatch takes 100
 * messages per call (Queues limits).
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
 * One shard's tick or sweep on its primary. Either re-sends itself when its budget runs out with work left, so
 * neither is capped by one invocation's 1,000 queries.
 */
export async function runShardTick(
  env: Env,
  msg: ShardTickMessage,
  /** Tests only: smaller budgets than MAX_PAGES, SWEEP_BUDGET_MS (ms) and CHECK_QUERY_BUDGET (D1 queries). */
  budgets: { maxPages?: number; sweepBudgetMs?: number; monitorQueries?: number } = {},
): Promise<void> {
  const db = shardDb(env, msg.shard);
  if (msg.task === "monitors") {
    await checkShardMonitors(env, msg, budgets.monitorQueries);
    return;
  }
  if (msg.task === "dispatch") {
    // Jobs paused until this tick are active again before the claims, so a slot at paused_until runs now.
    await resumePausedJobs(db, msg.scheduledTime);
    const tick = await dispatchTick(db, env.RUNS, msg.scheduledTime, Date.now(), {
      maxPages: budgets.maxPages,
      shard: msg.shard,
      // Calendars and windows are cached as long as directory entries: an edit applies within that TTL.
      rulesTtlMs: config(env).DIRECTORY_CACHE_SECONDS * 1000,
    });
    // Monitors ride the same tick, in a query budget of their own, so dispatch keeps its share.
    await checkShardMonitors(env, msg, budgets.monitorQueries);
    // Awaiting runs past their deadline become `timeout`, in a budget of their own; the rest wait a minute.
    await expireDeadlines(engineDeps(env, db), Math.max(msg.scheduledTime, Date.now()));
    // A tick that used its page budget continues in an invocation (and query budget) of its own.
    if (!tick.complete) {
      await fanOutShardTicks(env.TICKS as unknown as TickSender, [msg.shard], "dispatch", msg.scheduledTime);
      return;
    }
    await relayStranded(engineDeps(env, db));
    // Legacy logs move to the current layout a chunk at a time, in what is left of the tick's budgets.
    await migrateStore(db);
    // Latency windows (scraped accounts' jobs, busy jobs) move to the last closed hour, so scrapes only read. Derived:
    // a failure is logged and the next tick retries; it must not redo the dispatch above.
    const now = Math.max(msg.scheduledTime, Date.now());
    try {
      const windows = await maintainWindows(db, now, config(env).RETENTION_DAYS);
      if (windows.windows > 0) console.log(JSON.stringify({ event: "latency_windows", shard: msg.shard, ...windows }));
    } catch (err) {
      console.error(JSON.stringify({ event: "latency_windows_failed", shard: msg.shard, error: String(err) }));
    }
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

/**
 * Flips the shard's monitors past their deadline to `down` and sends their alerts (src/monitors/check.ts); a check
 * that used its query budget continues in an invocation of its own. A trigger fired for a later time (tests,
 * `wrangler dev`'s scheduled handler) checks as of then.
 */
async function checkShardMonitors(env: Env, msg: ShardTickMessage, queryBudget?: number): Promise<void> {
  const db = shardDb(env, msg.shard);
  const deps = engineDeps(env, db);
  const report = await checkMonitors(
    db,
    Math.max(msg.scheduledTime, Date.now()),
    (entries) => sendFollowUps(deps, [], entries),
    { queryBudget },
  );
  if (!report.complete)
    await fanOutShardTicks(env.TICKS as unknown as TickSender, [msg.shard], "monitors", msg.scheduledTime);
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
