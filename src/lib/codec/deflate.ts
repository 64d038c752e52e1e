/**
 * Raw deflate (RFC 1951, no zlib/gzip wrapper) with a preset dictionary, by fflate: the platform's
 * CompressionStream takes no dictionary. Pure JS, so Workers, Node scripts and browsers produce the same bytes.
 */
import { deflateSync, inflateSync } from "fflate";

/** fflate's level 6 (its default, zlib's too): see scripts/codec/build-dictionary.ts for the measurements. */
export const DEFLATE_LEVEL = 6;

/**
 * `raw` deflated with `dictionary`, or null when the result does not inflate back to `raw`. fflate 0.8.x writes
 * the dictionary itself into a stored (uncompressed) first block, so such output would decode with the dictionary
 * in front; the check keeps that, and any other encoder fault, out of storage.
 */
export function deflateChecked(raw: Uint8Array, dictionary: Uint8Array): Uint8Array | null {
  const packed = deflateSync(raw, { level: DEFLATE_LEVEL, dictionary });
  let back: Uint8Array;
  try {
    // One byte of room past `raw`: a longer result fills it and so fails the comparison.
    back = inflateWith(packed, dictionary, new Uint8Array(raw.length + 1));
  } catch {
    return null;
  }
  return sameBytes(back, raw) ? packed : null;
}

/**
 * Inflates raw deflate `packed` made with `dictionary`. With `out`, the result is written there and cut at its
 * length (fflate's contract); without, fflate allocates (and grows by 128 KiB steps).
 */
export function inflateWith(packed: Uint8Array, dictionary: Uint8Array, out?: Uint8Array): Uint8Array {
  return out ? inflateSync(packed, { dictionary, out }) : inflateSync(packed, { dictionary });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
