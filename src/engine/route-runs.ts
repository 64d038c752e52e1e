import { eq } from "drizzle-orm";
import { cronJobs } from "../db/schema";
import type { EngineMessage } from "../lib/messages";
import { MOVING_RETRY_SECONDS } from "../shards/move";
import { accountShard, everyShardDb, shardDb } from "../shards/resolve";
import { engineDeps } from "./deps";
import { consumeBatch } from "./queue-handler";

export { MOVING_RETRY_SECONDS };

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

/**
 * Routes RUNS (and its dead-letter queue) when sharded: a message's shard comes from the directory at consume
 * time, never the message, so a moved account runs on its current shard; a fenced one waits.
 */
export async function consumeRunsBatch(env: Env, batch: MessageBatch<EngineMessage>): Promise<void> {
  const byShard = new Map<number, Array<Message<EngineMessage>>>();
  for (const message of batch.messages) {
    const body = message.body;
    const accountId = body ? accountOf(body) : null;
    let shard: number | null = null;
    if (accountId) {
      const place = await accountShard(env, accountId);
      if (place?.state === "moving") {
        message.retry({ delaySeconds: MOVING_RETRY_SECONDS });
        continue;
      }
      shard = place?.shard ?? null;
    } else if (body?.type === "run" && typeof body.jobId === "string") {
      shard = await shardOfJob(env, body.jobId);
    }
    if (shard === null) {
      // No directory entry (or no job anywhere): nothing can run or record it; retrying would only repeat this.
      console.warn(JSON.stringify({ event: "queue_message_without_shard", id: message.id, account_id: accountId }));
      message.ack();
      continue;
    }
    const group = byShard.get(shard) ?? [];
    group.push(message);
    byShard.set(shard, group);
  }
  await Promise.all(
    [...byShard].map(([shard, messages]) =>
      consumeBatch(engineDeps(env, shardDb(env, shard)), subBatch(batch, messages)),
    ),
  );
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
