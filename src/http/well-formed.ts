/**
 * Body checks no per-field schema can make, run before the route's schema:
 * - Ill-formed Unicode: a lone surrogate (`"\ud83d"`) breaks strict JSON parsers and UTF-8 encoders and SQLite
 *   replaces it silently; every string and key is checked (ECMAScript well-formed strings).
 * - `__proto__` keys: zod's plain objects would set the prototype and drop the entry silently.
 * Per field, `refuseHiddenCharacters` refuses characters that display differently from what is stored.
 */
import type { z } from "@hono/zod-openapi";

export interface BodyIssue {
  /** Dotted path as the validation errors name fields (`headers.X-Trace`, `tags.1`). */
  field: string;
  message: string;
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Index of the first unpaired surrogate in `s`, or -1 when `s` is well-formed. */
export function illFormedAt(s: string): number {
  const m = LONE_SURROGATE.exec(s);
  return m ? m.index : -1;
}

const illFormed = (at: number) =>
  `is ill-formed Unicode: a lone UTF-16 surrogate at position ${at}; send well-formed text (UTF-8 JSON without \\ud800–\\udfff escapes that are not pairs)`;

/** A path as a linked list (each node points at its parent), so walking deep bodies copies nothing. */
interface PathNode {
  key: string;
  parent: PathNode | null;
}

function pathName(node: PathNode | null): string {
  const keys: string[] = [];
  for (let n = node; n !== null; n = n.parent) keys.push(n.key);
  return keys.length ? keys.reverse().join(".") : "(root)";
}

/**
 * Every ill-formed string or key and every `__proto__` key in a parsed JSON value, in document order. Iterative
 * (an explicit stack) and linear in the body's size, so a body nested thousands of levels deep can neither
 * overflow the call stack nor cost quadratic time.
 */
export function bodyIssues(root: unknown): BodyIssue[] {
  const out: BodyIssue[] = [];
  const stack: Array<[value: unknown, path: PathNode | null]> = [[root, null]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, path] = next;
    if (typeof value === "string") {
      const at = illFormedAt(value);
      if (at >= 0) out.push({ field: pathName(path), message: illFormed(at) });
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    const children: Array<[unknown, PathNode]> = [];
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [key, item] of entries) {
      const at = illFormedAt(key);
      if (at >= 0) out.push({ field: pathName(path), message: `has a key that ${illFormed(at)}` });
      else if (key === "__proto__" && !Array.isArray(value)) {
        out.push({
          field: pathName({ key, parent: path }),
          message: "is not accepted as a name (it is JavaScript's prototype accessor, and would be dropped)",
        });
      } else children.push([item, { key, parent: path }]);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as [unknown, PathNode]);
  }
  return out;
}

/**
 * Unicode format characters (category Cf: bidi embeddings, overrides, isolates and marks U+202A–U+202E,
 * U+2066–U+2069, U+200E, U+200F, U+061C; zero-width U+200B–U+200D, U+2060–U+2064, U+FEFF; soft hyphen U+00AD; …)
 * and control characters (Cc, e.g. ESC, which drives terminals). In a name they spoof what is displayed
 * (Trojan Source, CVE-2021-42574; Unicode UTS #39 §3.1 excludes them from identifiers).
 */
const HIDDEN = /[\p{Cf}\p{Cc}]/u;

/** The first hidden character of `s` as `{ at, codePoint: "U+202E" }`, or null when there is none. */
export function hiddenCharacterAt(s: string): { at: number; codePoint: string } | null {
  const m = HIDDEN.exec(s);
  if (!m) return null;
  const cp = (m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
  return { at: m.index, codePoint: `U+${cp}` };
}

export const hiddenCharacterMessage = (h: { at: number; codePoint: string }) =>
  `contains ${h.codePoint} at position ${h.at}, an invisible, bidirectional or control character: it would display differently from what is stored`;

/** A zod refinement refusing hidden characters in a name-like string (use with `.superRefine`). */
export function refuseHiddenCharacters(s: string, ctx: z.RefinementCtx): void {
  const hidden = hiddenCharacterAt(s);
  if (hidden) ctx.addIssue({ code: "custom", message: hiddenCharacterMessage(hidden) });
}
