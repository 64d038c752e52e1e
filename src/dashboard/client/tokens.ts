/**
 * Redaction tokens `[redacted:<hash>]` (docs/API-NOTES.md "Security"), pure so job-form-state.ts tests run outside a
 * browser.
 */

/** Any token-shaped text, as the server matches it (src/lib/secrets/tokens.ts TOKEN_PATTERN). */
export const TOKEN_SOURCE = String.raw`\[redacted:[^\]\s]{0,64}\]`;
const WHOLE = new RegExp(`^${TOKEN_SOURCE}$`);
const ANY = new RegExp(TOKEN_SOURCE);

/** Whether `value` is a token alone: a secret header value or body as the API shows it. */
export function isToken(value: string | null | undefined): boolean {
  return typeof value === "string" && WHOLE.test(value);
}

/** Whether `text` holds a token anywhere: a URL with a secret query value, a bearer channel URL. */
export function hasToken(text: string | null | undefined): boolean {
  return typeof text === "string" && ANY.test(text);
}

/** What a stored secret sends: its token (the API keeps the stored value), a new value, or nothing (removed). */
export type SecretChoice = { keep: string } | { value: string } | { removed: true };
