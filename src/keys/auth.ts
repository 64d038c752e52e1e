import { createMiddleware } from "hono/factory";
import { config } from "../config";
import type { AppEnv } from "../http/env";
import { canonicalId } from "../http/ids";
import { fail, ProblemError, problem } from "../http/problem";
import { scopeAllows } from "../http/scope";
import { verifiedKeys } from "./key-cache";
import { touchApiKey, verifyApiKey } from "./keys";

const MAX_CREDENTIAL_LENGTH = 256;
const UNAUTHORIZED = "Missing or invalid API credentials";

/**
 * Routes that also take the key in `Authorization`, for scrapers that send only that header (Prometheus'
 * `authorization` and `basic_auth`). Read-only GETs only: a browser may replay cached Basic credentials on its own,
 * so no write route may trust them.
 */
const AUTHORIZATION_ROUTES = [/^\/v1\/cron-jobs\/[^/]+\/metrics$/];

/** The 401 challenge of those routes (RFC 9110 §11.6.1): the schemes they accept. */
const CHALLENGE = 'Bearer realm="edgecron", Basic realm="edgecron", charset="UTF-8"';

interface Credentials {
  keyId?: string;
  secret?: string;
}

/** Splits `<key>:<secret>` at the first colon (key ids have none; RFC 7617 §2 forbids one in a user-id). */
function splitPair(pair: string): Credentials {
  const colon = pair.indexOf(":");
  return colon < 0 ? {} : { keyId: pair.slice(0, colon), secret: pair.slice(colon + 1) };
}

/** `Bearer <key>:<secret>` or `Basic base64(<key>:<secret>)` (RFC 7617, UTF-8); anything else names no key. */
export function credentialsFromAuthorization(header: string | undefined): Credentials {
  if (header === undefined || header.length > 4 * MAX_CREDENTIAL_LENGTH) return {};
  const bearer = /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
  if (bearer) return splitPair(bearer[1] as string);
  const basic = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!basic) return {};
  try {
    const bytes = Uint8Array.from(atob(basic[1] as string), (ch) => ch.charCodeAt(0));
    return splitPair(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return {};
  }
}

/** The key headers when either is sent, else (on AUTHORIZATION_ROUTES) the Authorization header. */
function credentialsOf(header: (name: string) => string | undefined, viaAuthorization: boolean): Credentials {
  const keyId = header("x-api-key");
  const secret = header("x-api-secret");
  if (keyId !== undefined || secret !== undefined || !viaAuthorization) return { keyId, secret };
  return credentialsFromAuthorization(header("authorization"));
}

/**
 * `X-API-Key` + `X-API-Secret` (or, on AUTHORIZATION_ROUTES, `Authorization`) → the account. Any bad key → 401
 * with one message (never which header); another account's key or a read-only key on a write → 403. Recently verified keys come from keys/key-cache.ts.
 */
export const requireApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const viaAuthorization = AUTHORIZATION_ROUTES.some((re) => re.test(c.req.path));
  const unauthorized = (): never => {
    if (!viaAuthorization) fail(401, UNAUTHORIZED);
    throw new ProblemError(problem(401, UNAUTHORIZED), { "WWW-Authenticate": CHALLENGE });
  };
  const { keyId, secret } = credentialsOf((name) => c.req.header(name), viaAuthorization);
  // Account ids are UUIDs, stored lower-case; a UUID is case-insensitive on input (RFC 9562 §4).
  const accountId = canonicalId(c.req.param("accountId") ?? "");
  if (!keyId || !secret || keyId.length > MAX_CREDENTIAL_LENGTH || secret.length > MAX_CREDENTIAL_LENGTH) {
    return unauthorized();
  }
  const db = c.get("control");
  const now = Date.now();
  const ttlMs = config(c.env).API_KEY_CACHE_SECONDS * 1000;
  const check = await verifyApiKey(db, keyId, secret, accountId, { cache: verifiedKeys, ttlMs, now });
  if (!check.ok) {
    if (check.reason === "wrong-account") fail(403, "These API credentials do not grant access to this account");
    return unauthorized();
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
