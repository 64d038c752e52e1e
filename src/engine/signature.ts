/**
 * Callback signatures: `X-Edgecron-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`,
 * keyed with the account's signing secret. Receivers recompute it and compare in constant time, and
 * reject old timestamps to stop replays.
 */
export const SIGNATURE_HEADER = "X-Edgecron-Signature";

const encoder = new TextEncoder();

export async function signPayload(secret: string, body: string, unixSeconds: number): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${unixSeconds}.${body}`)));
  const hex = Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
  return `t=${unixSeconds},v1=${hex}`;
}
