import { eq } from "drizzle-orm";
import type { AlertChannel } from "../alerts/schemas";
import type { Db } from "../db/client";
import { type MonitorRow, monitors } from "../db/schema";
import { fillTokens } from "../jobs/secrets";
import type { FieldError } from "../lib/field-error";
import { redactionHash, seal, unseal } from "../lib/secrets/crypto";
import { type KeyringStatus, MasterKeyMissingError } from "../lib/secrets/keyring";
import { hasToken, redactedUrl } from "../lib/secrets/tokens";
import type { MonitorAlerts } from "./schemas";

/**
 * A monitor's alert URLs are bearer credentials (Slack, Discord, signed webhooks), sealed as a job's are (README
 * "Security"): the stored policy holds redaction tokens, `secrets` the sealed values by token hash.
 */

type Identity = Pick<MonitorRow, "id" | "accountId">;

const aad = (m: Identity, hash: string) => `${m.id}\n${hash}`;

/** The policy with its URLs as tokens, and `secrets` sealing them; throws MasterKeyMissingError without a key. */
export async function sealAlerts(
  ring: KeyringStatus,
  m: Identity,
  alerts: MonitorAlerts,
): Promise<Pick<MonitorRow, "alertPolicy" | "secrets">> {
  const sealed: Record<string, string> = {};
  const channels: AlertChannel[] = [];
  for (const c of alerts.channels) {
    if (c.type === "email") {
      channels.push(c);
      continue;
    }
    if (!ring.ok) throw new MasterKeyMissingError(ring.reason);
    const hash = await redactionHash(ring.keyring, m.accountId, c.url);
    sealed[hash] = await seal(ring.keyring, m.accountId, aad(m, hash), c.url);
    channels.push({ ...c, url: redactedUrl(c.url, hash) });
  }
  return { alertPolicy: JSON.stringify({ ...alerts, channels }), secrets: JSON.stringify(sealed) };
}

/** The sealed values by token hash (empty when none). */
export async function openSecrets(
  ring: KeyringStatus,
  m: Identity & Pick<MonitorRow, "secrets">,
): Promise<Map<string, string>> {
  const entries = Object.entries(JSON.parse(m.secrets ?? "{}") as Record<string, string>);
  const values = new Map<string, string>();
  if (entries.length === 0) return values;
  if (!ring.ok) throw new MasterKeyMissingError(ring.reason);
  for (const [hash, value] of entries) values.set(hash, await unseal(ring.keyring, m.accountId, aad(m, hash), value));
  return values;
}

/** A monitor's secret values by token hash, opened right before a delivery (deleted monitors included). */
export async function monitorSecretValues(
  db: Db,
  ring: KeyringStatus,
  monitorId: string,
): Promise<Map<string, string>> {
  const [row] = await db
    .select({ id: monitors.id, accountId: monitors.accountId, secrets: monitors.secrets })
    .from(monitors)
    .where(eq(monitors.id, monitorId))
    .limit(1);
  return row ? openSecrets(ring, row) : new Map();
}

const tokenError = (i: number, message: string): FieldError => ({
  field: `alerts.channels.${i}.url`,
  in: "body",
  message,
});

/**
 * Channels as sent, each redaction token replaced by the stored URL it stands for. A create has no stored URLs, so
 * any token is refused; so is a token that names no stored value.
 */
export function resolveChannelTokens(
  channels: AlertChannel[],
  stored: Map<string, string> | null,
): { channels: AlertChannel[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const out = channels.map((c, i) => {
    if (!("url" in c) || !hasToken(c.url)) return c;
    if (stored === null) {
      errors.push(tokenError(i, "is a redaction token; send the URL itself (tokens only keep a stored value)"));
      return c;
    }
    const url = fillTokens(c.url, stored, "url");
    if (hasToken(url)) errors.push(tokenError(i, "is a redaction token with no stored secret value in this place"));
    return { ...c, url };
  });
  return { channels: out, errors };
}
