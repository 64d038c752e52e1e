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

const isText = (v: unknown) => typeof v === "string" && v.length > 0;
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

/** Whether a delivered body is an EngineMessage the consumer can act on (a corrupt one is reported, not retried). */
export function isEngineMessage(body: unknown): body is EngineMessage {
  if (typeof body !== "object" || body === null) return false;
  const m = body as Record<string, unknown>;
  switch (m.type) {
    case "run":
      return m.runId === undefined
        ? isText(m.jobId) && Number.isFinite(m.slot) && isCount(m.attempt)
        : isText(m.runId) && isText(m.jobId) && isText(m.accountId);
    case "callback":
      return isText(m.accountId) && isText(m.url) && typeof m.body === "string" && isCount(m.attempt);
    case "alert":
      return isText(m.accountId) && isText(m.deliveryId) && isCount(m.attempt);
    default:
      return false;
  }
}

/** The part of a Queue binding the engine uses, so tests can capture what is sent. */
export interface MessageSender {
  sendBatch(messages: Iterable<MessageSendRequest<EngineMessage>>): Promise<unknown>;
}

/** Queue sendBatch takes at most 100 messages. */
export const SEND_BATCH_MAX = 100;

/** Bytes of message bodies per sendBatch: Queues allow 256 KB per batch (Cloudflare Queues limits), less headroom. */
export const SEND_BATCH_MAX_BYTES = 240_000;

/** A message the queue refused on its own: `index` into the messages given, `error` what the send threw. */
export interface Unsendable {
  index: number;
  error: string;
}

/** Thrown by sendAll when some messages went and these could not be sent at all. */
export class UnsendableMessagesError extends Error {
  constructor(readonly unsendable: Unsendable[]) {
    super(`${unsendable.length} queue message(s) could not be sent: ${unsendable[0]?.error ?? ""}`);
  }
}

const bodyBytes = (m: MessageSendRequest<EngineMessage>) => JSON.stringify(m.body ?? null).length;

/** Consecutive chunks of at most SEND_BATCH_MAX messages and about SEND_BATCH_MAX_BYTES; each holds one at least. */
function chunks(messages: MessageSendRequest<EngineMessage>[]): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let start = 0;
  let bytes = 0;
  messages.forEach((m, i) => {
    let size = 0;
    try {
      size = bodyBytes(m);
    } catch {
      // An unserialisable body: sendBatch refuses it below, where it is isolated.
    }
    if (i > start && (i - start === SEND_BATCH_MAX || bytes + size > SEND_BATCH_MAX_BYTES)) {
      out.push({ start, end: i });
      start = i;
      bytes = 0;
    }
    bytes += size;
  });
  if (start < messages.length) out.push({ start, end: messages.length });
  return out;
}

/** The runtime refused the message itself before sending it (a body it cannot serialise, a delay out of range). */
const refusedByRuntime = (err: unknown) => err instanceof TypeError || err instanceof RangeError;

/** Single sends refused in a row, none accepted, before the last message of the chunk is tried as a probe. */
const OUTAGE_STREAK = 3;

/**
 * Sends every message; returns the ones the queue refused on their own. A failed batch is sent again one message at
 * a time, so one bad message never holds back the rest. A message counts as unsendable when the runtime refused it
 * (TypeError, RangeError) or it failed alone while another of its batch went alone. When nothing of a batch goes
 * (OUTAGE_STREAK refusals in a row, then its last message too) the queue itself is failing: this throws after a
 * handful of calls, and the caller leaves everything for a later pass (a duplicate send is harmless).
 */
export async function sendIsolating(
  queue: MessageSender,
  messages: MessageSendRequest<EngineMessage>[],
): Promise<Unsendable[]> {
  const unsendable: Unsendable[] = [];
  for (const { start, end } of chunks(messages)) {
    let batchError: unknown;
    try {
      await queue.sendBatch(messages.slice(start, end));
      continue;
    } catch (err) {
      batchError = err;
    }
    const refused: Array<Unsendable & { byRuntime: boolean }> = [];
    // A batch of one was that message alone already.
    const order = end - start === 1 ? [] : Array.from({ length: end - start }, (_, k) => start + k);
    if (order.length === 0)
      refused.push({ index: start, error: String(batchError), byRuntime: refusedByRuntime(batchError) });
    let accepted = 0;
    let streak = 0;
    for (let k = 0; k < order.length; k++) {
      const i = order[k] as number;
      try {
        await queue.sendBatch([messages[i] as MessageSendRequest<EngineMessage>]);
        accepted++;
        streak = 0;
      } catch (err) {
        const byRuntime = refusedByRuntime(err);
        refused.push({ index: i, error: String(err), byRuntime });
        if (!byRuntime) streak++;
      }
      if (accepted > 0 || streak < OUTAGE_STREAK) continue;
      // As many refused in a row, none accepted: one more try, the batch's last message, before calling it down.
      if (streak > OUTAGE_STREAK || k === order.length - 1) throw batchError;
      order.splice(k + 1, 0, order.pop() as number);
    }
    const own = refused.filter((r) => r.byRuntime || accepted > 0);
    if (own.length < refused.length) throw batchError;
    unsendable.push(...own.map(({ index, error }) => ({ index, error })));
  }
  return unsendable.sort((a, b) => a.index - b.index);
}

/** Sends every message (sendIsolating); throws UnsendableMessagesError when some could not be sent. */
export async function sendAll(queue: MessageSender, messages: MessageSendRequest<EngineMessage>[]): Promise<number> {
  const unsendable = await sendIsolating(queue, messages);
  if (unsendable.length > 0) throw new UnsendableMessagesError(unsendable);
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
