import type { Db } from "../db/client";
import type { Mailer } from "./mailer";
import {
  type ConfirmationLimits,
  clearConfirmationSent,
  confirmationEmail,
  type RequestOutcome,
  requestConfirmation,
} from "./recipients";

/** The public confirm page of a token (no API key: the recipient opens it from the e-mail). */
export function confirmationLink(origin: string, accountId: string, token: string): string {
  return `${origin}/alerts/${encodeURIComponent(accountId)}/confirm?token=${encodeURIComponent(token)}`;
}

/**
 * Starts (or renews) the double opt-in of `email` for the account and mails the one-time link, unless the
 * address is confirmed already, was sent a link less than 10 minutes ago, or a per-account limit refuses it
 * (src/alerts/recipients.ts requestConfirmation).
 * Throws what the mailer throws (the route answers 503 and the link can be requested again).
 */
export async function startDoubleOptIn(
  db: Db,
  mailer: Mailer,
  from: string,
  origin: string,
  accountId: string,
  email: string,
  now: number,
  limits: ConfirmationLimits,
): Promise<RequestOutcome> {
  const outcome = await requestConfirmation(db, accountId, email, now, limits);
  if (outcome.kind === "send") {
    const { subject, text } = confirmationEmail(email, confirmationLink(origin, accountId, outcome.token));
    try {
      await mailer.send({ from, to: email, subject, text });
    } catch (err) {
      // Nothing went out: the next request may send at once instead of waiting out the resend interval.
      await clearConfirmationSent(db, accountId, email, now);
      throw err;
    }
  }
  return outcome;
}
