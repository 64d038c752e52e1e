/**
 * Signatures of what edgecron sends, after Stripe's multi-signature header: `X-Edgecron-Signature:
 * t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=…]`, one `v1` per active secret, newest first.
 * Receivers accept any matching `v1` (constant-time) and reject old timestamps against replays.
 */
import { joinBytes } from "./bytes";

export const SIGNATURE_HEADER = "X-Edgecron-Signature";

const encoder = new TextEncoder();

async function hmacHex(secret: string, message: Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The bytes of `parts` one after another, text as UTF-8. */
export const concatBytes = (...parts: Array<string | Uint8Array>): Uint8Array<ArrayBuffer> =>
  joinBytes(parts.map((p) => (typeof p === "string" ? encoder.encode(p) : p)));

/**
 * The header signing `body` (text as UTF-8, or the bytes as sent) with every secret, in order, duplicates dropped;
 * throws on none, so nothing goes unsigned.
 */
export async function signWithSecrets(
  secrets: readonly string[],
  body: string | Uint8Array,
  unixSeconds: number,
): Promise<string> {
  const unique = [...new Set(secrets)];
  if (unique.length === 0) throw new Error("signWithSecrets: no signing secret");
  const message = concatBytes(`${unixSeconds}.`, body);
  const macs = await Promise.all(unique.map((s) => hmacHex(s, message)));
  return [`t=${unixSeconds}`, ...macs.map((m) => `v1=${m}`)].join(",");
}

/** One secret: `t=<unix seconds>,v1=<hex>`. */
export function signPayload(secret: string, body: string | Uint8Array, unixSeconds: number): Promise<string> {
  return signWithSecrets([secret], body, unixSeconds);
}
