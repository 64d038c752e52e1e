import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { cronJobs } from "../db/schema";
import { type EngineMessage, isEngineMessage, type MessageSender } from "../lib/messages";
import { MOVING_RETRY_SECONDS } from "../shards/move";
import { accountShard, everyShardDb, shardDb } from "../shards/resolve";
import { type EngineDeps, engineDeps } from "./deps";
import { consumeBatch, DEAD_LETTER_QUEUE, holdMessage, redeliveryDelaySeconds } from "./queue-handler";

export { MOVING_RETRY_SECONDS };

/** The dead-letter queue's max_retries (wrangler.toml): past it the queue deletes a message. */
export const DEAD_LETTER_MAX_RETRIES = 20;

/** What consumeRunsBatch uses besides `env`; tests swap the queues a held message is sent to and the engine. */
export interface RouteOptions {
  /** Where a held message goes back to: the queue it came from (RUNS, or the dead-letter queue). */
  holdQueues?: { runs: MessageSender; deadLetters: MessageSender };
  deps?: (db: Db) => EngineDeps;
}

/** The account a message belongs to; legacy run messages name only their job. */
function accountOf(body: EngineMessage): string | null {
  return "accountId" in body && typeof body.accountId === "string" ? body.accountId : null;
}

/** The shard holding a job, by asking each shard: only for legacy messages, which name no account. */
async function shardOfJob(env: Env, jobId: string): Promise<number | null> {
  for (const { shard, db } of everyShardDb(env)) {
    const [row] = await db.select({ id: cronJobs.id }).from(cronJobs).where(eq(cronJobs.id, jobId)).limit(1);
    if (row) return shard;
  }
  return null;
}

/** A body for a log line: what an operator needs to act on the message by hand, bounded. */
function bodyForLog(body: unknown): string {
  try {
    return String(JSON.stringify(body) ?? String(body)).slice(0, 2000);
  } catch {
    return String(body).slice(0, 2000);
  }
}

/**
 * Routes RUNS (and its dead-letter queue) when sharded: a message's shard comes from the directory at consume
 * time, never the message, so a moved account runs on its current shard; a fenced one is held. Every message is
 * settled on its own: one that cannot be routed never fails (or delays) the others of its batch.
 */
export async function consumeRunsBatch(
  env: Env,
  batch: MessageBatch<EngineMessage>,
  opts: RouteOptions = {},
): Promise<void> {
  const deadLetters = batch.queue === DEAD_LETTER_QUEUE;
  const queues = opts.holdQueues ?? { runs: env.RUNS, deadLetters: env.RUNS_DLQ };
  const holdQueue = deadLetters ? queues.deadLetters : queues.runs;
  const byShard = new Map<number, Array<Message<EngineMessage>>>();
  for (const message of batch.messages) {
    const shard = await routeOne(env, batch.queue, message, holdQueue);
    if (shard === null) continue;
    const group = byShard.get(shard) ?? [];
    group.push(message);
    byShard.set(shard, group);
  }
  const depsFor = opts.deps ?? ((db: Db) => engineDeps(env, db));
  await Promise.all(
    [...byShard].map(([shard, messages]) =>
      consumeBatch(depsFor(shardDb(env, shard)), subBatch(batch, messages), holdQueue),
    ),
  );
}

/** The shard a message is consumed on, or null once it is settled here (held, reported, retried or acked). */
async function routeOne(
  env: Env,
  queue: string,
  message: Message<EngineMessage>,
  holdQueue: MessageSender,
): Promise<number | null> {
  const body: unknown = message.body;
  const where = { queue, id: message.id, attempts: message.attempts };
  if (!isEngineMessage(body)) {
    // Nothing can ever act on it: reported with its body (the operator's only copy), then acked.
    console.error(JSON.stringify({ event: "queue_message_corrupt", ...where, body: bodyForLog(body) }));
    message.ack();
    return null;
  }
  try {
    const accountId = accountOf(body);
    let shard: number | null = null;
    if (accountId) {
      const place = await accountShard(env, accountId);
      if (place?.state === "moving") {
        await holdMessage(holdQueue, message, MOVING_RETRY_SECONDS);
        return null;
      }
      shard = place?.shard ?? null;
    } else if (body.type === "run") {
      shard = await shardOfJob(env, body.jobId);
    }
    if (shard === null) {
      // No directory entry (or no job anywhere): the account is gone; retrying would only repeat this.
      console.warn(
        JSON.stringify({
          event: "queue_message_without_shard",
          ...where,
          account_id: accountId,
          body: bodyForLog(body),
        }),
      );
      message.ack();
      return null;
    }
    return shard;
  } catch (err) {
    // A directory naming a shard this Worker does not bind, or the control plane failing: this message alone is
    // retried (a deploy may bind the shard), reported with its body each time, never acked unhandled.
    const last = queue === DEAD_LETTER_QUEUE && message.attempts > DEAD_LETTER_MAX_RETRIES;
    console.error(
      JSON.stringify({
        event: last ? "queue_message_dropped" : "queue_message_unroutable",
        ...where,
        body: bodyForLog(body),
        error: String(err),
      }),
    );
    message.retry({ delaySeconds: redeliveryDelaySeconds(message.attempts) });
    return null;
  }
}

/** A batch of some of a delivery's messages (consumeBatch acks or retries each message on its own). */
function subBatch(
  batch: MessageBatch<EngineMessage>,
  messages: Array<Message<EngineMessage>>,
): MessageBatch<EngineMessage> {
  return {
    queue: batch.queue,
    metadata: batch.metadata,
    messages,
    ackAll: () => {
      for (const m of messages) m.ack();
    },
    retryAll: (options) => {
      for (const m of messages) m.retry(options);
    },
  };
}
