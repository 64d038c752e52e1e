/**
 * API credentials: a public key id and a high-entropy secret stored as SHA-256; Web Crypto only, shared with the CLI.
 */
const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomToken(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function newApiKeyId(): string {
  return `ek_${randomToken(12)}`;
}

export function newApiSecret(): string {
  return `es_${randomToken(32)}`;
}

export function newSigningSecret(): string {
  return `whsec_${randomToken(32)}`;
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export async function hashSecret(secret: string): Promise<string> {
  return toHex(await sha256(secret));
}
