/**
 * Verifying what edgecron signs. Today: callbacks, `X-Edgecron-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]` where
 * each `v1` is the hex HMAC-SHA256 of `"<t>.<raw body>"` keyed with one of the account's signing secrets
 * (several during a planned rotation: accept the delivery when any of them matches the secret you hold). Checked
 * with WebCrypto (`crypto.subtle.verify`, a constant-time comparison), so it runs in Node ≥ 20, Workers, Deno, Bun
 * and browsers alike.
 *
 * Extension point: every header is parsed and checked by `verifySignature(scheme, …)`; a scheme says which header
 * carries the signature and which exact bytes were signed. Request signatures (a later edgecron version sends
 * `X-Edgecron-Request-Signature` to job endpoints) will be a second `SignatureScheme` whose signed content covers
 * the request as that version documents it, plus a `verifyRequestSignature` wrapper — callers of
 * `verifyCallbackSignature` are not affected.
 */

export const CALLBACK_SIGNATURE_HEADER = "X-Edgecron-Signature";
/** Reserved for request signatures (not sent yet); see the module comment. */
export const REQUEST_SIGNATURE_HEADER = "X-Edgecron-Request-Signature";
/** Five minutes either way, the usual replay window of timestamped webhook signatures. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The raw body exactly as received: verify before parsing (re-serialised JSON would not match). */
export type RawBody = string | Uint8Array | ArrayBuffer;

/** How one kind of signature is made: its header and the bytes its HMAC covers for a given timestamp. */
export interface SignatureScheme<Signed> {
  header: string;
  signedContent(timestamp: string, signed: Signed): Uint8Array<ArrayBuffer>;
}

export type VerifyFailure = "missing" | "malformed" | "expired" | "mismatch";
export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: VerifyFailure };

export interface VerifyOptions {
  /** The header's value (`null`/`undefined` when the request had none). */
  header: string | null | undefined;
  /** Your signing secret; several while you roll it over on your side (any may match). */
  secret: string | readonly string[];
  /** How far the header's `t` may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Now, in unix seconds (tests; default the clock). */
  now?: number;
}

const encoder = new TextEncoder();

function bytes(body: RawBody): Uint8Array {
  if (typeof body === "string") return encoder.encode(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** `"<t>.<raw body>"`, the bytes a callback signature covers. */
export const callbackSignatureScheme: SignatureScheme<RawBody> = {
  header: CALLBACK_SIGNATURE_HEADER,
  signedContent: (timestamp, body) => concat(encoder.encode(`${timestamp}.`), bytes(body)),
};

export interface ParsedSignatureHeader {
  timestamp: string;
  /** Every `v1` value, in header order (hex, lower-cased). */
  v1: string[];
}

/**
 * `t=…,v1=…[,v1=…]` → its parts; null when there is no integer `t` or no `v1`. Unknown keys (a future `v2`)
 * are ignored, so a receiver keeps working when edgecron adds a scheme version next to `v1`.
 */
export function parseSignatureHeader(value: string): ParsedSignatureHeader | null {
  let timestamp: string | null = null;
  const v1: string[] = [];
  for (const part of value.split(",")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    const key = part.slice(0, eq).trim();
    const val = part.slice(eq + 1).trim();
    if (key === "t" && timestamp === null) timestamp = val;
    else if (key === "v1") v1.push(val.toLowerCase());
  }
  if (timestamp === null || !/^\d{1,12}$/.test(timestamp) || v1.length === 0) return null;
  return { timestamp, v1 };
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-f]{64}$/.test(hex)) return null; // SHA-256: 32 bytes
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

/** Checks a header of `scheme` against `signed` (see the module comment). Never throws on bad input. */
export async function verifySignature<Signed>(
  scheme: SignatureScheme<Signed>,
  signed: Signed,
  options: VerifyOptions,
): Promise<VerifyResult> {
  if (!options.header) return { ok: false, reason: "missing" };
  const parsed = parseSignatureHeader(options.header);
  if (!parsed) return { ok: false, reason: "malformed" };
  const timestamp = Number(parsed.timestamp);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    return { ok: false, reason: "expired" };
  }
  const content = scheme.signedContent(parsed.timestamp, signed);
  const macs = parsed.v1.map(hexToBytes).filter((m): m is Uint8Array<ArrayBuffer> => m !== null);
  const secrets = typeof options.secret === "string" ? [options.secret] : options.secret;
  for (const secret of secrets) {
    const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "verify",
    ]);
    for (const mac of macs) {
      if (await crypto.subtle.verify("HMAC", key, mac, content)) return { ok: true, timestamp };
    }
  }
  return { ok: false, reason: "mismatch" };
}

/** Verifies an `X-Edgecron-Signature` header over the callback's raw body. */
export function verifyCallbackSignature(body: RawBody, options: VerifyOptions): Promise<VerifyResult> {
  return verifySignature(callbackSignatureScheme, body, options);
}

/** The JSON edgecron POSTs to `callbacks.success_url` / `failure_url` after a run's final outcome. */
export interface CallbackPayload {
  cron_job_id: string;
  cron_job_name: string;
  execution_id: string;
  status: "success" | "failure" | "error" | "timeout";
  executed_at: string;
  response_code: number | null;
  response_time_ms: number | null;
  response_body: string | null;
  error_message: string | null;
  retry_attempt: number;
  next_retry_at: string | null;
}

export class SignatureError extends Error {
  override readonly name = "SignatureError";
  constructor(readonly reason: VerifyFailure) {
    super(`edgecron signature check failed: ${reason}`);
  }
}

/**
 * For a fetch-style handler (Workers, Deno, Bun, Node's `Request`): reads the raw body once, verifies its
 * `X-Edgecron-Signature`, and only then parses it. Throws `SignatureError` (answer 400/401) when it does not verify.
 */
export async function verifyCallbackRequest(
  request: Request,
  options: Omit<VerifyOptions, "header">,
): Promise<CallbackPayload> {
  const body = new Uint8Array(await request.arrayBuffer());
  const result = await verifyCallbackSignature(body, {
    ...options,
    header: request.headers.get(CALLBACK_SIGNATURE_HEADER),
  });
  if (!result.ok) throw new SignatureError(result.reason);
  return JSON.parse(new TextDecoder().decode(body)) as CallbackPayload;
}
