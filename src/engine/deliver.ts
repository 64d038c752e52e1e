import { isPermanentEmailError, resolveMailer } from "../alerts/mailer";
import { isConfirmed } from "../alerts/recipients";
import type { DeliveryKind, DeliveryState } from "../db/schema";
import { abandonDelivery, claimDelivery, type DeliveryRow, settleDelivery } from "../deliveries/store";
import { jobSecretValues } from "../jobs/secret-values";
import { fillTokens, redactEchoes } from "../jobs/secrets";
import { type EngineMessage, send } from "../lib/messages";
import { postFollowingRedirects } from "../lib/post-redirects";
import { MasterKeyMissingError } from "../lib/secrets/keyring";
import { hasToken } from "../lib/secrets/tokens";
import { SIGNATURE_HEADER, signWithSecrets } from "../lib/signature";
import { refusedTargetReason } from "../lib/target-guard";
import { monitorSecretValues } from "../monitors/secrets";
import { activeSigningSecrets } from "../signing/signing-secrets";
import type { EngineDeps } from "./deps";

/** Retries after a round's first attempt, waiting 30 s doubling: callbacks 30–120 s, alerts 30–240 s. */
export const MAX_DELIVERY_RETRIES: Record<DeliveryKind, number> = { callback: 3, alert: 4 };
const BASE_DELAY_SECONDS = 30;
const TIMEOUT_MS = 10_000;
const MAX_ERROR_CHARS = 500;

export type DeliveryResult = "delivered" | "retrying" | "failed" | "unconfirmed" | "refused" | "recorded" | "duplicate";

/** A queue message naming a `deliveries` row (an alert, or a callback sent since deliveries were recorded). */
export type RecordedDeliveryMessage = EngineMessage & {
  type: "callback" | "alert";
  deliveryId: string;
  attempt: number;
  retry?: number;
};

/** Thrown for a delivery another consumer holds: the queue redelivers the message later. */
export class DeliveryBusyError extends Error {
  constructor(id: string) {
    super(`delivery ${id} is in flight elsewhere`);
  }
}

/** One attempt's outcome; `permanent` failures are not retried. */
export type Attempt =
  | { state: "delivered"; statusCode: number | null }
  | { state: "recorded"; statusCode: number | null }
  | { state: "unconfirmed"; error: string; statusCode: number | null }
  | { state: "refused"; error: string; statusCode: number | null }
  | { state: "failed"; error: string; statusCode: number | null; permanent: boolean };

/** What an attempt needs of a delivery: a row, or a callback message from before rows were written (no id). */
export type DeliveryTarget = Pick<DeliveryRow, "accountId" | "kind" | "channel" | "target" | "payload"> & {
  id: string | null;
  /** The job whose sealed secrets fill the target's tokens; null when none may. */
  jobId: string | null;
  /** The monitor whose sealed secrets fill an alert's URL token (src/monitors/secrets.ts). */
  monitorId?: string | null;
};

/**
 * One attempt of a recorded delivery (docs/API-NOTES.md "Retries and callbacks", "Alerts"). The row is claimed
 * first, so a duplicated message never sends twice; failures retry with backoff up to MAX_DELIVERY_RETRIES per
 * round (a redelivery starts a round), then `failed`.
 */
export async function deliver(deps: EngineDeps, msg: RecordedDeliveryMessage): Promise<DeliveryResult> {
  const claim = await claimDelivery(deps.db, msg.deliveryId, msg.attempt, deps.now());
  if (claim.kind === "done") return "duplicate";
  if (claim.kind === "busy") throw new DeliveryBusyError(msg.deliveryId);
  const row = claim.row;
  const outcome = await attemptDelivery(deps, {
    ...row,
    jobId: row.source === "job" ? row.sourceId : null,
    monitorId: row.source === "monitor" ? row.sourceId : null,
  });
  const settle = (state: DeliveryState, error: string | null, extra: { deliveredAt?: number; next?: number } = {}) =>
    settleDelivery(deps.db, row.id, msg.attempt, {
      state,
      error,
      statusCode: outcome.statusCode,
      deliveredAt: extra.deliveredAt ?? null,
      nextAttemptAt: extra.next ?? null,
    });
  if (outcome.state === "delivered" || outcome.state === "recorded") {
    // The latest failed attempt's error, if any, stays visible.
    await settle(outcome.state, row.lastError, outcome.state === "delivered" ? { deliveredAt: deps.now() } : {});
    return outcome.state;
  }
  if (outcome.state === "unconfirmed" || outcome.state === "refused") {
    await settle(outcome.state, outcome.error);
    return outcome.state;
  }
  const retry = msg.retry ?? msg.attempt;
  if (outcome.permanent || retry >= MAX_DELIVERY_RETRIES[row.kind]) {
    await settle("failed", outcome.error);
    console.warn(JSON.stringify({ event: "delivery_gave_up", id: row.id, attempts: msg.attempt + 1 }));
    return "failed";
  }
  const delay = BASE_DELAY_SECONDS * 2 ** retry;
  // The retry's message first: if that send fails, redelivery retries this same attempt.
  await send(deps.queue, { ...msg, attempt: msg.attempt + 1, retry: retry + 1 }, delay);
  await settle("pending", outcome.error, { next: deps.now() + delay * 1000 });
  return "retrying";
}

