import { sql } from "drizzle-orm";
import { type CronJobRow, cronJobs } from "../db/schema";
import { notifyMode } from "../jobs/notify";
import { jobSecretValues } from "../jobs/secret-values";
import { fillTokens } from "../jobs/secrets";
import { type AttemptFacts, callbackPayload } from "../lib/callback-payload";
import { type CallbackMessage, type ConditionalEntry, send } from "../lib/messages";
import { MasterKeyMissingError } from "../lib/secrets/keyring";
import { hasToken } from "../lib/secrets/tokens";
import { SIGNATURE_HEADER, signWithSecrets } from "../lib/signature";
import { refusedTargetReason } from "../lib/target-guard";
import { activeSigningSecrets } from "../signing/signing-secrets";
import type { EngineDeps } from "./deps";

/** Deliveries after the first, each waiting twice as long: 30 s, 60 s, 120 s. */
export const CALLBACK_MAX_RETRIES = 3;
const CALLBACK_BASE_DELAY_SECONDS = 30;
const CALLBACK_TIMEOUT_MS = 10_000;

/** The attempt's callback as a conditional outbox entry; none without a URL or when notify mode skips it. */
export function callbackEntry(
  job: Pick<CronJobRow, "id" | "name" | "accountId" | "successCallbackUrl" | "failureCallbackUrl" | "callbacks">,
  a: AttemptFacts,
): ConditionalEntry | null {
  const success = a.result.status === "success";
  const url = success ? job.successCallbackUrl : job.failureCallbackUrl;
  if (!url) return null;
  const mode = notifyMode(job);
  const final = a.nextRetryAt === null;
  if (mode !== "attempt" && !final) return null;
  const message: CallbackMessage = {
    type: "callback",
    accountId: job.accountId,
    url,
    cronJobId: job.id,
    body: JSON.stringify(callbackPayload(job, a)),
    attempt: 0,
  };
  const entry = { id: `${a.executionId}:callback`, accountId: job.accountId, message };
  if (mode !== "on_change") return { entry };
  // A flip: the previous newest outcome was healthy (or none) and this one fails, or the reverse.
  const wasHealthy = sql`(${cronJobs.lastRunStatus} IS NULL OR ${cronJobs.lastRunStatus} = 'success')`;
  return {
    entry,
    when: (newer) =>
      sql`EXISTS (SELECT 1 FROM ${cronJobs} WHERE ${cronJobs.id} = ${job.id} AND ${newer} AND ${success ? sql`NOT ${wasHealthy}` : wasHealthy})`,
  };
}

export type DeliveryResult = "delivered" | "retrying" | "gave-up" | "refused" | "recorded";

/** One signed POST of a callback; a failure retries through the queue with backoff. The target guard applies. */
export async function deliverCallback(deps: EngineDeps, msg: CallbackMessage): Promise<DeliveryResult> {
  let url: URL;
  try {
    url = new URL(await callbackUrl(deps, msg));
  } catch (err) {
    if (err instanceof MasterKeyMissingError) {
      console.error(JSON.stringify({ event: "master_key_missing", url: msg.url, reason: err.message }));
    }
    return "refused";
  }
  const refused = refusedTargetReason(url, deps.cfg.ALLOW_PRIVATE_TARGETS);
  if (refused) {
    console.warn(JSON.stringify({ event: "callback_refused", url: msg.url, reason: refused }));
    return "refused";
  }
  // CALLBACKS=record (npm start, mock executor): logged, never sent, so demo callback URLs are not called.
  if (deps.cfg.CALLBACKS === "record") {
    console.log(JSON.stringify({ event: "callback_recorded", url: msg.url, body: msg.body }));
    return "recorded";
  }
  // Every secret active now (the new one and, during a rotation's grace, the old ones) signs the delivery.
  const secrets = await activeSigningSecrets(deps.db, msg.accountId, Date.now());
  if (!secrets) return "refused";
  let ok = false;
  try {
    const signature = await signWithSecrets(secrets, msg.body, Math.floor(Date.now() / 1000));
    const res = await deps.fetch(url.toString(), {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "edgecron/1.0", [SIGNATURE_HEADER]: signature },
      body: msg.body,
      redirect: "manual",
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    });
    ok = res.status >= 200 && res.status < 300;
    await res.body?.cancel();
  } catch {
    ok = false;
  }
  if (ok) return "delivered";
  if (msg.attempt >= CALLBACK_MAX_RETRIES) {
    console.warn(JSON.stringify({ event: "callback_gave_up", url: msg.url, attempts: msg.attempt + 1 }));
    return "gave-up";
  }
  await send(deps.queue, { ...msg, attempt: msg.attempt + 1 }, CALLBACK_BASE_DELAY_SECONDS * 2 ** msg.attempt);
  return "retrying";
}

/** The callback URL with its secret query values filled in from the job's sealed secrets. */
async function callbackUrl(deps: EngineDeps, msg: CallbackMessage): Promise<string> {
  if (!hasToken(msg.url) || !msg.cronJobId) return msg.url;
  return fillTokens(msg.url, await jobSecretValues(deps.db, deps.cfg.secrets, msg.cronJobId));
}
