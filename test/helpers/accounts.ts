import { env } from "cloudflare:workers";
import { newAccount, newKey, type Statement } from "../../src/accounts/provision";

export async function run(statements: Statement[]) {
  await env.DB.batch(statements.map((s) => env.DB.prepare(s.sql).bind(...s.params)));
}

export interface TestAccount {
  accountId: string;
  apiKey: string;
  apiSecret: string;
  signingSecret: string;
  headers: Record<string, string>;
}

/** A fresh account with one key, created through the same statements the CLI runs. */
export async function createAccount(name = "Test account"): Promise<TestAccount> {
  const a = await newAccount(name, Date.now());
  await run(a.statements);
  return {
    accountId: a.account_id,
    apiKey: a.api_key,
    apiSecret: a.api_secret,
    signingSecret: a.signing_secret,
    headers: { "X-API-Key": a.api_key, "X-API-Secret": a.api_secret },
  };
}

export async function addKey(accountId: string) {
  const k = await newKey(accountId, Date.now());
  await run(k.statements);
  return {
    apiKey: k.api_key,
    apiSecret: k.api_secret,
    headers: { "X-API-Key": k.api_key, "X-API-Secret": k.api_secret },
  };
}
