/** Header values secret by name: credentials (RFC 9110 §11.6, RFC 6265 Cookie) and names saying token, key, auth… */
const SECRET_HEADER_NAMES = new Set(["authorization", "proxy-authorization", "cookie"]);
const SECRET_HEADER_WORDS = /token|secret|key|auth|password|signature|session/i;

export function isSecretHeaderName(name: string, extra: readonly string[] = []): boolean {
  const lower = name.toLowerCase();
  return (
    SECRET_HEADER_NAMES.has(lower) || SECRET_HEADER_WORDS.test(lower) || extra.some((n) => n.toLowerCase() === lower)
  );
}

/** A query's `name=value` pairs as written, so a secret can be swapped without re-serialising the rest of the URL. */
export interface QueryPart {
  name: string;
  /** Offsets of the raw value in the URL string; equal when the pair has no `=value`. */
  start: number;
  end: number;
}

export function queryParts(url: string): QueryPart[] {
  const q = url.indexOf("?");
  if (q < 0) return [];
  const hash = url.indexOf("#", q);
  const end = hash < 0 ? url.length : hash;
  const parts: QueryPart[] = [];
  let at = q + 1;
  while (at <= end) {
    let amp = url.indexOf("&", at);
    if (amp < 0 || amp > end) amp = end;
    const pair = url.slice(at, amp);
    const eq = pair.indexOf("=");
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    if (rawName) {
      const valueStart = eq < 0 ? amp : at + eq + 1;
      parts.push({ name: decodeName(rawName), start: valueStart, end: amp });
    }
    at = amp + 1;
  }
  return parts;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return raw;
  }
}

/** `url` with the raw value of each part `replace` returns a string for swapped in (others untouched). */
export async function replaceQueryValues(
  url: string,
  replace: (part: QueryPart, raw: string) => Promise<string | null> | string | null,
): Promise<string> {
  let out = "";
  let last = 0;
  for (const part of queryParts(url)) {
    if (part.start === part.end) continue;
    const next = await replace(part, url.slice(part.start, part.end));
    if (next === null) continue;
    out += url.slice(last, part.start) + next;
    last = part.end;
  }
  return out + url.slice(last);
}
