import { type AlertDeliveryRow, abandonDelivery, claimDelivery, settleDelivery } from "../alerts/deliveries";
import { isPermanentEmailError, resolveMailer } from "../alerts/mailer";
import { isConfirmed } from "../alerts/recipients";
import type { AlertDeliveryStatus } from "../db/schema";
import { jobSecretValues } from "../jobs/secret-values";
import { fillTokens } from "../jobs/secrets";
import type { AlertMessage } from "../lib/messages";
import { send } from "../lib/messages";
import { MasterKeyMissingError } from "../lib/secrets/keyring";
import { hasToken } from "../lib/secrets/tokens";
import { SIGNATURE_HEADER, signWithSecrets } from "../lib/signature";
import { refusedTargetReason } from "../lib/target-guard";
import { activeSigningSecrets } from "../signing/signing-secrets";
import type { EngineDeps } from "./deps";

/** Delays after the first delivery, doubling: 30, 60, 120, 240 s. */
export const ALERT_MAX_RETRIES = 4;
const ALERT_BASE_DELAY_SECONDS = 30;
const ALERT_TIMEOUT_MS = 10_000;

export type AlertDeliveryResult = "delivered" | "retrying" | "failed" | "unconfirmed" | "refused" | "duplicate";

/** Thrown for a delivery another consumer holds: the queue redelivers the message later. */
export class AlertBusyError extends Error {
  constructor(id: string) {
    super(`alert delivery ${id} is in flight elsewhere`);
  }
}

type Attempt = { ok: true } | { ok: false; status?: AlertDeliveryStatus; error: string; permanent?: boolean };

/**
 * One delivery attempt of an alert (docs/API-NOTES.md "Alerts"). The row is claimed first, so a duplicated message
 * never sends twice; failures retry with backoff up to ALERT_MAX_RETRIES, then `failed`. Unconfirmed e-mail recipients
 * get nothing (`unconfirmed`); the target guard refuses URLs (`refused`).
 */
export async function deliverAlert(deps: EngineDeps, msg: AlertMessage): Promise<AlertDeliveryResult> {
  const now = deps.now();
  const claim = await claimDelivery(deps.db, msg.deliveryId, msg.attempt, now);
  if (claim.kind === "done") return "duplicate";
  if (claim.kind === "busy") throw new AlertBusyError(msg.deliveryId);
  const row = claim.row;
  const outcome = await attempt(deps, row);
  if (outcome.ok) {
    await settleDelivery(deps.db, row.id, msg.attempt, {
      status: "delivered",
      error: row.lastError, // the latest failed attempt's error, if any, stays visible
      deliveredAt: deps.now(),
    });
    return "delivered";
  }
  if (outcome.status === "unconfirmed" || outcome.status === "refused") {
    await settleDelivery(deps.db, row.id, msg.attempt, { status: outcome.status, error: outcome.error });
    return outcome.status;
  }
  if (outcome.permanent || msg.attempt >= ALERT_MAX_RETRIES) {
    await settleDelivery(deps.db, row.id, msg.attempt, { status: "failed", error: outcome.error });
    console.warn(JSON.stringify({ event: "alert_gave_up", id: row.id, attempts: msg.attempt + 1 }));
    return "failed";
  }
  // The retry's message first: if that send fails, redelivery retries this same attempt.
  await send(deps.queue, { ...msg, attempt: msg.attempt + 1 }, ALERT_BASE_DELAY_SECONDS * 2 ** msg.attempt);
  await settleDelivery(deps.db, row.id, msg.attempt, { status: "pending", error: outcome.error });
  return "retrying";
}

/** A delivery the dead-letter queue received (ten unexpected failures): closed as failed. */
export async function abandonAlert(deps: EngineDeps, msg: AlertMessage): Promise<"failed"> {
  await abandonDelivery(deps.db, msg.deliveryId, "dead-lettered after repeated consumer failures");
  return "failed";
}

async function attempt(deps: EngineDeps, row: AlertDeliveryRow): Promise<Attempt> {
  if (row.channel === "email") return attemptEmail(deps, row);
  let url: URL;
  try {
    url = new URL(await channelUrl(deps, row));
  } catch (err) {
    if (err instanceof MasterKeyMissingError) return { ok: false, status: "refused", error: "master_key_missing" };
    return { ok: false, status: "refused", error: "not a URL" };
  }
  const refused = refusedTargetReason(url, deps.cfg.ALLOW_PRIVATE_TARGETS);
  if (refused) return { ok: false, status: "refused", error: refused };
  // CALLBACKS=record: logged, not sent, like callbacks.
  if (deps.cfg.CALLBACKS === "record") {
    console.log(JSON.stringify({ event: "alert_recorded", id: row.id, url: row.target, body: row.payload }));
    return { ok: true };
  }
  const headers: Record<string, string> = { "Content-Type": "application/json", "User-Agent": "edgecron/1.0" };
  if (row.channel === "webhook") {
    // Signed like a callback: every active secret of the account (src/lib/signature.ts).
    const secrets = await activeSigningSecrets(deps.db, row.accountId, Date.now());
    if (!secrets) return { ok: false, status: "refused", error: "account not found" };
    headers[SIGNATURE_HEADER] = await signWithSecrets(secrets, row.payload, Math.floor(Date.now() / 1000));
  }
  try {
    const res = await deps.fetch(url.toString(), {
      method: "POST",
      headers,
      body: row.payload,
      redirect: "manual",
      signal: AbortSignal.timeout(ALERT_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { ok: true };
    return { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    // The stored error is shown to every key scope: the clear URL (a bearer credential) becomes its redacted form.
    const message = String((err as Error)?.message ?? err).replaceAll(url.href, row.target);
    return { ok: false, error: message.slice(0, 500) };
  }
}

/** An alert e-mail: only to a recipient confirmed by double opt-in; quota and other transient errors are retried. */
async function attemptEmail(deps: EngineDeps, row: AlertDeliveryRow): Promise<Attempt> {
  if (!(await isConfirmed(deps.db, row.accountId, row.target)))
    return { ok: false, status: "unconfirmed", error: "recipient has not confirmed (double opt-in)" };
  const mailer = await resolveMailer(deps);
  if (!mailer) return { ok: false, error: "no EMAIL binding", permanent: true };
  const { subject, text } = JSON.parse(row.payload) as { subject: string; text: string };
  try {
    await mailer.send({ from: deps.cfg.ALERT_EMAIL_FROM, to: row.target, subject, text });
    return { ok: true };
  } catch (err) {
    return {
      ok: false,
      error: String((err as Error)?.message ?? err).slice(0, 500),
      permanent: isPermanentEmailError(err),
    };
  }
}

/** The channel's URL in clear: delivery rows keep its redacted form, the job's sealed secrets hold the value. */
async function channelUrl(deps: EngineDeps, row: AlertDeliveryRow): Promise<string> {
  if (!hasToken(row.target) || !row.cronJobId) return row.target;
  return fillTokens(row.target, await jobSecretValues(deps.db, deps.cfg.secrets, row.cronJobId), "url");
}
