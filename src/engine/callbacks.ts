import { activeSigningSecrets } from "../accounts/signing-secrets";
import type { CronJobRow, ExecutionStatus } from "../db/schema";
import { formatInstant } from "../http/dates";
import type { EngineDeps } from "./deps";
import type { ExecutionResult } from "./executors/types";
import { type CallbackMessage, send } from "./messages";
import { SIGNATURE_HEADER, signWithSecrets } from "./signature";
import { refusedTargetReason } from "./target-guard";

/** Deliveries after the first, each waiting twice as long: 30 s, 60 s, 120 s. */
export const CALLBACK_MAX_RETRIES = 3;
const CALLBACK_BASE_DELAY_SECONDS = 30;
const CALLBACK_TIMEOUT_MS = 10_000;

export interface CallbackPayload {
  cron_job_id: string;
  cron_job_name: string;
  execution_id: string;
  status: ExecutionStatus;
  executed_at: string;
  response_code: number | null;
  response_time_ms: number | null;
  response_body: string | null;
  error_message: string | null;
  retry_attempt: number;
  next_retry_at: string | null;
}

const healthy = (status: string | null) => status === null || status === "success";

/**
 * The URL to call after a run's final outcome, or null. With `callbacks.notify: "on_change"` only a flip is
 * reported: healthy → failing, or failing → recovered (a job that never ran counts as healthy).
 */
export function callbackTarget(
  job: Pick<CronJobRow, "successCallbackUrl" | "failureCallbackUrl" | "callbacks" | "lastRunStatus">,
  status: ExecutionStatus,
): string | null {
  const url = status === "success" ? job.successCallbackUrl : job.failureCallbackUrl;
  if (!url) return null;
  const notify = (JSON.parse(job.callbacks) as { notify?: string }).notify ?? "always";
  if (notify === "on_change" && healthy(job.lastRunStatus) === (status === "success")) return null;
  return url;
}

export function callbackPayload(
  job: Pick<CronJobRow, "id" | "name">,
  run: { executionId: string; executedAt: number; attempt: number; result: ExecutionResult },
): CallbackPayload {
  return {
    cron_job_id: job.id,
    cron_job_name: job.name,
    execution_id: run.executionId,
    status: run.result.status,
    executed_at: formatInstant(run.executedAt),
    response_code: run.result.responseCode,
    response_time_ms: run.result.responseTimeMs,
    response_body: run.result.responseBody,
    error_message: run.result.errorMessage,
    retry_attempt: run.attempt,
    next_retry_at: null,
  };
}

export function enqueueCallback(deps: EngineDeps, accountId: string, url: string, payload: CallbackPayload) {
  const msg: CallbackMessage = { type: "callback", accountId, url, body: JSON.stringify(payload), attempt: 0 };
  return send(deps.queue, msg);
}

export type DeliveryResult = "delivered" | "retrying" | "gave-up" | "refused";

/**
 * One signed POST of a callback. Non-2xx or a network failure is retried through the queue with exponential
 * backoff; nothing here touches the execution's log. The SSRF rule of the http executor applies.
 */
export async function deliverCallback(deps: EngineDeps, msg: CallbackMessage): Promise<DeliveryResult> {
  let url: URL;
  try {
    url = new URL(msg.url);
  } catch {
    return "refused";
  }
  const refused = deps.cfg.ALLOW_PRIVATE_TARGETS ? null : refusedTargetReason(url);
  if (refused) {
    console.warn(JSON.stringify({ event: "callback_refused", url: msg.url, reason: refused }));
    return "refused";
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
