/**
 * The log store's text codec. Byte 0 names the codec: 0 raw UTF-8, n ≥ 1 raw deflate (RFC 1951) with frozen
 * preset dictionary n (dictionaries/<n>.ts). encodeText writes the smaller, raw on a tie, so at most UTF-8 + 1.
 * decodeText(encodeText(s)) is s.toWellFormed(), a leading U+FEFF kept.
 */
import { deflateChecked, inflateWith } from "./deflate";
import { DICTIONARY_1 } from "./dictionaries/1";

export const CODEC_RAW = 0;
/** The dictionary encodeText uses; older ones stay decodable for as long as rows name them. */
export const CURRENT_DICTIONARY = 1;

const DICTIONARIES: ReadonlyMap<number, Uint8Array> = new Map([[1, DICTIONARY_1]]);

/** A BLOB column as read back: number[] from D1's binding (test/lib/codec.test.ts), else ArrayBuffer or a view. */
export type EncodedText = Uint8Array | ArrayBuffer | readonly number[];

/** A value that is not this codec's output (unknown codec, corrupt payload): never decoded into garbage. */
export class CodecError extends Error {
  override name = "CodecError";
}

const encoder = new TextEncoder();
// fatal: a corrupt payload throws instead of decoding to U+FFFD; ignoreBOM: a leading U+FEFF is text (D1 kept it).
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** `text` as codec bytes: [CODEC_RAW, ...utf8] or [CURRENT_DICTIONARY, ...deflated], whichever is shorter. */
export function encodeText(text: string): Uint8Array {
  const raw = encoder.encode(text);
  // A deflate stream of non-empty data is at least 3 bytes, so it can only win from 4 bytes up.
  const packed = raw.length > 3 ? deflateChecked(raw, DICTIONARIES.get(CURRENT_DICTIONARY) as Uint8Array) : null;
  const [codec, payload] = packed && packed.length < raw.length ? [CURRENT_DICTIONARY, packed] : [CODEC_RAW, raw];
  const out = new Uint8Array(payload.length + 1);
  out[0] = codec;
  out.set(payload, 1);
  return out;
}

/** The text `bytes` hold (null for a null column); throws CodecError for anything encodeText could not have made. */
export function decodeText(bytes: EncodedText | null | undefined): string | null {
  if (bytes === null || bytes === undefined) return null;
  const view = asBytes(bytes);
  const codec = codecByte(view);
  const payload = view.subarray(1);
  try {
    if (codec === CODEC_RAW) return decoder.decode(payload);
    return decoder.decode(inflate(payload, dictionaryOf(codec)));
  } catch (e) {
    if (e instanceof CodecError) throw e;
    throw new CodecError(`Corrupt text value (codec ${codec}): ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The codec byte of an encoded value (null for a null column). */
export function codecOf(bytes: EncodedText | null | undefined): number | null {
  return bytes === null || bytes === undefined ? null : codecByte(asBytes(bytes));
}

function codecByte(view: Uint8Array): number {
  const codec = view[0];
  if (codec === undefined) throw new CodecError("Empty text value: an encoded value starts with its codec byte");
  if (codec !== CODEC_RAW) dictionaryOf(codec);
  return codec;
}

function dictionaryOf(codec: number): Uint8Array {
  const dictionary = DICTIONARIES.get(codec);
  if (!dictionary) {
    throw new CodecError(
      `Unknown text codec ${codec}: this build reads 0 (raw UTF-8) and dictionaries ${[...DICTIONARIES.keys()].join(", ")}`,
    );
  }
  return dictionary;
}

function asBytes(bytes: EncodedText): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (Array.isArray(bytes)) {
    for (const b of bytes) {
      if (!Number.isInteger(b) || b < 0 || b > 255) throw new CodecError(`Not a byte array: holds ${String(b)}`);
    }
    return Uint8Array.from(bytes);
  }
  // Tag check rather than instanceof: an ArrayBuffer from another realm (a driver's) is still one.
  if (Object.prototype.toString.call(bytes) === "[object ArrayBuffer]") return new Uint8Array(bytes as ArrayBuffer);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new CodecError("Not an encoded text value: expected Uint8Array, ArrayBuffer or number[]");
}

/**
 * fflate grows a fresh 128 KiB buffer for every inflate without `out`; a reused scratch buffer (decoded into a
 * string before returning) keeps a page of logs cheap. A result that fills it may be cut: inflate again unbounded.
 */
const scratch = new Uint8Array(32 * 1024);

function inflate(payload: Uint8Array, dictionary: Uint8Array): Uint8Array {
  const out = inflateWith(payload, dictionary, scratch);
  return out.length < scratch.length ? out : inflateWith(payload, dictionary);
}
