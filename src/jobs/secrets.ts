import type { AlertPolicy } from "../alerts/schemas";
import type { CronJobRow } from "../db/schema";
import type { FieldError } from "../lib/field-error";
import { isSecretHeaderName, queryParts, replaceQueryValues } from "../lib/secrets/classify";
import { redactionHash, seal, UnsealError, unseal } from "../lib/secrets/crypto";
import { type KeyringStatus, MasterKeyMissingError } from "../lib/secrets/keyring";
import { hasToken, redactedUrl, TOKEN_PATTERN, token, tokenHashes } from "../lib/secrets/tokens";
import type { CreateJobInput, UpdateJobInput } from "./schemas";

/**
 * A job's secrets (docs/API-NOTES.md "Security"): secret header values, query parameters, body and bearer alert URLs.
 * Plain columns hold redaction tokens; `secrets` maps each token's hash to its AES-GCM-sealed value, opened only right
 * before a request.
 */

/** The columns that may hold a secret value, and the ones that say which values are secret. */
export type SecretColumns = Pick<
  CronJobRow,
  | "headers"
  | "body"
  | "endpointUrl"
  | "successCallbackUrl"
  | "failureCallbackUrl"
  | "callbacks"
  | "alertPolicy"
  | "secretHeaders"
  | "secretQueryParams"
  | "bodyIsSecret"
>;
type JobIdentity = Pick<CronJobRow, "id" | "accountId">;

/** Alert channels whose URL is itself a bearer credential (Slack/Discord webhooks, signed webhooks). */
const URL_CHANNELS = new Set(["webhook", "slack", "discord"]);

type Swap = (value: string, kind: "value" | "url") => Promise<string>;

/** The columns with every secret value replaced by what `swap` returns. */
async function mapSecrets(cols: SecretColumns, swap: Swap): Promise<SecretColumns> {
  const extraHeaders = JSON.parse(cols.secretHeaders) as string[];
  const params = new Set(JSON.parse(cols.secretQueryParams) as string[]);
  const headers = JSON.parse(cols.headers) as Record<string, string>;
  for (const [name, value] of Object.entries(headers))
    if (value !== "" && isSecretHeaderName(name, extraHeaders)) headers[name] = await swap(value, "value");
  const url = async (u: string | null) =>
    u === null || params.size === 0
      ? u
      : replaceQueryValues(u, (part, raw) => (params.has(part.name) ? swap(raw, "value") : null));
  const callbacks = JSON.parse(cols.callbacks) as { success_url?: string | null; failure_url?: string | null };
  if (callbacks.success_url) callbacks.success_url = await url(callbacks.success_url);
  if (callbacks.failure_url) callbacks.failure_url = await url(callbacks.failure_url);
  let alertPolicy = cols.alertPolicy;
  if (alertPolicy) {
    const policy = JSON.parse(alertPolicy) as AlertPolicy;
    for (const channel of policy.channels ?? [])
      if (URL_CHANNELS.has(channel.type) && "url" in channel) channel.url = await swap(channel.url, "url");
    alertPolicy = JSON.stringify(policy);
  }
  return {
    ...cols,
    headers: JSON.stringify(headers),
    body: cols.bodyIsSecret && cols.body !== null && cols.body !== "" ? await swap(cols.body, "value") : cols.body,
    endpointUrl: (await url(cols.endpointUrl)) as string,
    successCallbackUrl: await url(cols.successCallbackUrl),
    failureCallbackUrl: await url(cols.failureCallbackUrl),
    callbacks: JSON.stringify(callbacks),
    alertPolicy,
  };
}

/** How a value is shown: a token, or a bearer URL's scheme and host plus a token. */
function shown(value: string, kind: "value" | "url", hash: string): string {
  return kind === "url" ? redactedUrl(value, hash) : token(hash);
}

/** Shown where no master key is configured: a token that names no value (an update cannot reuse it). */
const UNKEYED = "unkeyed";

/**
 * Columns with tokens in place of secrets, and values by token hash; values already tokens stay, so both forms are
 * safe.
 */
