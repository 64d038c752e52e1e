/**
 * Execution ids are `exe_` + a ULID-shaped string: 10 Crockford base32 characters of the slot time
 * (so ids sort by time) and 16 derived from (job, slot, attempt). Deterministic, so a redelivered
 * queue message inserts the same id and `ON CONFLICT DO NOTHING` keeps one log per attempt.
 */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function encodeTime(ms: number): string {
  let out = "";
  let n = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

/** 32-bit FNV-1a-style mix with a seed; four seeds give the 80 bits we need. */
function hash32(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function encodeRandom(key: string): string {
  let out = "";
  for (let seed = 1; out.length < 16; seed++) {
    let h = hash32(key, seed * 0x9e3779b9);
    for (let i = 0; i < 4 && out.length < 16; i++) {
      out += CROCKFORD[h & 31];
      h >>>= 5;
    }
  }
  return out;
}

/**
 * The id of one attempt: `exe_` + 26 characters. `nonce` tells apart manual runs started in the same millisecond
 * (a schedule slot has none, so ids of schedule runs are unchanged by it).
 */
export function executionId(cronJobId: string, slotMs: number, attempt: number, nonce: string | null = null): string {
  const key = nonce === null ? `${cronJobId}|${slotMs}|${attempt}` : `${cronJobId}|${slotMs}|${nonce}|${attempt}`;
  return `exe_${encodeTime(slotMs)}${encodeRandom(key)}`;
}

/** The smallest execution id of a slot at `ms`: every id of an earlier slot sorts below it (retention by id). */
export function executionIdFloor(ms: number): string {
  return `exe_${encodeTime(ms)}`;
}
