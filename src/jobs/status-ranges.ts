/**
 * Status code lists in success rules and retry settings: comma-separated codes and inclusive ranges, e.g.
 * `"200-299,304"`, spaces allowed; final codes 100–599 (RFC 9110 §15).
 */

export type StatusRanges = ReadonlyArray<readonly [number, number]>;

const ITEM = /^(\d{3})(?:-(\d{3}))?$/;

/** Parses a list; null when any item is not a code or an ascending range of codes in 100–599. */
export function parseStatusRanges(text: string): StatusRanges | null {
  const items = text.split(",").map((s) => s.trim());
  const out: Array<[number, number]> = [];
  for (const item of items) {
    const m = ITEM.exec(item);
    if (!m) return null;
    const low = Number(m[1]);
    const high = m[2] === undefined ? low : Number(m[2]);
    if (low < 100 || high > 599 || low > high) return null;
    out.push([low, high]);
  }
  return out;
}

/** Whether `code` is in the list (an unparsable list matches nothing; validation refuses those at the door). */
export function inStatusRanges(text: string, code: number): boolean {
  return (parseStatusRanges(text) ?? []).some(([low, high]) => code >= low && code <= high);
}
