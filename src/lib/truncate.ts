/** Response bodies are stored capped at 1 KB of UTF-8, cut on a character boundary so the text stays valid. */
export const MAX_RESPONSE_BODY_BYTES = 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Largest n <= maxBytes such that bytes[0, n) does not end inside a multi-byte sequence. */
export function utf8Boundary(bytes: Uint8Array, maxBytes: number): number {
  if (bytes.length <= maxBytes) return bytes.length;
  let n = maxBytes;
  // Back off over continuation bytes (10xxxxxx) to the lead byte; a valid sequence has at most 3 of them.
  while (n > 0 && maxBytes - n < 3 && ((bytes[n] ?? 0) & 0xc0) === 0x80) n--;
  return ((bytes[n] ?? 0) & 0xc0) === 0x80 ? maxBytes : n;
}

/** Truncates `text` to at most `maxBytes` UTF-8 bytes. */
export function truncateUtf8(text: string, maxBytes = MAX_RESPONSE_BODY_BYTES): string {
  // Every UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair is 4 for 2 units).
  if (text.length * 3 <= maxBytes) return text;
  // Each unit is ≥ 1 byte, so maxBytes + 1 units cover the cut and the byte after it.
  const bytes = encoder.encode(text.length > maxBytes + 1 ? text.slice(0, maxBytes + 1) : text);
  if (bytes.length <= maxBytes) return text;
  return decoder.decode(bytes.subarray(0, utf8Boundary(bytes, maxBytes)));
}

/**
 * A streamed body prefix as ≤ `maxBytes` UTF-8 bytes; invalid input becomes U+FFFD (3 bytes), so it is capped again.
 */
export function decodeUtf8Capped(bytes: Uint8Array, maxBytes = MAX_RESPONSE_BODY_BYTES): string {
  return truncateUtf8(decoder.decode(bytes.subarray(0, utf8Boundary(bytes, maxBytes))), maxBytes);
}
