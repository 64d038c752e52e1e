import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { CronJobRow } from "../db/schema";
import { type MessageSender, sendAll } from "../engine/messages";
import { insertDeliveryStatement } from "./deliveries";
import type { AlertMessage } from "./messages";
import { channelPayload, channelTarget } from "./payloads";
import { alertPolicy } from "./policy";

/**
 * A `test` alert to every channel of a job, so its owner can check a channel before a real failure needs it. Each
 * channel gets a delivery row (listed with the job's alerts) and a queue message, delivered and retried like any
 * alert; nothing about the job's runs or alert state changes. Returns the delivery ids (none without channels).
 */
export async function fireTestAlert(db: Db, queue: MessageSender, job: CronJobRow, now: number): Promise<string[]> {
  const channels = alertPolicy(job).channels;
  if (channels.length === 0) return [];
  const executionId = `test-${crypto.randomUUID()}`;
  const facts = {
    event: "test" as const,
    executionId,
    executedAt: now,
    attempt: 0,
    nextRetryAt: null,
    consecutiveFailures: job.consecutiveFailures,
    result: {
      status: "success" as const,
      responseCode: null,
      responseBody: null,
      errorMessage: null,
      responseTimeMs: null,
      retryAfterSeconds: null,
    },
  };
  const rows = channels.map((channel, i) => ({
    id: `${executionId}:alert:test:${i}`,
    accountId: job.accountId,
    cronJobId: job.id,
    executionId,
    event: "test" as const,
    channel: channel.type,
    target: channelTarget(channel),
    payload: channelPayload(channel, job, facts),
    firedAt: now,
  }));
  const [first, ...rest] = rows.map((row) => insertDeliveryStatement(db, row, sql`1`));
  if (first) await db.batch([first, ...rest]);
  const messages: AlertMessage[] = rows.map((r) => ({
    type: "alert",
    accountId: job.accountId,
    deliveryId: r.id,
    attempt: 0,
  }));
  await sendAll(
    queue,
    messages.map((body) => ({ body, contentType: "json" as const })),
  );
  return rows.map((r) => r.id);
}
