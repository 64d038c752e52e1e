/** Messages on the RUNS queue. A run message is one attempt of one schedule slot of one job. */
export interface RunMessage {
  type: "run";
  jobId: string;
  /** The schedule slot (epoch ms) this run belongs to; with attempt, it derives the execution id. */
  slot: number;
  attempt: number;
  /** "schedule" for the dispatcher, "manual" for POST /trigger. */
  source: "schedule" | "manual";
}

/** One delivery attempt of a signed success/failure callback. */
export interface CallbackMessage {
  type: "callback";
  accountId: string;
  url: string;
  /** The JSON payload, serialised once so every attempt signs the same bytes. */
  body: string;
  attempt: number;
}

export type EngineMessage = RunMessage | CallbackMessage;

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
