import { z } from "@hono/zod-openapi";

/** Longest overlap a rotation may ask for: 30 days. */
export const MAX_GRACE_SECONDS = 30 * 86_400;
export const DEFAULT_GRACE_SECONDS = 86_400;

const iso = z.string().openapi({ example: "2026-01-27T14:00:00Z" });

export const RotateSigningSecretSchema = z
  .strictObject({
    grace_seconds: z
      .number()
      .int(`must be an integer between 0 and ${MAX_GRACE_SECONDS}`)
      .min(0, `must be an integer between 0 and ${MAX_GRACE_SECONDS}`)
      .max(MAX_GRACE_SECONDS, `must be an integer between 0 and ${MAX_GRACE_SECONDS}`)
      .optional()
      .transform((n) => n ?? DEFAULT_GRACE_SECONDS)
      .openapi({
        description:
          "How long the replaced secret keeps signing beside the new one (default 86400 = 24 h; 0 = hard cut: every older secret stops signing now)",
        example: DEFAULT_GRACE_SECONDS,
      }),
  })
  .openapi("RotateSigningSecret");

export const RotatedSigningSecretSchema = z
  .object({
    data: z.object({
      signing_secret: z.string().openapi({
        description: "The new secret. Shown once: store it where your receivers verify signatures",
        example: "whsec_…",
      }),
      rotated_at: iso,
      previous_secret_expires_at: iso.openapi({
        description: "Until then requests and callbacks carry a v1 signature for the previous secret too",
      }),
    }),
  })
  .openapi("RotatedSigningSecret");

export const SigningSecretStatusSchema = z
  .object({
    data: z.object({
      active_secrets: z.number().int().openapi({
        description:
          "How many v1 signatures each request and callback carries now (1 outside a rotation's grace period)",
      }),
      previous_secrets: z
        .array(z.object({ retired_at: iso, expires_at: iso }))
        .openapi({ description: "Replaced secrets still signing, newest first (never the secrets themselves)" }),
    }),
  })
  .openapi("SigningSecretStatus");
