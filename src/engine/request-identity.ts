import type { RunRow } from "../db/schema";
import { encodedRequestBody } from "../lib/charset";
import { formatInstant } from "../lib/dates";
import { concatBytes, signWithSecrets } from "../lib/signature";
import { runId } from "./ledger";

/**
 * Headers every target request carries (docs/API-NOTES.md "Requests to your endpoint"); they override a job header of
 * the same name, case-insensitively:
 * - `X-Edgecron-Execution-Id`: this attempt; `Idempotency-Key`: the slot's first execution id, same on retries;
 * - `X-Edgecron-Scheduled-At` (ISO 8601 UTC, absent for run-now), `X-Edgecron-Attempt` (0, 1, …), `X-Edgecron-Job-Id`;
 * - `X-Edgecron-Request-Signature: t=<unix s>,v1=<hex>[,v1=…]`: HMAC-SHA256, one `v1` per active secret, over
 *   `"<t>.<METHOD>.<URL>.<body>"` (upper-case method, WHATWG-serialised URL, body or ""). Distinct from the
 *   callbacks' X-Edgecron-Signature; omitted when `request_signature: false`.
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

/**
 * The bytes a request signature signs after `<t>.` (signWithSecrets adds the timestamp): the body as sent, in its
 * declared charset, since receivers verify the raw bytes.
 */
export function requestSigningPayload(
  method: string,
  endpointUrl: string,
  body: string | null,
  contentType: string | null = null,
): Uint8Array {
  const upper = method.toUpperCase();
  const sent = upper === "GET" || upper === "HEAD" ? "" : encodedRequestBody(body ?? "", contentType);
  return concatBytes(`${upper}.${new URL(endpointUrl).href}.`, sent);
}

const contentTypeOf = (headers: Record<string, string>): string | null =>
  Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1] ?? null;

/** The job's headers under the identity headers, signed when `secrets` is non-empty; throws on a bad URL only then. */
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
    const payload = requestSigningPayload(req.method, req.endpointUrl, req.body, contentTypeOf(headers));
    headers[REQUEST_SIGNATURE_HEADER] = await signWithSecrets(secrets, payload, unixSeconds);
  }
  return headers;
}