/** A delivery the dead-letter queue received (ten unexpected failures): closed as failed. */
export async function abandon(deps: EngineDeps, msg: RecordedDeliveryMessage): Promise<"failed"> {
  await abandonDelivery(deps.db, msg.deliveryId, "dead-lettered after repeated consumer failures");
  return "failed";
}

const refused = (error: string): Attempt => ({ state: "refused", error, statusCode: null });

/**
 * One attempt at `d`: an e-mail to a confirmed recipient, or a POST (signed for callbacks and webhook alerts)
 * through the target guard on every redirect hop. CALLBACKS=record logs it instead (`recorded`).
 */
export async function attemptDelivery(deps: EngineDeps, d: DeliveryTarget): Promise<Attempt> {
  if (d.channel === "email") return attemptEmail(deps, d);
  let values = new Map<string, string>();
  let url: URL;
  try {
    if (hasToken(d.target) && d.jobId) values = await jobSecretValues(deps.db, deps.cfg.secrets, d.jobId);
    else if (hasToken(d.target) && d.monitorId)
      values = await monitorSecretValues(deps.db, deps.cfg.secrets, d.monitorId);
    url = new URL(fillTokens(d.target, values, d.kind === "alert" ? "url" : "value"));
  } catch (err) {
    if (err instanceof MasterKeyMissingError) {
      console.error(JSON.stringify({ event: "master_key_missing", id: d.id ?? undefined, reason: err.message }));
      return refused("master_key_missing");
    }
    return refused("not a URL");
  }
  const refusal = refusedTargetReason(url, deps.cfg.ALLOW_PRIVATE_TARGETS);
  if (refusal) return refused(refusal);
  // CALLBACKS=record (npm start, mock executor): logged, never sent, so demo URLs are not called.
  if (deps.cfg.CALLBACKS === "record") {
    const event = d.kind === "alert" ? "alert_recorded" : "callback_recorded";
    console.log(JSON.stringify({ event, id: d.id ?? undefined, url: d.target, body: d.payload }));
    return { state: "recorded", statusCode: null };
  }
  const originHeaders: Record<string, string> = {};
  if (d.kind === "callback" || d.channel === "webhook") {
    // Every secret active now (a rotation's old ones during its grace too) signs it (src/lib/signature.ts).
    const secrets = await activeSigningSecrets(deps.db, d.accountId, Date.now());
    if (!secrets) return refused("account not found");
    originHeaders[SIGNATURE_HEADER] = await signWithSecrets(secrets, d.payload, Math.floor(Date.now() / 1000));
  }
  const res = await postFollowingRedirects(deps.fetch, url, {
    body: d.payload,
    headers: { "Content-Type": "application/json", "User-Agent": "edgecron/1.0" },
    originHeaders,
    signal: AbortSignal.timeout(TIMEOUT_MS),
    allowLoopback: deps.cfg.ALLOW_PRIVATE_TARGETS,
  });
  // Errors are shown to every key scope: the clear URL (a bearer credential) and secret values become tokens.
  const shown = (text: string) => redactEchoes(text.replaceAll(url.href, d.target), values).slice(0, MAX_ERROR_CHARS);
  switch (res.kind) {
    case "response":
      if (res.status >= 200 && res.status < 300) return { state: "delivered", statusCode: res.status };
      return { state: "failed", error: `HTTP ${res.status}`, statusCode: res.status, permanent: false };
    case "refused":
      return { state: "refused", error: shown(res.reason), statusCode: res.status };
    case "failed":
      return { state: "failed", error: shown(res.reason), statusCode: res.status, permanent: true };
    case "error":
      return { state: "failed", error: shown(res.reason), statusCode: null, permanent: false };
  }
}

/** An alert e-mail: only to a recipient confirmed by double opt-in; quota and other transient errors are retried. */
async function attemptEmail(deps: EngineDeps, d: DeliveryTarget): Promise<Attempt> {
  if (!(await isConfirmed(deps.db, d.accountId, d.target)))
    return { state: "unconfirmed", error: "recipient has not confirmed (double opt-in)", statusCode: null };
  const mailer = await resolveMailer(deps);
  if (!mailer) return { state: "failed", error: "no EMAIL binding", statusCode: null, permanent: true };
  const { subject, text } = JSON.parse(d.payload) as { subject: string; text: string };
  try {
    await mailer.send({ from: deps.cfg.ALERT_EMAIL_FROM, to: d.target, subject, text });
    return { state: "delivered", statusCode: null };
  } catch (err) {
    const error = String((err as Error)?.message ?? err).slice(0, MAX_ERROR_CHARS);
    return { state: "failed", error, statusCode: null, permanent: isPermanentEmailError(err) };
  }
}
