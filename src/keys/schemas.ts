import { z } from "@hono/zod-openapi";
import { apiKeyScopes } from "../db/control-schema";
import { AccountParamSchema } from "../http/schemas";
import { refuseHiddenCharacters } from "../http/well-formed";
import { parseInstant } from "../lib/dates";

const iso = z.string().openapi({ example: "2026-01-26T14:00:00Z" });

export const KeyParamsSchema = AccountParamSchema.extend({
  key_id: z
    .string()
    .min(1)
    .max(256)
    .openapi({ description: "The key id (the X-API-Key value)", example: "ek_3xAmPlE0kEy1d0nLy" }),
});

export const CreateKeySchema = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(100, "at most 100 characters")
      .superRefine(refuseHiddenCharacters)
      .openapi({
        description: "A label to tell keys apart",
        example: "CI deploy pipeline",
      }),
    scope: z.enum(apiKeyScopes).optional().openapi({
      description: "`full` (default) may do everything; `read_only` gets 403 on every route that changes something",
    }),
    expires_at: z
      .string()
      .refine((s) => parseInstant(s) !== null, "must be an ISO 8601 date (2026-12-31) or date-time with Z or an offset")
      .nullable()
      .optional()
      .openapi({
        description:
          "When the key stops working; a bare date means the start of that day (UTC). Omitted or null: never",
        example: "2026-12-31T00:00:00Z",
      }),
  })
  .openapi("CreateApiKey");
export type CreateKeyInput = z.output<typeof CreateKeySchema>;

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ description: "The key id, sent as X-API-Key", example: "ek_3xAmPlE0kEy1d0nLy" }),
    name: z.string(),
    scope: z.enum(apiKeyScopes),
    status: z.enum(["active", "revoked", "expired"]),
    created_at: iso,
    last_used_at: iso.nullable().openapi({ description: "Recorded at most once a minute" }),
    expires_at: iso.nullable(),
    revoked_at: iso.nullable(),
  })
  .openapi("ApiKey");

export const ApiKeyEnvelopeSchema = z.object({ data: ApiKeySchema }).openapi("ApiKeyEnvelope");
export const ApiKeyListSchema = z.object({ data: z.array(ApiKeySchema) }).openapi("ApiKeyList");
export const CreatedApiKeySchema = z
  .object({
    data: ApiKeySchema.extend({
      api_secret: z.string().openapi({
        description: "Send as X-API-Secret. Shown once: only its SHA-256 is stored, so it cannot be shown again",
        example: "es_…",
      }),
    }),
  })
  .openapi("CreatedApiKey");
