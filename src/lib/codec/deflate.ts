/** Raw deflate (RFC 1951) with a preset dictionary via fflate: CompressionStream takes none; same bytes everywhere. */
import { deflateSync, inflateSync } from "fflate";

/** fflate's level 6 (its default, zlib's too): see scripts/codec/build-dictionary.ts for the measurements. */
export const DEFLATE_LEVEL = 6;

/**
 * `raw` deflated with `dictionary`, or null unless it inflates back to `raw`: fflate 0.8.x may store the
 * dictionary itself in a first block, and the check keeps that and other encoder faults out of storage.
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

/** Inflates `packed`; with `out`, writes there and cuts to length (fflate's contract), else fflate allocates. */
export function inflateWith(packed: Uint8Array, dictionary: Uint8Array, out?: Uint8Array): Uint8Array {
  return out ? inflateSync(packed, { dictionary, out }) : inflateSync(packed, { dictionary });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
