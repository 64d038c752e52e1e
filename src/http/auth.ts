import { createMiddleware } from "hono/factory";
import { touchApiKey, verifyApiKey } from "../accounts/keys";
import type { AppEnv } from "./env";
import { fail } from "./problem";

const MAX_CREDENTIAL_LENGTH = 256;

/**
 * `X-API-Key` + `X-API-Secret` → the account. Missing, unknown, wrong or revoked → 401 with one
 * message (never which header was wrong); a valid key of another account → 403.
 */
export const requireApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const keyId = c.req.header("x-api-key");
  const secret = c.req.header("x-api-secret");
  const accountId = c.req.param("accountId") ?? "";
  if (!keyId || !secret || keyId.length > MAX_CREDENTIAL_LENGTH || secret.length > MAX_CREDENTIAL_LENGTH) {
    fail(401, "Missing or invalid API credentials");
  }
  const db = c.get("db");
  const check = await verifyApiKey(db, keyId, secret, accountId);
  if (!check.ok) {
    if (check.reason === "wrong-account") fail(403, "These API credentials do not grant access to this account");
    fail(401, "Missing or invalid API credentials");
  }
  c.set("accountId", check.accountId);
  c.set("apiKeyId", check.keyId);
  c.executionCtx.waitUntil(touchApiKey(db, check.keyId, Date.now()).catch((e) => console.error("touchApiKey", e)));
  await next();
});
