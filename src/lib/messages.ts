import type { SQL } from "drizzle-orm";

/**
 * RUNS queue messages. A run message names a ledger row, which says what to run, so a stale duplicate finds it
 * finished.
 */
export interface RunMessage {
  type: "run";
  /** The attempt's execution id: the ledger row's key. */
  runId: string;
  jobId: string;
  accountId: string;
}

/** A legacy run message naming a slot, not a row; still consumed: the consumer writes its ledger row first. */
export interface LegacyRunMessage {
  type: "run";
  runId?: undefined;
  jobId: string;
  slot: number;
  attempt: number;
  source: "schedule" | "manual";
}

/**
 * One delivery attempt of a signed success/failure callback. With `deliveryId` it names a `deliveries` row, which
 * the attempt claims and updates; without (sent before deliveries were recorded) it is sent with no record. `url`
 * and `body` stay in either, so a consumer of either version can send it.
 */
export interface CallbackMessage {
  type: "callback";
  accountId: string;
  /** deliveries.id (also the outbox entry's id). */
  deliveryId?: string;
  /** Retries so far in this round (a redelivery starts a round at 0); absent: `attempt`. */
  retry?: number;
  /** As the job row stores it: secret query values are tokens, filled in right before the POST. */
  url: string;
  /** The job whose sealed secrets fill the URL's tokens (absent in messages sent before secrets were sealed). */
  cronJobId?: string;
  /** The JSON payload, serialised once so every attempt signs the same bytes. */
  body: string;
  attempt: number;
}

/** One alert delivery attempt; it names a `deliveries` row, so a stale duplicate finds it delivered. */
export interface AlertMessage {
  type: "alert";
  accountId: string;
  /** deliveries.id (also the outbox entry's id). */
  deliveryId: string;
  /** The row's attempts when sent: 0 for the first delivery; each retry adds one. */
  attempt: number;
  /** Retries so far in this round (a redelivery starts a round at 0); absent: `attempt`. */
  retry?: number;
}

export type EngineMessage = RunMessage | LegacyRunMessage | CallbackMessage | AlertMessage;

/** The part of a Queue binding the engine uses, so tests can capture what is sent. */
export interface MessageSender {
  sendBatch(messages: Iterable<MessageSendRequest<EngineMessage>>): Promise<unknown>;
}

/** Queue sendBatch takes at most 100 messages. */
export const SEND_BATCH_MAX = 100;

export async function sendAll(queue: MessageSender, messages: MessageSendRequest<EngineMessage>[]): Promise<number> {
  for (let i = 0; i < messages.length; i += SEND_BATCH_MAX) {
    await queue.sendBatch(messages.slice(i, i + SEND_BATCH_MAX));
  }
  return messages.length;
}

export function send(queue: MessageSender, body: EngineMessage, delaySeconds?: number): Promise<number> {
  return sendAll(queue, [{ body, contentType: "json", ...(delaySeconds ? { delaySeconds } : {}) }]);
}

/**
 * Outbox entries (`outbox`): an attempt's callbacks, written in its recording batch and deleted once sent. Ids
 * are `<execution id>:<kind>`, so one attempt's entries are a primary-key range.
 */
export interface OutboxEntry {
  id: string;
  accountId: string;
  message: EngineMessage;
}

/** A follow-up of the attempt, with the condition (evaluated before the job's UPDATE) under which it is written. */
export interface ConditionalEntry {
  entry: OutboxEntry;
  /** SQL over the job's row before this attempt updates it; absent: always. */
  when?: (newer: SQL) => SQL;
}
