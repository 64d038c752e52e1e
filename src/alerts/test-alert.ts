import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { CronJobRow } from "../db/schema";
import { insertDeliveryStatement } from "../deliveries/store";
import { type MessageSender, sendAll } from "../lib/messages";
import { alertDelivery } from "./fire";
import type { AlertFacts } from "./payloads";
import { alertPolicy } from "./policy";

/**
 * A `test` alert to every channel of a job, delivered and retried like any alert; runs and alert state are
 * untouched. Returns the delivery ids.
 */
export async function fireTestAlert(db: Db, queue: MessageSender, job: CronJobRow, now: number): Promise<string[]> {
  const channels = alertPolicy(job).channels;
  if (channels.length === 0) return [];
  const facts: AlertFacts = {
    event: "test",
    executionId: `test-${crypto.randomUUID()}`,
    executedAt: now,
    attempt: 0,
    nextRetryAt: null,
    consecutiveFailures: job.consecutiveFailures,
    result: {
      status: "success",
      responseCode: null,
      responseBody: null,
      errorMessage: null,
      responseTimeMs: null,
      retryAfterSeconds: null,
    },
  };
  const fired = channels.map((channel, i) => alertDelivery(job, channel, i, facts));
  const [first, ...rest] = fired.map((f) => insertDeliveryStatement(db, f.delivery, sql`1`));
  if (first) await db.batch([first, ...rest]);
  await sendAll(
    queue,
    fired.map((f) => ({ body: f.message, contentType: "json" as const })),
  );
  return fired.map((f) => f.delivery.id);
}
