/**
 * Signatures of what edgecron sends (callbacks today, requests to targets later):
 * `X-Edgecron-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=<…>]`, one `v1` per active
 * signing secret of the account (during a rotation's grace period: the new secret's first, then the old ones).
 * Receivers recompute the HMAC with the secret they hold, accept when any `v1` matches (constant-time compare),
 * and reject old timestamps to stop replays. The scheme follows Stripe's multi-signature header.
 */
export const SIGNATURE_HEADER = "X-Edgecron-Signature";

const encoder = new TextEncoder();

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The header value signing `body` at `unixSeconds` with every secret in `secrets` (in that order, duplicates
 * dropped). Throws when `secrets` is empty: an unsigned delivery must never go out by mistake.
 */
export async function signWithSecrets(secrets: readonly string[], body: string, unixSeconds: number): Promise<string> {
  const unique = [...new Set(secrets)];
  if (unique.length === 0) throw new Error("signWithSecrets: no signing secret");
  const macs = await Promise.all(unique.map((s) => hmacHex(s, `${unixSeconds}.${body}`)));
  return [`t=${unixSeconds}`, ...macs.map((m) => `v1=${m}`)].join(",");
}

/** One secret: `t=<unix seconds>,v1=<hex>`. */
export function signPayload(secret: string, body: string, unixSeconds: number): Promise<string> {
  return signWithSecrets([secret], body, unixSeconds);
}
