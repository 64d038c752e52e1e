import type { ApiKeyScope } from "../db/control-schema";
import { hashSecret, newApiKeyId, newApiSecret, newSigningSecret } from "../lib/credentials";
import { directoryStatement } from "../shards/placement";
import type { Statement } from "../shards/sql-runner";

/** Account and key provisioning as plain SQL, shared by the Worker's tests (D1) and the CLI (`wrangler d1 execute`). */
export interface NewKey {
  api_key: string;
  api_secret: string;
  statements: Statement[];
}

export interface NewAccount extends Omit<NewKey, "statements"> {
  account_id: string;
  name: string;
  signing_secret: string;
  /** For the account's shard: the shard's own account row, holding the signing secret the engine signs with. */
  shardStatements: Statement[];
  /** For the control plane, given the shard chosen (src/shards/directory.ts): the account, its directory entry, its key. */
  controlStatements(shard: number): Statement[];
}

/** The label of the key an account is created with, so key lists name it. */
export const FIRST_KEY_NAME = "Created with the account";

/**
 * A new account's SQL for both databases. Run the shard's first: a directory entry is served at once, so its
 * shard row must exist (a leftover shard row is reused by a retry with the same id).
 */
export async function newAccount(
  name: string,
  now: number,
  fixed: Partial<Pick<NewAccount, "account_id" | "api_key" | "api_secret" | "signing_secret">> = {},
): Promise<NewAccount> {
  const account_id = fixed.account_id ?? crypto.randomUUID();
  const signing_secret = fixed.signing_secret ?? newSigningSecret();
  const key = await newKey(account_id, now, fixed, { name: FIRST_KEY_NAME });
  return {
    account_id,
    name,
    signing_secret,
    api_key: key.api_key,
    api_secret: key.api_secret,
    // Idempotent so a fixed demo account can be provisioned on every `npm start`.
    shardStatements: [
      {
        sql: "INSERT INTO accounts (id, name, signing_secret, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
        params: [account_id, name, signing_secret, now],
      },
    ],
    controlStatements: (shard) => [
      {
        sql: "INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
        params: [account_id, name, now],
      },
      directoryStatement(account_id, shard, now),
      ...key.statements,
    ],
  };
}

/** What a new key may be given besides its account: a label, a scope and an expiry (epoch ms, null = never). */
export interface KeyOptions {
  name?: string;
  scope?: ApiKeyScope;
  expiresAt?: number | null;
  /** Insert nothing if the account already has this many usable (unrevoked, unexpired) keys; the CLI sets none. */
  maxActive?: number;
}

/** The account's usable keys (params: account id, now): what MAX_API_KEYS counts. */
const ACTIVE_KEYS =
  "SELECT count(*) FROM api_keys WHERE account_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)";

/**
 * A new key's id, secret (returned once; only its SHA-256 is stored) and INSERT. The insert selects the account
 * and checks `maxActive` in the same statement, so concurrent requests cannot overshoot the limit.
 */
export async function newKey(
  accountId: string,
  now: number,
  fixed: { api_key?: string; api_secret?: string } = {},
  options: KeyOptions = {},
): Promise<NewKey> {
  const api_key = fixed.api_key ?? newApiKeyId();
  const api_secret = fixed.api_secret ?? newApiSecret();
  const limited = options.maxActive !== undefined;
  return {
    api_key,
    api_secret,
    statements: [
      {
        sql: `INSERT INTO api_keys (id, account_id, secret_hash, created_at, name, scope, expires_at) SELECT ?, id, ?, ?, ?, ?, ? FROM accounts WHERE id = ?${limited ? ` AND (${ACTIVE_KEYS}) < ?` : ""} ON CONFLICT(id) DO NOTHING`,
        params: [
          api_key,
          await hashSecret(api_secret),
          now,
          options.name ?? "",
          options.scope ?? "full",
          options.expiresAt ?? null,
          accountId,
          ...(limited ? [accountId, now, options.maxActive ?? 0] : []),
        ],
      },
    ],
  };
}

export function revokeKeyStatement(apiKey: string, now: number): Statement {
  return {
    sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
    params: [now, apiKey],
  };
}

/** Default overlap after a rotation during which callbacks carry the old secret's signature too. */
export const DEFAULT_SIGNING_SECRET_GRACE_MS = 24 * 3_600_000;

/**
 * Replaces an account's signing secret. With `graceMs` > 0 the old one keeps signing until `now + graceMs`;
 * expired ones are pruned. 0 is a hard cut that drops every retired secret (docs/API-NOTES.md
 * "Retries and callbacks"). Run as one batch (D1 batches are transactions).
 */
export function rotateSigningSecretStatements(
  accountId: string,
  secret: string,
  now: number,
  graceMs = DEFAULT_SIGNING_SECRET_GRACE_MS,
): Statement[] {
  const statements: Statement[] =
    graceMs > 0
      ? [
          {
            sql: "DELETE FROM retired_signing_secrets WHERE account_id = ? AND expires_at <= ?",
            params: [accountId, now],
          },
        ]
      : revokeRetiredSigningSecretsStatements(accountId);
  if (graceMs > 0) {
    statements.push({
      sql: "INSERT INTO retired_signing_secrets (account_id, secret, retired_at, expires_at) SELECT id, signing_secret, ?, ? FROM accounts WHERE id = ? ON CONFLICT(account_id, secret) DO UPDATE SET retired_at = excluded.retired_at, expires_at = excluded.expires_at",
      params: [now, now + graceMs, accountId],
    });
  }
  statements.push({ sql: "UPDATE accounts SET signing_secret = ? WHERE id = ?", params: [secret, accountId] });
  return statements;
}

/** Ends the grace of every retired signing secret now: only the current secret signs (after a leak, say). */
export function revokeRetiredSigningSecretsStatements(accountId: string): Statement[] {
  return [{ sql: "DELETE FROM retired_signing_secrets WHERE account_id = ?", params: [accountId] }];
}

/** Renders a statement with its parameters inlined as SQL literals (for `wrangler d1 execute`). */
export function inlineStatement(s: Statement): string {
  let i = 0;
  return s.sql.replace(/\?/g, () => {
    const v = s.params[i++];
    if (v === null || v === undefined) return "NULL";
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Error("non-finite number in SQL parameter");
      return String(v);
    }
    return `'${v.replace(/'/g, "''")}'`;
  });
}
