import { hashSecret, newApiKeyId, newApiSecret, newSigningSecret } from "./credentials";

/**
 * Account and key provisioning as plain SQL statements, so one definition serves the Worker's
 * tests (bound through D1) and the operator CLI (run through `wrangler d1 execute`, local or remote).
 */
export interface Statement {
  sql: string;
  params: Array<string | number | null>;
}

export interface NewKey {
  api_key: string;
  api_secret: string;
  statements: Statement[];
}

export interface NewAccount extends NewKey {
  account_id: string;
  name: string;
  signing_secret: string;
}

export async function newAccount(
  name: string,
  now: number,
  fixed: Partial<Pick<NewAccount, "account_id" | "api_key" | "api_secret" | "signing_secret">> = {},
): Promise<NewAccount> {
  const account_id = fixed.account_id ?? crypto.randomUUID();
  const signing_secret = fixed.signing_secret ?? newSigningSecret();
  const key = await newKey(account_id, now, fixed);
  return {
    account_id,
    name,
    signing_secret,
    api_key: key.api_key,
    api_secret: key.api_secret,
    statements: [
      {
        // Idempotent so a fixed demo account can be provisioned on every `npm start`.
        sql: "INSERT INTO accounts (id, name, signing_secret, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
        params: [account_id, name, signing_secret, now],
      },
      ...key.statements,
    ],
  };
}

export async function newKey(
  accountId: string,
  now: number,
  fixed: { api_key?: string; api_secret?: string } = {},
): Promise<NewKey> {
  const api_key = fixed.api_key ?? newApiKeyId();
  const api_secret = fixed.api_secret ?? newApiSecret();
  return {
    api_key,
    api_secret,
    statements: [
      {
        sql: "INSERT INTO api_keys (id, account_id, secret_hash, created_at) SELECT ?, id, ?, ? FROM accounts WHERE id = ? ON CONFLICT(id) DO NOTHING",
        params: [api_key, await hashSecret(api_secret), now, accountId],
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

export function rotateSigningSecretStatement(accountId: string, secret: string): Statement {
  return { sql: "UPDATE accounts SET signing_secret = ? WHERE id = ?", params: [secret, accountId] };
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
