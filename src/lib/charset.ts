import { decodeUtf8Capped, MAX_RESPONSE_BODY_BYTES, truncateUtf8 } from "./truncate";

/**
 * Bodies are decoded with their Content-Type charset by TextDecoder (WHATWG Encoding Standard labels), then stored
 * as ≤ 1 KB of UTF-8. A byte-order mark wins over the label, as in WHATWG "decode"; unknown labels fall back to UTF-8.
 */

/** The `charset` parameter of a Content-Type header (RFC 9110 §8.3), unquoted; null when there is none. */
export function charsetOf(contentType: string | null): string | null {
  if (!contentType) return null;
  for (const param of contentType.split(";").slice(1)) {
    const eq = param.indexOf("=");
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "charset") continue;
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    return value || null;
  }
  return null;
}

const BOMS: Array<[bytes: number[], label: string]> = [
  [[0xef, 0xbb, 0xbf], "utf-8"],
  [[0xfe, 0xff], "utf-16be"],
  [[0xff, 0xfe], "utf-16le"],
];

function labelFor(bytes: Uint8Array, contentType: string | null): string {
  const bom = BOMS.find(([mark]) => mark.every((b, i) => bytes[i] === b));
  return bom ? bom[1] : (charsetOf(contentType) ?? "utf-8");
}

function decoderFor(label: string): TextDecoder | null {
  try {
    const decoder = new TextDecoder(label);
    return decoder.encoding === "utf-8" ? null : decoder;
  } catch {
    return null; // unknown label, or "replacement": UTF-8
  }
}

/**
 * A body prefix as ≤ `maxBytes` UTF-8 bytes. Streaming decode leaves out a character cut by the prefix's end
 * instead of making U+FFFD; the cap then cuts on a character boundary again.
 */
export function decodeBodyCapped(
  bytes: Uint8Array,
  contentType: string | null,
  maxBytes = MAX_RESPONSE_BODY_BYTES,
): string {
  const decoder = decoderFor(labelFor(bytes, contentType));
  if (!decoder) return decodeUtf8Capped(bytes, maxBytes);
  return truncateUtf8(decoder.decode(bytes, { stream: true }), maxBytes);
}
