import { createRoute } from "@hono/zod-openapi";
import type { Db } from "../db/client";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, json, NoQuerySchema, problemResponses } from "../http/schemas";
import { formatInstant } from "../lib/dates";
import {
  DEFAULT_GRACE_SECONDS,
  RotatedSigningSecretSchema,
  RotateSigningSecretSchema,
  SigningSecretStatusSchema,
} from "./schemas";
import { revokeRetiredSigningSecrets, rotateSigningSecret, signingSecretGrace } from "./signing-secrets";

const tags = ["Signing secret"];

const statusRoute = createRoute({
  method: "get",
  path: "/v1/cron-jobs/{accountId}/signing-secret",
  operationId: "getSigningSecretStatus",
  tags,
  summary: "How many secrets sign callbacks now, and until when the replaced ones do",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: NoQuerySchema },
  responses: { 200: json(SigningSecretStatusSchema, "The rotation state"), ...problemResponses() },
});

const rotateRoute = createRoute({
  method: "post",
  path: "/v1/cron-jobs/{accountId}/signing-secret/rotate",
  operationId: "rotateSigningSecret",
  tags,
  summary: "Replace the callback signing secret, with an overlap",
  description:
    "Returns the new secret once. For `grace_seconds` (default 24 h) every request and callback carries a `v1=` signature for the new secret and one for each replaced secret still in its grace period, so callbacks already queued and receivers not yet updated keep verifying; then only the new one. `grace_seconds: 0` is a hard cut: every older secret, including those from earlier rotations still in their grace, stops signing at once.",
  security: apiKeySecurity,
  request: {
    params: AccountParamSchema,
    query: NoQuerySchema,
    body: { required: false, content: { "application/json": { schema: RotateSigningSecretSchema } } },
  },
  responses: {
    200: json(RotatedSigningSecretSchema, "The new secret (shown once)"),
    ...problemResponses(),
  },
});

const revokeRetiredRoute = createRoute({
  method: "post",
  path: "/v1/cron-jobs/{accountId}/signing-secret/revoke-retired",
  operationId: "revokeRetiredSigningSecrets",
  tags,
  summary: "Stop every replaced secret signing now (after a leak)",
  description:
    "Ends the grace period of every replaced secret at once: from now on requests and callbacks carry only the current secret's `v1=` signature, including callbacks queued before. The current secret is unchanged. Answers the new status.",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: NoQuerySchema },
  responses: { 200: json(SigningSecretStatusSchema, "The rotation state afterwards"), ...problemResponses() },
});

/** The status body of GET signing-secret (and of revoke-retired). */
async function status(db: Db, accountId: string) {
  const grace = await signingSecretGrace(db, accountId, Date.now());
  return {
    data: {
      active_secrets: 1 + grace.length,
      previous_secrets: grace.map((g) => ({
        retired_at: formatInstant(g.retiredAt),
        expires_at: formatInstant(g.expiresAt),
      })),
    },
  };
}

export const signingSecretRoutes = createRouter()
  .openapi(statusRoute, async (c) => c.json(await status(c.get("db"), c.get("accountId")), 200))
  .openapi(revokeRetiredRoute, async (c) => {
    await revokeRetiredSigningSecrets(c.get("db"), c.get("accountId"));
    return c.json(await status(c.get("db"), c.get("accountId")), 200);
  })
  .openapi(rotateRoute, async (c) => {
    // The body is optional: without one the validator is skipped and the schema's default never applies.
    const grace_seconds =
      (c.req.valid("json") as { grace_seconds?: number } | undefined)?.grace_seconds ?? DEFAULT_GRACE_SECONDS;
    const now = Date.now();
    const rotation = await rotateSigningSecret(c.get("db"), c.get("accountId"), now, grace_seconds * 1000);
    return c.json(
      {
        data: {
          signing_secret: rotation.secret,
          rotated_at: formatInstant(now),
          previous_secret_expires_at: formatInstant(rotation.previousExpiresAt),
        },
      },
      200,
    );
  });
