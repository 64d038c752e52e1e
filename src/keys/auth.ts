import { createMiddleware } from "hono/factory";
import { config } from "../config";
import type { AppEnv } from "../http/env";
import { canonicalId } from "../http/ids";
import { fail } from "../http/problem";
import { scopeAllows } from "../http/scope";
import { verifiedKeys } from "./key-cache";
import { touchApiKey, verifyApiKey } from "./keys";

const MAX_CREDENTIAL_LENGTH = 256;

/**
 * `X-API-Key` + `X-API-Secret` → the account. Any bad key → 401 with one message (never which header); another
 * account's key or a read-only key on a write → 403. Recently verified keys come from keys/key-cache.ts.
 */
export const requireApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const keyId = c.req.header("x-api-key");
  const secret = c.req.header("x-api-secret");
  // Account ids are UUIDs, stored lower-case; a UUID is case-insensitive on input (RFC 9562 §4).
  const accountId = canonicalId(c.req.param("accountId") ?? "");
  if (!keyId || !secret || keyId.length > MAX_CREDENTIAL_LENGTH || secret.length > MAX_CREDENTIAL_LENGTH) {
    fail(401, "Missing or invalid API credentials");
  }
  const db = c.get("control");
  const now = Date.now();
  const ttlMs = config(c.env).API_KEY_CACHE_SECONDS * 1000;
  const check = await verifyApiKey(db, keyId, secret, accountId, { cache: verifiedKeys, ttlMs, now });
  if (!check.ok) {
    if (check.reason === "wrong-account") fail(403, "These API credentials do not grant access to this account");
    fail(401, "Missing or invalid API credentials");
  }
  if (!scopeAllows(check.scope, c.req.method, c.req.path)) {
    fail(403, "This API key is read-only: it cannot change anything. Use a key with scope full.");
  }
  c.set("accountId", check.accountId);
  c.set("apiKeyId", check.keyId);
  c.set("apiKeyScope", check.scope);
  if (check.recordUse) {
    c.executionCtx.waitUntil(touchApiKey(db, check.keyId, now).catch((e) => console.error("touchApiKey", e)));
  }
  await next();
});
