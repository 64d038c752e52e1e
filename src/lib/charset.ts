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

/** The WHATWG Encoding Standard's legacy single-byte encodings (§9), by the name TextDecoder reports. */
export const SINGLE_BYTE_ENCODINGS: ReadonlySet<string> = new Set([
  "ibm866",
  "iso-8859-2",
  "iso-8859-3",
  "iso-8859-4",
  "iso-8859-5",
  "iso-8859-6",
  "iso-8859-7",
  "iso-8859-8",
  "iso-8859-8-i",
  "iso-8859-10",
  "iso-8859-13",
  "iso-8859-14",
  "iso-8859-15",
  "iso-8859-16",
  "koi8-r",
  "koi8-u",
  "macintosh",
  "windows-874",
  "windows-1250",
  "windows-1251",
  "windows-1252",
  "windows-1253",
  "windows-1254",
  "windows-1255",
  "windows-1256",
  "windows-1257",
  "windows-1258",
  "x-mac-cyrillic",
]);

/**
 * How a request body is encoded for a declared Content-Type: UTF-8 (no charset, or a UTF-8 label), a single-byte
 * encoding (a WHATWG label such as latin1, which names windows-1252), or a charset edgecron cannot encode.
 */
export type RequestCharset =
  | { kind: "utf-8" }
  | { kind: "single-byte"; label: string; encoding: string }
  | { kind: "unsupported"; label: string };

export function requestCharset(contentType: string | null): RequestCharset {
  const label = charsetOf(contentType);
  if (label === null) return { kind: "utf-8" };
  let encoding: string;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    return { kind: "unsupported", label };
  }
  if (encoding === "utf-8") return { kind: "utf-8" };
  return SINGLE_BYTE_ENCODINGS.has(encoding)
    ? { kind: "single-byte", label, encoding }
    : { kind: "unsupported", label };
}

/** Code unit → byte per single-byte encoding, read off the platform's own decoder once per encoding. */
const reverseTables = new Map<string, Map<number, number>>();

function reverseTable(encoding: string): Map<number, number> {
  let table = reverseTables.get(encoding);
  if (!table) {
    table = new Map();
    const chars = new TextDecoder(encoding).decode(Uint8Array.from({ length: 256 }, (_, i) => i));
    // A byte the encoding leaves unassigned decodes to U+FFFD: no character encodes to it.
    for (let byte = 0; byte < 256; byte++) if (chars[byte] !== "\uFFFD") table.set(chars.charCodeAt(byte), byte);
    reverseTables.set(encoding, table);
  }
  return table;
}

export type SingleByteResult =
  | { ok: true; bytes: Uint8Array }
  | {
      ok: false;
      /** The first character with no byte in the encoding, its code point as U+XXXX, and its 1-based position. */
      char: string;
      codePoint: string;
      position: number;
    };

/** `text` in a single-byte encoding (the WHATWG single-byte encoder), or its first character that has no byte. */
export function encodeSingleByte(text: string, encoding: string): SingleByteResult {
  const table = reverseTable(encoding);
  const bytes = new Uint8Array(text.length);
  let n = 0;
  let position = 0;
  for (const char of text) {
    position++;
    const byte = char.length === 1 ? table.get(char.charCodeAt(0)) : undefined;
    if (byte === undefined) {
      const codePoint = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
      return { ok: false, char, codePoint, position };
    }
    bytes[n++] = byte;
  }
  return { ok: true, bytes: bytes.subarray(0, n) };
}

/**
 * A request body as sent: its declared single-byte charset's bytes, else the text (UTF-8 on the wire), also when a
 * character has no byte there (create and update refuse such bodies; older rows keep working).
 */
export function encodedRequestBody<T extends string | null>(body: T, contentType: string | null): T | Uint8Array {
  if (body === null || body === "") return body;
  const charset = requestCharset(contentType);
  if (charset.kind !== "single-byte") return body;
  const encoded = encodeSingleByte(body, charset.encoding);
  return encoded.ok ? encoded.bytes : body;
}
