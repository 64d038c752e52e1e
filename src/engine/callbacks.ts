import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { type CronJobRow, cronJobs } from "../db/schema";
import { insertDeliveryStatement, type NewDelivery } from "../deliveries/store";
import { notifyMode } from "../jobs/notify";
import { type AttemptFacts, callbackPayload } from "../lib/callback-payload";
import { type CallbackMessage, type ConditionalEntry, send } from "../lib/messages";
import { abandon, attemptDelivery, type DeliveryResult, deliver, MAX_DELIVERY_RETRIES } from "./deliver";
import type { EngineDeps } from "./deps";

const CALLBACK_BASE_DELAY_SECONDS = 30;

/** The attempt's callback: its outbox entry (with the on_change condition) and its delivery row. */
export type CallbackPlan = ConditionalEntry & { delivery: NewDelivery };

/** The attempt's callback; none without a URL or when notify mode skips it. */
export function callbackEntry(
  job: Pick<CronJobRow, "id" | "name" | "accountId" | "successCallbackUrl" | "failureCallbackUrl" | "callbacks">,
  a: AttemptFacts,
): CallbackPlan | null {
  const success = a.result.status === "success";
  const url = success ? job.successCallbackUrl : job.failureCallbackUrl;
  if (!url) return null;
  const mode = notifyMode(job);
  const final = a.nextRetryAt === null;
  if (mode !== "attempt" && !final) return null;
  const id = `${a.executionId}:callback`;
  const body = JSON.stringify(callbackPayload(job, a));
  const message: CallbackMessage = {
    type: "callback",
    accountId: job.accountId,
    deliveryId: id,
    url,
    cronJobId: job.id,
    body,
    attempt: 0,
  };
  const delivery: NewDelivery = {
    id,
    accountId: job.accountId,
    source: "job",
    sourceId: job.id,
    executionId: a.executionId,
    kind: "callback",
    event: success ? "success" : "failure",
    channel: null,
    target: url,
    payload: body,
    firedAt: a.executedAt,
  };
  const entry = { id, accountId: job.accountId, message };
  if (mode !== "on_change") return { entry, delivery };
  // A flip: the previous newest outcome was healthy (or none) and this one fails, or the reverse.
  const wasHealthy = sql`(${cronJobs.lastRunStatus} IS NULL OR ${cronJobs.lastRunStatus} = 'success')`;
  return {
    entry,
    delivery,
    when: (newer) =>
      sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${job.id} AND ${newer} AND ${success ? sql`NOT ${wasHealthy}` : wasHealthy})`,
  };
}

/** The callback's delivery row for the recording batch, written exactly when its outbox entry is. */
export function callbackDeliveryStatement(db: Db, plan: CallbackPlan, newer: SQL, logMissing: SQL) {
  return insertDeliveryStatement(db, plan.delivery, sql`${logMissing} AND (${plan.when ? plan.when(newer) : sql`1`})`);
}

/**
 * One signed POST of a callback; a failure retries through the queue with backoff. The target guard applies on
 * every redirect hop. A message naming its delivery row goes through deliver() and updates the row.
 */
export async function deliverCallback(deps: EngineDeps, msg: CallbackMessage): Promise<DeliveryResult> {
  if (msg.deliveryId !== undefined) return deliver(deps, { ...msg, deliveryId: msg.deliveryId });
  const outcome = await attemptDelivery(deps, {
    id: null,
    accountId: msg.accountId,
    kind: "callback",
    channel: null,
    target: msg.url,
    payload: msg.body,
    jobId: msg.cronJobId ?? null,
  });
  if (outcome.state === "refused")
    console.warn(JSON.stringify({ event: "callback_refused", url: msg.url, reason: outcome.error }));
  if (outcome.state !== "failed") return outcome.state;
  if (outcome.permanent || msg.attempt >= MAX_DELIVERY_RETRIES.callback) {
    console.warn(JSON.stringify({ event: "callback_gave_up", url: msg.url, attempts: msg.attempt + 1 }));
    return "failed";
  }
  await send(deps.queue, { ...msg, attempt: msg.attempt + 1 }, CALLBACK_BASE_DELAY_SECONDS * 2 ** msg.attempt);
  return "retrying";
}

/** A callback the dead-letter queue received: its delivery row (if it has one) is closed as failed. */
export async function abandonCallback(deps: EngineDeps, msg: CallbackMessage): Promise<"failed"> {
  if (msg.deliveryId !== undefined) await abandon(deps, { ...msg, deliveryId: msg.deliveryId });
  return "failed";
}
