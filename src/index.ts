import { createApp } from "./app";
import { config } from "./config";
import { createDb } from "./db/client";
import { engineDeps } from "./engine/deps";
import { dispatchTick } from "./engine/dispatch";
import type { EngineMessage } from "./engine/messages";
import { consumeBatch } from "./engine/queue-handler";
import { relayStranded } from "./engine/relay";
import { sweep } from "./retention/sweep";
import { DISPATCH_CRON, SWEEP_CRON } from "./triggers";

const app = createApp();

export default {
  fetch: app.fetch,

  async scheduled(controller, env) {
    const db = createDb(env.DB);
    if (controller.cron === DISPATCH_CRON) {
      await dispatchTick(db, env.RUNS, controller.scheduledTime);
      await relayStranded({ ...engineDeps(env), db });
    } else if (controller.cron === SWEEP_CRON) {
      await sweep(db, { retentionDays: config(env).RETENTION_DAYS, now: controller.scheduledTime });
    } else {
      console.warn(JSON.stringify({ event: "unknown_cron", cron: controller.cron }));
    }
  },

  async queue(batch, env) {
    await consumeBatch(engineDeps(env), batch);
  },
} satisfies ExportedHandler<Env, EngineMessage>;
