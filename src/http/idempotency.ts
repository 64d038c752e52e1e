import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { config } from "../config";
import { claimIdempotencyKey, releaseIdempotencyKey, storeIdempotentResponse } from "../lib/idempotency/store";
import { countLimitReached } from "./account-limits";
import type { AppEnv } from "./env";
import { fail } from "./problem";

/**
 * The `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header): 1–255 visible ASCII characters. Named
 * in lower case, as Hono's header validation reads it; shared by the middleware and the OpenAPI parameters.
 */
export const IdempotencyKeyHeaderSchema = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, "must be 1–255 visible ASCII characters")
    .optional()
    .openapi({
      description:
        "Optional. The same key with the same request within 24 hours returns the first response (with `Idempotent-Replayed: true`) instead of acting again; with a different request it is a 422; while the first is still running, a 409.",
      example: "b7e4f0d2-create-nightly-report",
    }),
});

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Idempotent POSTs per account and key: the first 2xx is stored and replayed; a failure frees the key. */
export const idempotentRequests: MiddlewareHandler<AppEnv> = async (c, next) => {
  const raw = c.req.header("idempotency-key");
  if (raw === undefined) return next();
  const parsed = IdempotencyKeyHeaderSchema.shape["idempotency-key"].safeParse(raw);
  if (!parsed.success) {
    fail(400, "Invalid Idempotency-Key header", {
      errors: [{ field: "Idempotency-Key", in: "header", message: parsed.error.issues[0]?.message ?? "invalid" }],
    });
  }
  const db = c.get("db");
  const accountId = c.get("accountId");
  const fingerprint = await sha256Hex(`${c.req.method} ${new URL(c.req.url).pathname}\n${await c.req.text()}`);
  const { MAX_IDEMPOTENCY_KEYS: limit } = config(c.env);
  const claim = await claimIdempotencyKey(db, accountId, raw, fingerprint, Date.now(), limit);
  if (claim.kind === "limit") {
    countLimitReached(
      `This account already has ${limit} idempotency keys within their 24-hour window (MAX_IDEMPOTENCY_KEYS), the most allowed. Reuse one for its own request, or send the request without Idempotency-Key.`,
    );
  }
  if (claim.kind === "mismatch") {
    fail(422, `Idempotency-Key ${raw} was already used with a different request`, { title: "Idempotency key reused" });
  }
  if (claim.kind === "in-progress") {
    c.header("Retry-After", "1");
    fail(409, `A request with Idempotency-Key ${raw} is still in progress`, { title: "Request in progress" });
  }
  if (claim.kind === "replay") {
    return c.body(claim.body, claim.status as 200, {
      "Content-Type": "application/json",
      "Idempotent-Replayed": "true",
    });
  }
  await next();
  if (c.res.status >= 200 && c.res.status < 300) {
    await storeIdempotentResponse(db, accountId, raw, c.res.status, await c.res.clone().text());
  } else {
    await releaseIdempotencyKey(db, accountId, raw);
  }
};
