import { createApp } from "./app";
import { consumeRunsBatch } from "./engine/route-runs";
import type { EngineMessage } from "./lib/messages";
import { consumeShardTicks, fanOutToEveryShard, type ShardTickMessage, TICKS_QUEUE } from "./ticks";
import { DISPATCH_CRON, SWEEP_CRON } from "./triggers";

const app = createApp();

export default {
  fetch: app.fetch,

  /** Both Cron Triggers fan out: one message per shard on TICKS (src/ticks.ts says why). */
  async scheduled(controller, env) {
    if (controller.cron === DISPATCH_CRON) {
      await fanOutToEveryShard(env, "dispatch", controller.scheduledTime);
    } else if (controller.cron === SWEEP_CRON) {
      await fanOutToEveryShard(env, "sweep", controller.scheduledTime);
    } else {
      console.warn(JSON.stringify({ event: "unknown_cron", cron: controller.cron }));
    }
  },

  async queue(batch, env) {
    if (batch.queue === TICKS_QUEUE) {
      await consumeShardTicks(env, batch as MessageBatch<ShardTickMessage>);
    } else {
      await consumeRunsBatch(env, batch as MessageBatch<EngineMessage>);
    }
  },
} satisfies ExportedHandler<Env, EngineMessage | ShardTickMessage>;
