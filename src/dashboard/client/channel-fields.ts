/**
 * Alert channels without the DOM, shared by the job and monitor forms (both APIs take the same `alerts.channels`):
 * API channels → form rows → request channels.
 */
import { hasToken, type SecretChoice } from "./tokens";
import type { AlertChannel, UrlChannelType } from "./types";

/** A stored secret: its token and what the form does with it (untouched: keep the token). */
export interface StoredSecret {
  token: string;
  choice: SecretChoice;
}

/** An alert channel row: a stored bearer URL (a secret), or an address / URL typed in clear (stored or added). */
export type ChannelField =
  | ({ type: UrlChannelType } & StoredSecret)
  | { type: AlertChannel["type"]; target: string; token?: undefined };

export interface FormFieldError {
  field: string;
  message: string;
}

export const keep = (token: string): StoredSecret => ({ token, choice: { keep: token } });

/** The API's channels as form rows: a URL holding a token is a stored secret, sent back as is unless replaced. */
export function channelFields(channels: readonly AlertChannel[] | null | undefined): ChannelField[] {
  return (channels ?? []).map(
    (c): ChannelField =>
      c.type === "email"
        ? { type: c.type, target: c.to }
        : hasToken(c.url)
          ? { type: c.type, ...keep(c.url) }
          : { type: c.type, target: c.url },
  );
}

/**
 * The rows as the API's `alerts.channels`, and for each channel sent the index of its row (the API names a channel
 * by its index); an empty row adds an error to `errors`.
 */
export function channelsOf(rows: readonly ChannelField[], errors: FormFieldError[]) {
  const channels: AlertChannel[] = [];
  const channelRows: number[] = [];
  rows.forEach((row, i) => {
    const at = `alerts.channels.${channels.length}`;
    if (row.token !== undefined) {
      const c = row.choice;
      if ("removed" in c) return;
      const url = "keep" in c ? c.keep : c.value.trim();
      if (!url) errors.push({ field: `${at}.url`, message: "enter the new URL, or keep the stored one" });
      channels.push({ type: row.type, url });
    } else {
      const target = row.target.trim();
      if (!target) errors.push({ field: at, message: "enter the channel's address, or remove the channel" });
      channels.push(row.type === "email" ? { type: "email", to: target } : { type: row.type, url: target });
    }
    channelRows.push(i);
  });
  return { channels, channelRows };
}
