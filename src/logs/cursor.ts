/**
 * Opaque keyset cursors: `v1.` + base64url(JSON `[executed_at, id]`). A position, not a credential: the query
 * stays scoped to the caller's account. Anything but the exact canonical encoding is refused.
 */
export interface LogPosition {
  executedAt: number;
  id: string;
}

const PREFIX = "v1.";
const MAX_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ID = /^[\x21-\x7e]{1,128}$/;

function toBase64Url(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(encoded: string): string | null {
  try {
    const binary = atob(encoded.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

export function encodeCursor(p: LogPosition): string {
  return PREFIX + toBase64Url(JSON.stringify([p.executedAt, p.id]));
}

/** The position a cursor names, or null when it is garbled, tampered with or of an unknown version. */
export function decodeCursor(cursor: string): LogPosition | null {
  if (cursor.length > MAX_LENGTH || !cursor.startsWith(PREFIX)) return null;
  const body = cursor.slice(PREFIX.length);
  if (!BASE64URL.test(body)) return null;
  const json = fromBase64Url(body);
  if (json === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [executedAt, id] = value as [unknown, unknown];
  if (typeof executedAt !== "number" || !Number.isSafeInteger(executedAt) || executedAt < 0) return null;
  if (typeof id !== "string" || !ID.test(id)) return null;
  const position = { executedAt, id };
  // Only the canonical spelling: a re-encoded, padded or whitespace-edited cursor is not one we issued.
  return encodeCursor(position) === cursor ? position : null;
}
