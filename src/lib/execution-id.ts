/**
 * Execution ids: `exe_` + 10 Crockford characters of the slot time (so ids sort by time) + 16 derived from (job,
 * slot, attempt). Deterministic, so a redelivery inserts the same id and ON CONFLICT keeps one log per attempt.
 */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** `n` (a non-negative safe integer) as `length` Crockford characters, most significant first. */
function encodeBase32(n: number, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    out = CROCKFORD[n % 32] + out;
    n = Math.floor(n / 32);
  }
  return out;
}

const encodeTime = (ms: number): string => encodeBase32(Math.max(0, Math.floor(ms)), 10);

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

/** One attempt's id; `nonce` separates manual runs started in the same millisecond (schedule slots have none). */
export function executionId(cronJobId: string, slotMs: number, attempt: number, nonce: string | null = null): string {
  const key = nonce === null ? `${cronJobId}|${slotMs}|${attempt}` : `${cronJobId}|${slotMs}|${nonce}|${attempt}`;
  return `exe_${encodeTime(slotMs)}${encodeRandom(key)}`;
}

/** The smallest execution id of a slot at `ms`: every id of an earlier slot sorts below it (retention by id). */
export function executionIdFloor(ms: number): string {
  return `exe_${encodeTime(ms)}`;
}

/**
 * An execution id as the three integers a log stores (src/db/schema.ts `logs`): the slot (epoch ms, the first 10
 * characters, 50 bits) and the 80-bit derived part as two 40-bit halves (8 characters each). Crockford's alphabet
 * is in ASCII order and every part has a fixed width, so (slot, hi, lo) sorts exactly as the id text does.
 */
export interface ExecutionIdParts {
  slot: number;
  hi: number;
  lo: number;
}

const EXECUTION_ID = /^exe_[0-9A-HJKMNP-TV-Z]{26}$/;

function decodeBase32(text: string): number {
  let n = 0;
  for (const ch of text) n = n * 32 + CROCKFORD.indexOf(ch);
  return n;
}

/** The parts of an execution id; null for any other text (only `exe_` + 26 Crockford capitals is one). */
export function executionIdParts(id: string): ExecutionIdParts | null {
  if (!EXECUTION_ID.test(id)) return null;
  return { slot: decodeBase32(id.slice(4, 14)), hi: decodeBase32(id.slice(14, 22)), lo: decodeBase32(id.slice(22)) };
}

/** The execution id of its parts, byte for byte the text executionId() made. */
export function executionIdFromParts(p: ExecutionIdParts): string {
  return `exe_${encodeBase32(p.slot, 10)}${encodeBase32(p.hi, 8)}${encodeBase32(p.lo, 8)}`;
}
