/**
 * Redaction tokens, `[redacted:<short HMAC>]`, shown in place of secrets; equal values give equal tokens, and a
 * token sent back on update keeps the stored value (src/jobs/secrets.ts).
 */

/** Any token-shaped text, well-formed or not: such input is never stored as a literal value. */
export const TOKEN_PATTERN = /\[redacted:([^\]\s]{0,64})\]/g;

export function token(hash: string): string {
  return `[redacted:${hash}]`;
}

/** The hashes of every token in `text`, in order. */
export function tokenHashes(text: string): string[] {
  return Array.from(text.matchAll(TOKEN_PATTERN), (m) => m[1] as string);
}

export function hasToken(text: string | null | undefined): boolean {
  return typeof text === "string" && text.includes("[redacted:") && tokenHashes(text).length > 0;
}

/** A bearer URL shown redacted: its scheme and host stay readable, the rest is the token. */
export function redactedUrl(url: string, hash: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…${token(hash)}`;
  } catch {
    return token(hash);
  }
}