async function tokenise(
  ring: KeyringStatus,
  job: JobIdentity,
  cols: SecretColumns,
): Promise<{ cols: SecretColumns; values: Map<string, string> }> {
  const values = new Map<string, string>();
  const shownCols = await mapSecrets(cols, async (value, kind) => {
    if (!ring.ok) {
      values.set(UNKEYED, value);
      return shown(value, kind, UNKEYED);
    }
    const hash = await redactionHash(ring.keyring, job.accountId, value);
    values.set(hash, value);
    return shown(value, kind, hash);
  });
  return { cols: shownCols, values };
}

/**
 * Columns to store for a job given in clear: tokens for secrets, each value sealed with the account, job and
 * token as additional data. Throws MasterKeyMissingError when a secret needs sealing without a master key.
 */
export async function sealJob<T extends SecretColumns & JobIdentity>(
  ring: KeyringStatus,
  row: T,
): Promise<T & { secrets: string }> {
  const { cols, values } = await tokenise(ring, row, row);
  if (values.size === 0) return { ...row, ...cols, secrets: "{}" };
  if (!ring.ok) throw new MasterKeyMissingError(ring.reason);
  const sealed: Record<string, string> = {};
  for (const [hash, value] of values)
    sealed[hash] = await seal(ring.keyring, row.accountId, `${row.id}\n${hash}`, value);
  return { ...row, ...cols, secrets: JSON.stringify(sealed) };
}

/** A job row as responses may show it: already tokens once sealed; a row stored before sealing is tokenised. */
export async function redactJob<T extends SecretColumns & JobIdentity & Pick<CronJobRow, "secrets">>(
  ring: KeyringStatus,
  row: T,
): Promise<T> {
  if (row.secrets !== null) return row;
  return { ...row, ...(await tokenise(ring, row, row)).cols };
}

/** The job's tokens (its columns as shown) and their values by hash, opened from either storage form. */
export async function openJob(
  ring: KeyringStatus,
  row: SecretColumns & JobIdentity & Pick<CronJobRow, "secrets">,
): Promise<{ cols: SecretColumns; values: Map<string, string> }> {
  if (row.secrets === null) {
    const opened = await tokenise(ring, row, row);
    if (!ring.ok && opened.values.size > 0) throw new MasterKeyMissingError(ring.reason);
    return opened;
  }
  const sealed = JSON.parse(row.secrets) as Record<string, string>;
  const values = new Map<string, string>();
  const entries = Object.entries(sealed);
  if (entries.length === 0) return { cols: row, values };
  if (!ring.ok) throw new MasterKeyMissingError(ring.reason);
  for (const [hash, value] of entries)
    values.set(hash, await unseal(ring.keyring, row.accountId, `${row.id}\n${hash}`, value));
  return { cols: row, values };
}

/** `text` with every token whose hash has a value replaced by it (a bearer URL's token stands for the whole URL). */
export function fillTokens(text: string, values: Map<string, string>, kind: "value" | "url" = "value"): string {
  if (!hasToken(text)) return text;
  if (kind === "url") {
    const hash = tokenHashes(text).find((h) => values.has(h));
    if (hash !== undefined && text.endsWith(token(hash))) return values.get(hash) as string;
  }
  return text.replace(TOKEN_PATTERN, (whole, hash: string) => values.get(hash) ?? whole);
}

/** Shorter values are not looked for in what a target answers: they would mangle ordinary text. */
export const MIN_ECHOED_CHARS = 8;

/** How a target may echo a value: as sent, JSON-escaped, percent-decoded or encoded, credentials after a scheme. */
function echoSpellings(value: string): string[] {
  const out = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
  try {
    out.add(decodeURIComponent(value.replace(/\+/g, " ")));
  } catch {
    // Not percent-encoded text: the value as sent is enough.
  }
  const credentials = /^[A-Za-z][\w.+-]*\s+(\S.*)$/.exec(value)?.[1]; // RFC 9110 §11.4: `<scheme> <credentials>`
  if (credentials) out.add(credentials);
  return [...out].filter((s) => s.length >= MIN_ECHOED_CHARS);
}

