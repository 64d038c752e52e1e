import { createRoute } from "@hono/zod-openapi";
import { config } from "../config";
import { countLimitReached } from "../http/account-limits";
import { fail } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, json, NoQuerySchema, problemResponses } from "../http/schemas";
import { formatInstant, formatInstantOrNull, parseInstant } from "../lib/dates";
import { verifiedKeys } from "./key-cache";
import { createKey, type KeyInfo, listKeys, revokeKey } from "./key-store";
import {
  ApiKeyEnvelopeSchema,
  ApiKeyListSchema,
  CreatedApiKeySchema,
  CreateKeySchema,
  KeyParamsSchema,
} from "./schemas";

const tags = ["API keys"];

function serialiseKey(k: KeyInfo, now: number) {
  const status = k.revokedAt !== null ? "revoked" : k.expiresAt !== null && k.expiresAt <= now ? "expired" : "active";
  return {
    id: k.id,
    name: k.name,
    scope: k.scope,
    status: status as "active" | "revoked" | "expired",
    created_at: formatInstant(k.createdAt),
    last_used_at: formatInstantOrNull(k.lastUsedAt),
    expires_at: formatInstantOrNull(k.expiresAt),
    revoked_at: formatInstantOrNull(k.revokedAt),
  };
}

const listKeysRoute = createRoute({
  method: "get",
  path: "/v1/cron-jobs/{accountId}/keys",
  operationId: "listApiKeys",
  tags,
  summary: "List the account's API keys (never their secrets)",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: NoQuerySchema },
  responses: {
    200: json(ApiKeyListSchema, "Every key, newest first, revoked and expired ones included"),
    ...problemResponses(),
  },
});

const createKeyRoute = createRoute({
  method: "post",
  path: "/v1/cron-jobs/{accountId}/keys",
  operationId: "createApiKey",
  tags,
  summary: "Create an API key; its secret is in this response only",
  description:
    "The first key of an account comes from the operator CLI (`npm run account:create`); every further key can be made here with a `full` key.",
  security: apiKeySecurity,
  request: {
    params: AccountParamSchema,
    query: NoQuerySchema,
    body: { required: true, content: { "application/json": { schema: CreateKeySchema } } },
  },
  responses: {
    201: json(CreatedApiKeySchema, "The new key and its secret (shown once)"),
    ...problemResponses([409, "The account has MAX_API_KEYS active keys already"]),
  },
});

const revokeKeyRoute = createRoute({
  method: "delete",
  path: "/v1/cron-jobs/{accountId}/keys/{key_id}",
  operationId: "revokeApiKey",
  tags,
  summary: "Revoke an API key",
  description:
    "The key stops working within API_KEY_CACHE_SECONDS (default 10 s: isolates that verified it recently trust it until then). Revoking twice is not an error.",
  security: apiKeySecurity,
  request: { params: KeyParamsSchema, query: NoQuerySchema },
  responses: { 200: json(ApiKeyEnvelopeSchema, "The revoked key"), ...problemResponses() },
});

export const keysRoutes = createRouter()
  .openapi(listKeysRoute, async (c) => {
    const now = Date.now();
    const keys = await listKeys(c.get("control"), c.get("accountId"));
    return c.json({ data: keys.map((k) => serialiseKey(k, now)) }, 200);
  })
  .openapi(createKeyRoute, async (c) => {
    const input = c.req.valid("json");
    const now = Date.now();
    const expiresAt = input.expires_at ? (parseInstant(input.expires_at)?.start ?? null) : null;
    if (expiresAt !== null && expiresAt <= now) {
      fail(400, "Invalid body parameter 'expires_at': must be in the future", {
        errors: [{ field: "expires_at", in: "body", message: "must be in the future" }],
      });
    }
    const { MAX_API_KEYS } = config(c.env);
    const created = await createKey(c.get("control"), c.get("accountId"), now, {
      name: input.name,
      scope: input.scope ?? "full",
      expiresAt,
      maxActive: MAX_API_KEYS,
    });
    if (!created.ok) {
      if (created.reason === "no-account") fail(404, "Account not found");
      countLimitReached(
        `This account already has ${MAX_API_KEYS} active API keys (MAX_API_KEYS), the most allowed. Revoke one first.`,
      );
    }
    return c.json({ data: { ...serialiseKey(created.key, now), api_secret: created.secret } }, 201);
  })
  .openapi(revokeKeyRoute, async (c) => {
    const { key_id } = c.req.valid("param");
    const now = Date.now();
    const key = await revokeKey(c.get("control"), c.get("accountId"), key_id, now);
    if (!key) fail(404, `API key ${key_id} not found`);
    verifiedKeys.revoke(key_id);
    return c.json({ data: serialiseKey(key, now) }, 200);
  });
