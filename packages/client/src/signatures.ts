/**
 * Verifying what edgecron signs, with the account's signing secret (several during a planned rotation: each active
 * secret adds a `v1`, and a header verifies when any of them matches the secret you hold):
 *
 * - callbacks: `X-Edgecron-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]`, each `v1` the hex HMAC-SHA256 of
 *   `"<t>.<raw body>"` (README "Retries and callbacks");
 * - requests to a job's endpoint: `X-Edgecron-Request-Signature`, same form, over `"<t>.<METHOD>.<URL>.<body>"` —
 *   the method upper-cased, the URL the job's `endpoint_url` as the WHATWG URL parser serialises it, the body as
 *   sent (empty for GET/HEAD) (README "Requests to your endpoint"). Its own header and signed string, so a request
 *   never passes for a callback or the reverse.
 *
 * Checked with WebCrypto (`crypto.subtle.verify`, a constant-time comparison), so it runs in Node ≥ 20, Workers,
 * Deno, Bun and browsers alike.
 *
 * Extension point: `verifySignature(scheme, …)` parses the header, checks the timestamp window and tries every `v1`;
 * a `SignatureScheme` only says which header it reads and which bytes were signed. A new signed thing (or a new
 * signed-string version) is one more scheme, without touching the existing verifiers.
 */

export const CALLBACK_SIGNATURE_HEADER = "X-Edgecron-Signature";
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

/** A request edgecron made to a job's endpoint, as the receiver saw it. */
export interface SignedRequest {
  method: string;
  /** The job's `endpoint_url` (any spelling the URL parser normalises to the same href). */
  url: string;
  /** The raw body as received (ignored for GET and HEAD, which edgecron sends without one). */
  body?: RawBody | null;
}

/** `"<t>.<METHOD>.<URL>.<body>"`, the bytes a request signature covers. */
export const requestSignatureScheme: SignatureScheme<SignedRequest> = {
  header: REQUEST_SIGNATURE_HEADER,
  signedContent: (timestamp, req) => {
    const method = req.method.toUpperCase();
    const body = method === "GET" || method === "HEAD" || req.body == null ? new Uint8Array() : bytes(req.body);
    return concat(encoder.encode(`${timestamp}.${method}.${new URL(req.url).href}.`), body);
  },
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

/** Verifies an `X-Edgecron-Request-Signature` header over the request's method, the job's URL and the raw body. */
export function verifyRequestSignature(request: SignedRequest, options: VerifyOptions): Promise<VerifyResult> {
  return verifySignature(requestSignatureScheme, request, options);
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

/**
 * For a fetch-style handler at a job's endpoint: verifies `X-Edgecron-Request-Signature` over the request's method,
 * `endpointUrl` (the job's `endpoint_url`; default `request.url`, which differs behind a proxy that rewrites the
 * URL) and its raw body, which it answers. Throws `SignatureError` when it does not verify.
 */
export async function verifyEdgecronRequest(
  request: Request,
  options: Omit<VerifyOptions, "header"> & { endpointUrl?: string },
): Promise<Uint8Array> {
  const body = new Uint8Array(await request.arrayBuffer());
  const result = await verifyRequestSignature(
    { method: request.method, url: options.endpointUrl ?? request.url, body },
    { ...options, header: request.headers.get(REQUEST_SIGNATURE_HEADER) },
  );
  if (!result.ok) throw new SignatureError(result.reason);
  return body;
}