/**
 * `text` with every echo of a secret value replaced by its token: what a target answers (an echo service, a
 * Location carrying the query along, an error quoting the URL) is recorded and shown without the job's secrets.
 * A value cut off at the end of `text` (a capped body) is replaced too.
 */
export function redactEchoes(text: string, values: Map<string, string>): string {
  if (values.size === 0 || text.length < MIN_ECHOED_CHARS) return text;
  const spellings = [...values]
    .flatMap(([hash, value]) => echoSpellings(value).map((s) => [s, token(hash)] as const))
    .sort((a, b) => b[0].length - a[0].length);
  let out = text;
  for (const [s, t] of spellings) out = out.split(s).join(t);
  for (const [s, t] of spellings) {
    for (let n = Math.min(s.length - 1, out.length); n >= MIN_ECHOED_CHARS; n--) {
      if (out.endsWith(s.slice(0, n))) {
        out = out.slice(0, out.length - n) + t;
        break;
      }
    }
  }
  return out;
}

/** The columns in clear: every token of `cols` replaced by its value. */
export function fillColumns<T extends SecretColumns>(cols: T, values: Map<string, string>): T {
  if (values.size === 0) return cols;
  const fill = (s: string | null) => (s === null ? s : fillTokens(s, values));
  const headers = JSON.parse(cols.headers) as Record<string, string>;
  for (const name of Object.keys(headers)) headers[name] = fillTokens(headers[name] as string, values);
  const callbacks = JSON.parse(cols.callbacks) as { success_url?: string | null; failure_url?: string | null };
  if (callbacks.success_url) callbacks.success_url = fill(callbacks.success_url);
  if (callbacks.failure_url) callbacks.failure_url = fill(callbacks.failure_url);
  let alertPolicy = cols.alertPolicy;
  if (alertPolicy) {
    const policy = JSON.parse(alertPolicy) as AlertPolicy;
    for (const channel of policy.channels ?? [])
      if ("url" in channel) channel.url = fillTokens(channel.url, values, "url");
    alertPolicy = JSON.stringify(policy);
  }
  return {
    ...cols,
    headers: JSON.stringify(headers),
    body: fill(cols.body),
    endpointUrl: fill(cols.endpointUrl) as string,
    successCallbackUrl: fill(cols.successCallbackUrl),
    failureCallbackUrl: fill(cols.failureCallbackUrl),
    callbacks: JSON.stringify(callbacks),
    alertPolicy,
  };
}

/**
 * A job opened: its tokens and their values (`openJob`) and the row in clear, for the executor right before its
 * request and for an update, a clone or a re-seal to rebuild from.
 */
export async function openJobInClear<T extends SecretColumns & JobIdentity & Pick<CronJobRow, "secrets">>(
  ring: KeyringStatus,
  row: T,
): Promise<{ cols: SecretColumns; values: Map<string, string>; plain: T }> {
  const opened = await openJob(ring, row);
  return { ...opened, plain: fillColumns({ ...row, ...opened.cols }, opened.values) };
}

/** A job row in clear (see openJobInClear). */
export async function unsealJob<T extends SecretColumns & JobIdentity & Pick<CronJobRow, "secrets">>(
  ring: KeyringStatus,
  row: T,
): Promise<T> {
  return (await openJobInClear(ring, row)).plain;
}

/** A redaction token's message, naming the field it was sent in. */
const tokenError = (field: string, message: string): FieldError => ({ field, in: "body", message });

/** Tokens are only meaningful against a stored job: a create that sends one is refused, naming each field. */
export function tokensInCreate(input: CreateJobInput): FieldError[] {
  const errors: FieldError[] = [];
  const refuse = (field: string, value: string | null | undefined) => {
    if (hasToken(value))
      errors.push(tokenError(field, "is a redaction token; send the value itself (tokens only keep a stored value)"));
  };
  for (const [name, value] of Object.entries(input.headers ?? {})) refuse(`headers.${name}`, value);
  refuse("body", input.body);
  refuse("endpoint_url", input.endpoint_url);
  refuse("callbacks.success_url", input.callbacks?.success_url);
  refuse("callbacks.failure_url", input.callbacks?.failure_url);
  for (const [i, c] of (input.alerts?.channels ?? []).entries())
    if ("url" in c) refuse(`alerts.channels.${i}.url`, c.url);
  return errors;
}

