/**
 * Master keys for sealing and tokens, Worker secrets (never `[vars]`): `<key id>:<base64 of 32 bytes>`. The id
 * travels with each sealed value so a rotation tells old ciphertexts from new.
 */

export interface MasterKey {
  id: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** Seals with `current`; opens values sealed under `current` or any `previous` key (a rotation in progress). */
export interface Keyring {
  current: MasterKey;
  previous: MasterKey[];
}

/** Either a usable keyring, or why there is none: the service then fails closed (docs/API-NOTES.md "Security"). */
export type KeyringStatus = { ok: true; keyring: Keyring } | { ok: false; reason: string };

export const MASTER_KEY_VAR = "SECRETS_MASTER_KEY";
export const PREVIOUS_MASTER_KEYS_VAR = "SECRETS_MASTER_KEY_PREVIOUS";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** One `<id>:<base64>` key, or an error naming what is wrong (never the key itself). */
export function parseMasterKey(text: string, variable: string): MasterKey | string {
  const at = text.indexOf(":");
  const id = at > 0 ? text.slice(0, at).trim() : "";
  if (!KEY_ID.test(id)) return `${variable} must be <key id>:<base64 of 32 random bytes>`;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = Uint8Array.from(atob(text.slice(at + 1).trim()), (c) => c.charCodeAt(0));
  } catch {
    return `${variable} (key ${id}) is not base64`;
  }
  if (bytes.length !== 32) return `${variable} (key ${id}) must decode to 32 bytes, not ${bytes.length}`;
  return { id, bytes };
}

/** The keyring from the Worker's secrets; `SECRETS_MASTER_KEY_PREVIOUS` may list several keys, comma-separated. */
export function parseKeyring(current: string | undefined, previous: string | undefined): KeyringStatus {
  if (!current?.trim()) return { ok: false, reason: `${MASTER_KEY_VAR} is not configured` };
  const key = parseMasterKey(current.trim(), MASTER_KEY_VAR);
  if (typeof key === "string") return { ok: false, reason: key };
  const older: MasterKey[] = [];
  for (const part of (previous ?? "").split(",")) {
    if (!part.trim()) continue;
    const old = parseMasterKey(part.trim(), PREVIOUS_MASTER_KEYS_VAR);
    if (typeof old === "string") return { ok: false, reason: old };
    if (old.id === key.id) return { ok: false, reason: `${PREVIOUS_MASTER_KEYS_VAR} reuses the key id ${key.id}` };
    older.push(old);
  }
  return { ok: true, keyring: { current: key, previous: older } };
}

/** The key a sealed value names, or undefined when this deployment no longer holds it. */
export function keyById(ring: Keyring, id: string): MasterKey | undefined {
  return ring.current.id === id ? ring.current : ring.previous.find((k) => k.id === id);
}

/** No usable master key while a secret must be sealed or opened: the service fails closed (503, never clear text). */
export class MasterKeyMissingError extends Error {
  readonly code = "master_key_missing";
}
