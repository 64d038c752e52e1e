/** One plain-text e-mail, in the shape of the Email Service binding's `send()` builder (Cloudflare Workers API). */
export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** What alerts need of the `send_email` binding; tests pass a stand-in that records or fails. */
export interface Mailer {
  send(message: OutgoingEmail): Promise<unknown>;
}

/** Engine or route dependencies that may carry a mailer (tests); otherwise the EMAIL binding is used. */
export type WithMailer = { mailer?: Mailer };

/**
 * The mailer: `deps`' (tests), else the `EMAIL` binding (wrangler.toml `[[send_email]]`); null without one.
 * Imported lazily so Node tooling (scripts/openapi.ts) never resolves `cloudflare:workers`.
 */
export async function resolveMailer(deps: object, env?: { EMAIL?: SendEmail }): Promise<Mailer | null> {
  const injected = (deps as WithMailer).mailer;
  if (injected) return injected;
  const binding = env ?? ((await import("cloudflare:workers")).env as { EMAIL?: SendEmail });
  return binding.EMAIL ?? null;
}

/**
 * `EMAIL.send()` error codes no retry fixes (Cloudflare Email Service, Workers API error table); any other
 * failure, quotas and unknown codes included, is retried.
 */
const PERMANENT_EMAIL_ERRORS = new Set([
  "E_VALIDATION_ERROR",
  "E_FIELD_MISSING",
  "E_TOO_MANY_RECIPIENTS",
  "E_TOO_MANY_ATTACHMENTS",
  "E_SENDER_NOT_VERIFIED",
  "E_RECIPIENT_NOT_ALLOWED",
  "E_RECIPIENT_SUPPRESSED",
]);

/** The error's code (`code` property, or an `E_…` token in its message), if any. */
export function emailErrorCode(err: unknown): string | null {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string") return code;
  const match = /\bE_[A-Z_]+\b/.exec(String((err as Error)?.message ?? err));
  return match ? match[0] : null;
}

export function isPermanentEmailError(err: unknown): boolean {
  const code = emailErrorCode(err);
  return code !== null && PERMANENT_EMAIL_ERRORS.has(code);
}
