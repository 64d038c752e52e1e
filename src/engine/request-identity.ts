import type { RunRow } from "../db/schema";
import { formatInstant } from "../lib/dates";
import { signWithSecrets } from "../lib/signature";
import { runId } from "./ledger";

/**
 * What every request to a target carries so the target can tell attempts apart, deduplicate at-least-once
 * deliveries and verify that the call is genuine (README "Requests to your endpoint"):
 *
 * - `X-Edgecron-Execution-Id`: this attempt (the log's id);
 * - `Idempotency-Key`: the slot — the first attempt's execution id, the same on every retry of the slot (and,
 *   for a run-now, of that run);
 * - `X-Edgecron-Scheduled-At`: the slot's time (ISO 8601, UTC), absent for a run-now;
 * - `X-Edgecron-Attempt`: 0 for the first attempt, 1, 2, … for retries;
 * - `X-Edgecron-Job-Id`;
 * - `X-Edgecron-Request-Signature: t=<unix s>,v1=<hex>[,v1=…]`: HMAC-SHA256 with the account's signing secret
 *   (one `v1` per active secret during a rotation's overlap) over `"<t>.<METHOD>.<URL>.<body>"` — the method in
 *   upper case, the URL as the WHATWG URL parser serialises the job's endpoint_url, the body as sent ("" when
 *   none). Its own header, never the callbacks' X-Edgecron-Signature, so no verifier confuses the two schemes.
 *   A job with `request_signature: false` sends no signature (the other headers stay).
 *
 * These names override a job header of the same name (compared case-insensitively).
 */
export const REQUEST_SIGNATURE_HEADER = "X-Edgecron-Request-Signature";

export const IDENTITY_HEADERS = [
  "X-Edgecron-Execution-Id",
  "Idempotency-Key",
  "X-Edgecron-Scheduled-At",
  "X-Edgecron-Attempt",
  "X-Edgecron-Job-Id",
  REQUEST_SIGNATURE_HEADER,
] as const;

/** The string a request signature signs after `<t>.` (signWithSecrets adds the timestamp). */
export function requestSigningPayload(method: string, endpointUrl: string, body: string | null): string {
  const upper = method.toUpperCase();
  const sent = upper === "GET" || upper === "HEAD" ? "" : (body ?? "");
  return `${upper}.${new URL(endpointUrl).href}.${sent}`;
}

/**
 * The job's headers with the identity headers of `run` set over them, and the request signature when `secrets`
 * is non-empty. `unixSeconds` is the signature's timestamp. Throws on an invalid endpoint URL only when signing
 * (the executor reports such a URL itself, so callers sign only valid ones — see executeLeased).
 */
export async function requestHeaders(
  jobHeaders: Record<string, string>,
  run: Pick<RunRow, "id" | "jobId" | "slot" | "nonce" | "attempt" | "origin">,
  req: { method: string; endpointUrl: string; body: string | null },
  secrets: readonly string[],
  unixSeconds: number,
): Promise<Record<string, string>> {
  const reserved = new Set(IDENTITY_HEADERS.map((h) => h.toLowerCase()));
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(jobHeaders)) if (!reserved.has(name.toLowerCase())) headers[name] = value;
  headers["X-Edgecron-Execution-Id"] = run.id;
  headers["Idempotency-Key"] = runId({ ...run, attempt: 0 });
  if (run.origin === "schedule") headers["X-Edgecron-Scheduled-At"] = formatInstant(run.slot);
  headers["X-Edgecron-Attempt"] = String(run.attempt);
  headers["X-Edgecron-Job-Id"] = run.jobId;
  if (secrets.length > 0) {
    const payload = requestSigningPayload(req.method, req.endpointUrl, req.body);
    headers[REQUEST_SIGNATURE_HEADER] = await signWithSecrets(secrets, payload, unixSeconds);
  }
  return headers;
}
