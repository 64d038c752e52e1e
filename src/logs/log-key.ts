import { type ExecutionIdParts, executionIdFromParts, executionIdParts } from "../lib/execution-id";

/**
 * A log's key, (slot, id_hi, id_lo) in `logs`, and the id text it stands for. Execution ids are their parts
 * (src/lib/execution-id.ts): slot ≥ 0, sorted as the text.
 *
 * Other ids (hand-written rows, fixtures) of ≤ 12 printable ASCII characters after an optional `exe_` are kept:
 * two 6-digit base-96 numbers (digit = code - 32, 0 = end) that sort as the text, and a slot outside [0, 2^50)
 * placing them against execution ids: -1 / 2^50 for `exe_` + text before / after every Crockford character,
 * -2 / 2^50 + 1 without `exe_`. An `exe_` text starting with a digit or capital sorts first (approximate).
 */
export type LogKey = ExecutionIdParts;

const OTHER = /^[\x21-\x7e]{1,12}$/;
/** The first slot past every execution id's (10 Crockford characters = 50 bits). */
const PAST = 2 ** 50;
const DIGITS = 6;
const BASE = 96;

function packHalf(text: string): number {
  let n = 0;
  for (let i = 0; i < DIGITS; i++) n = n * BASE + (i < text.length ? text.charCodeAt(i) - 32 : 0);
  return n;
}

function unpackHalf(n: number): string {
  let out = "";
  for (let i = DIGITS - 1; i >= 0; i--) {
    const d = Math.floor(n / BASE ** i) % BASE;
    if (d === 0) break;
    out += String.fromCharCode(d + 32);
  }
  return out;
}

/** The key of an id; null when it can be neither (not an execution id, nor ≤ 12 printable characters). */
export function logKeyOf(id: string): LogKey | null {
  const parts = executionIdParts(id);
  if (parts) return parts;
  const prefixed = id.startsWith("exe_");
  const rest = prefixed ? id.slice(4) : id;
  if (!OTHER.test(rest)) return null;
  const after = prefixed ? rest > "Z" : id > "exe_";
  const slot = prefixed ? (after ? PAST : -1) : after ? PAST + 1 : -2;
  return { slot, hi: packHalf(rest.slice(0, DIGITS)), lo: packHalf(rest.slice(DIGITS)) };
}

/** The id text of a key, byte for byte what was stored. */
export function idOfLogKey(k: LogKey): string {
  if (k.slot >= 0 && k.slot < PAST) return executionIdFromParts(k);
  return `${k.slot === -1 || k.slot === PAST ? "exe_" : ""}${unpackHalf(k.hi)}${unpackHalf(k.lo)}`;
}
