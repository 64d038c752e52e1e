import { type Keyring, keyById, type MasterKey } from "./keyring";

/** Per-account AES-GCM and HMAC keys via HKDF-SHA-256 (RFC 5869), so one account's tokens say nothing of another's. */
interface AccountKeys {
  seal: CryptoKey;
  mac: CryptoKey;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
/** Bounded: an isolate serves many accounts, each costs two CryptoKeys. */
const CACHE_MAX = 1_000;
const derived = new Map<string, Promise<AccountKeys>>();

function accountKeys(master: MasterKey, accountId: string): Promise<AccountKeys> {
  const cacheKey = `${master.id}\u0000${accountId}\u0000${hex(master.bytes.subarray(0, 4))}`;
  let keys = derived.get(cacheKey);
  if (!keys) {
    if (derived.size >= CACHE_MAX) derived.delete(derived.keys().next().value as string);
    keys = derive(master, accountId);
    derived.set(cacheKey, keys);
    keys.catch(() => derived.delete(cacheKey));
  }
  return keys;
}

async function derive(master: MasterKey, accountId: string): Promise<AccountKeys> {
  const ikm = await crypto.subtle.importKey("raw", master.bytes, "HKDF", false, ["deriveKey"]);
  const params = (info: string) => ({
    name: "HKDF",
    hash: "SHA-256",
    salt: encoder.encode(`edgecron/account/${accountId}`),
    info: encoder.encode(info),
  });
  const [seal, mac] = await Promise.all([
    crypto.subtle.deriveKey(params("secrets/aes-gcm"), ikm, { name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ]),
    crypto.subtle.deriveKey(params("secrets/redaction"), ikm, { name: "HMAC", hash: "SHA-256", length: 256 }, false, [
      "sign",
    ]),
  ]);
  return { seal, mac };
}

/** Hex digits of a redaction token: 32 bits tell a job's values apart and give a guesser nothing to test. */
export const TOKEN_HASH_CHARS = 8;

/** The short HMAC-SHA-256 of `value` under the account's redaction key (current master key). */
export async function redactionHash(ring: Keyring, accountId: string, value: string): Promise<string> {
  const { mac } = await accountKeys(ring.current, accountId);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", mac, encoder.encode(value)));
  return hex(sig).slice(0, TOKEN_HASH_CHARS);
}

/** A sealed value: `v1.<key id>.<base64url IV>.<base64url ciphertext+tag>`. */
const SEALED = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/** Encrypts `value` with AES-256-GCM; `aad` (account, job, token) binds it to where it is stored. */
export async function seal(ring: Keyring, accountId: string, aad: string, value: string): Promise<string> {
  const { seal: key } = await accountKeys(ring.current, accountId);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(`${accountId}\n${aad}`) },
      key,
      encoder.encode(value),
    ),
  );
  return `v1.${ring.current.id}.${b64url(iv)}.${b64url(ct)}`;
}

export class UnsealError extends Error {}

/** Decrypts a sealed value; throws UnsealError when its key is gone or the value or its AAD was tampered with. */
export async function unseal(ring: Keyring, accountId: string, aad: string, sealed: string): Promise<string> {
  const m = SEALED.exec(sealed);
  if (!m) throw new UnsealError("not a sealed value");
  const master = keyById(ring, m[1] as string);
  if (!master) throw new UnsealError(`master key ${m[1]} is not configured`);
  const { seal: key } = await accountKeys(master, accountId);
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromB64url(m[2] as string), additionalData: encoder.encode(`${accountId}\n${aad}`) },
      key,
      fromB64url(m[3] as string),
    );
    return decoder.decode(plain);
  } catch {
    throw new UnsealError("sealed value failed authentication");
  }
}

/** The key id a sealed value was made with (null if it is not one). */
export function sealedKeyId(sealed: string): string | null {
  return SEALED.exec(sealed)?.[1] ?? null;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}
