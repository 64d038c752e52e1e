/**
 * Signatures of what edgecron sends, after Stripe's multi-signature header: `X-Edgecron-Signature:
 * t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=…]`, one `v1` per active secret, newest first.
 * Receivers accept any matching `v1` (constant-time) and reject old timestamps against replays.
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
 * The header signing `body` with every secret, in order, duplicates dropped; throws on none, so nothing goes
 * unsigned.
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
