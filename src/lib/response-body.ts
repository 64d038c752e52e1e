import { charsetOf, decodeBodyCapped } from "./charset";
import {
  type ContentCodings,
  decodingSource,
  MAX_CODED_INPUT,
  parseContentEncoding,
  readPrefix,
  StreamSource,
} from "./content-coding";
import { MAX_RESPONSE_BODY_BYTES } from "./truncate";

/**
 * A response body as a log stores it: ≤ 1 KB of text, its content codings undone; a short note instead of text for a
 * body that is not text (a binary Content-Type, a coding edgecron cannot undo, binary bytes); null without bytes.
 */
export async function storedResponseBody(
  stream: ReadableStream<Uint8Array> | null,
  headers: Headers,
  signal: AbortSignal,
): Promise<string | null> {
  if (!stream) return null;
  const contentType = headers.get("content-type");
  const codings = parseContentEncoding(headers.get("content-encoding"));
  const declared = contentLength(headers.get("content-length"));
  const limit = MAX_RESPONSE_BODY_BYTES + 1;
  const raw = new StreamSource(stream, signal, codings.codings.length > 0 ? MAX_CODED_INPUT : limit);
  const binaryType = isBinaryMediaType(contentType);
  if (binaryType || !codings.decodable) {
    // The note needs the size only: Content-Length gives it, else up to `limit` bytes are counted, never decoded.
    if (declared === null) await readPrefix(raw, limit, signal);
    else raw.cancel();
    if (declared === 0 || (declared === null && raw.bytesRead === 0)) return null;
    return binaryNote(sizeOf(declared, raw), binaryType ? contentType : null, codings);
  }
  const source = codings.codings.length > 0 ? decodingSource(raw, codings.codings, signal) : raw;
  const prefix = await readPrefix(source, limit, signal);
  if (raw.bytesRead === 0) return null;
  if (prefix.bytes.byteLength === 0) {
    // A coded body that yields no byte is corrupt (or, past MAX_CODED_INPUT, no text worth reading).
    return prefix.error !== undefined || raw.cut
      ? binaryNote(sizeOf(declared, raw), null, codings, "corrupt data")
      : null;
  }
  if (looksBinary(prefix.bytes, contentType)) return binaryNote(sizeOf(declared, raw), contentType, codings);
  return decodeBodyCapped(prefix.bytes, contentType);
}

/** Content-Length as a number, or null when absent or not a plain non-negative integer. */
function contentLength(value: string | null): number | null {
  return value !== null && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : null;
}

/** The body's size as sent: Content-Length, the count when it ended, else "≥" what was read (at most 1,025). */
function sizeOf(declared: number | null, raw: StreamSource): string {
  if (declared !== null) return bytesText(declared);
  if (raw.ended && !raw.cut) return bytesText(raw.bytesRead);
  return `≥ ${bytesText(Math.min(raw.bytesRead, MAX_RESPONSE_BODY_BYTES + 1))}`;
}

function bytesText(n: number): string {
  return `${String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",")} ${n === 1 ? "byte" : "bytes"}`;
}

const clip = (s: string) => (s.length > 100 ? `${s.slice(0, 100)}…` : s);

/** E.g. `[binary body: 2,048 bytes, content-encoding zstd]`: what the body was, never its bytes as mojibake. */
export function binaryNote(size: string, contentType: string | null, codings: ContentCodings, reason?: string): string {
  const parts = [`binary body: ${size}`];
  if (contentType !== null) parts.push(`content-type ${clip(essence(contentType))}`);
  if (codings.codings.length > 0) parts.push(`content-encoding ${clip(codings.codings.join(", "))}`);
  if (reason) parts.push(reason);
  return `[${parts.join(", ")}]`;
}

/** A Content-Type's type/subtype, lower-cased, without parameters (RFC 9110 §8.3.1). */
function essence(contentType: string): string {
  return (contentType.split(";")[0] ?? "").trim().toLowerCase();
}

/** Media types that are never text, whatever their bytes (IANA registrations; RFC 6839 and RFC 8949 suffixes). */
const BINARY_TOP_LEVEL = new Set(["image", "audio", "video", "font", "model"]);
const BINARY_APPLICATION = new Set([
  "octet-stream",
  "pdf",
  "zip",
  "gzip",
  "x-gzip",
  "zstd",
  "x-tar",
  "x-bzip2",
  "x-xz",
  "x-7z-compressed",
  "vnd.rar",
  "x-rar-compressed",
  "wasm",
  "protobuf",
  "x-protobuf",
  "vnd.google.protobuf",
  "grpc",
  "msgpack",
  "x-msgpack",
  "vnd.msgpack",
  "cbor",
  "java-archive",
  "x-sqlite3",
  "vnd.android.package-archive",
  "msword",
  "vnd.ms-excel",
  "vnd.ms-powerpoint",
]);
const BINARY_PREFIXES = ["grpc+", "vnd.openxmlformats-officedocument.", "vnd.oasis.opendocument."];
const BINARY_SUFFIXES = ["+zip", "+gzip", "+cbor", "+der", "+zstd", "+wbxml"];
const TEXT_SUFFIXES = ["+json", "+xml", "+yaml", "+text"];

export function isBinaryMediaType(contentType: string | null): boolean {
  if (!contentType) return false;
  const [type = "", subtype = ""] = essence(contentType).split("/");
  if (TEXT_SUFFIXES.some((s) => subtype.endsWith(s))) return false;
  if (BINARY_TOP_LEVEL.has(type)) return true;
  if (BINARY_SUFFIXES.some((s) => subtype.endsWith(s))) return true;
  return (
    type === "application" && (BINARY_APPLICATION.has(subtype) || BINARY_PREFIXES.some((p) => subtype.startsWith(p)))
  );
}

/** WHATWG MIME Sniffing §4.6 "binary data byte": control bytes no text encoding uses (tab, LF, FF, CR, ESC are text). */
const isBinaryDataByte = (b: number) => b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f);

/**
 * WHATWG MIME Sniffing §7.2, for a body without a Content-Type or with text/plain (the types it sniffs): binary
 * data bytes make it binary, unless a byte-order mark or a UTF-16 charset says NULs are text.
 */
export function looksBinary(bytes: Uint8Array, contentType: string | null): boolean {
  if (contentType !== null && essence(contentType) !== "text/plain") return false;
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) return false;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return false;
  if (/^utf-16/i.test(charsetOf(contentType) ?? "")) return false;
  return bytes.some(isBinaryDataByte);
}