/**
 * An update's input with each redaction token replaced by the value stored in the same place: the header of the
 * same name (case-insensitive), the same query parameter of the same URL, the body, or the alert channel whose
 * token it is. A token with no such stored value is an error naming the field.
 */
export function resolveTokens(
  input: UpdateJobInput,
  stored: { cols: SecretColumns; values: Map<string, string> },
): { input: UpdateJobInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const { cols, values } = stored;
  const noValue = (field: string) =>
    errors.push(tokenError(field, "is a redaction token with no stored secret value in this place"));
  const out: UpdateJobInput = { ...input };

  if (input.headers) {
    const storedHeaders = Object.entries(JSON.parse(cols.headers) as Record<string, string>);
    out.headers = {};
    for (const [name, value] of Object.entries(input.headers)) {
      if (!hasToken(value)) {
        out.headers[name] = value;
        continue;
      }
      const same = storedHeaders.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
      const kept = same !== undefined && hasToken(same) ? fillTokens(same, values) : undefined;
      if (kept === undefined || hasToken(kept)) noValue(`headers.${name}`);
      else out.headers[name] = kept;
    }
  }
  if (input.body !== undefined && input.body !== null && hasToken(input.body)) {
    const kept = cols.bodyIsSecret && hasToken(cols.body) ? fillTokens(cols.body as string, values) : undefined;
    if (kept === undefined || hasToken(kept)) noValue("body");
    else out.body = kept;
  }
  const url = (field: string, given: string, storedUrl: string | null): string => {
    if (!hasToken(given)) return given;
    const storedParts = storedUrl === null ? [] : queryParts(storedUrl);
    let failed = false;
    let filled = given;
    // Swap each token-valued parameter for the stored raw value of the parameter of the same name.
    const parts = queryParts(given).filter((p) => hasToken(given.slice(p.start, p.end)));
    for (const part of parts.reverse()) {
      const from = storedParts.find((p) => p.name === part.name);
      const raw = from && storedUrl !== null ? fillTokens(storedUrl.slice(from.start, from.end), values) : null;
      if (raw === null || hasToken(raw)) failed = true;
      else filled = filled.slice(0, part.start) + raw + filled.slice(part.end);
    }
    if (failed || hasToken(filled)) noValue(field);
    return filled;
  };
  if (input.endpoint_url !== undefined) out.endpoint_url = url("endpoint_url", input.endpoint_url, cols.endpointUrl);
  if (input.callbacks) {
    const cb = { ...input.callbacks };
    if (cb.success_url) cb.success_url = url("callbacks.success_url", cb.success_url, cols.successCallbackUrl);
    if (cb.failure_url) cb.failure_url = url("callbacks.failure_url", cb.failure_url, cols.failureCallbackUrl);
    out.callbacks = cb;
  }
  if (input.alerts?.channels) {
    out.alerts = {
      ...input.alerts,
      channels: input.alerts.channels.map((c, i) => {
        if (!("url" in c) || !hasToken(c.url)) return c;
        const kept = fillTokens(c.url, values, "url");
        if (hasToken(kept)) noValue(`alerts.channels.${i}.url`);
        return { ...c, url: kept };
      }),
    };
  }
  return { input: out, errors };
}

export { MasterKeyMissingError, UnsealError };

/** The columns an update writes from a sealed row: every place a secret or its token may live. */
export function sealedColumns(row: SecretColumns & Pick<CronJobRow, "secrets">): Partial<CronJobRow> {
  return {
    headers: row.headers,
    body: row.body,
    endpointUrl: row.endpointUrl,
    successCallbackUrl: row.successCallbackUrl,
    failureCallbackUrl: row.failureCallbackUrl,
    callbacks: row.callbacks,
    alertPolicy: row.alertPolicy,
    secrets: row.secrets,
  };
}
