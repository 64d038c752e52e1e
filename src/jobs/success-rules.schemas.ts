import { z } from "@hono/zod-openapi";
import { MAX_RESPONSE_BODY_BYTES } from "../lib/truncate";
import { parseStatusRanges } from "./status-ranges";

/** The longest body substring a rule may name: only the first MAX_RESPONSE_BODY_BYTES of a body are kept. */
export const MAX_BODY_RULE_CHARS = MAX_RESPONSE_BODY_BYTES;

/** A status-code list field: comma-separated codes and inclusive ranges in 100–599 (src/jobs/status-ranges.ts). */
export const StatusRangesSchema = z
  .string()
  .max(200)
  .refine(
    (s) => parseStatusRanges(s) !== null,
    "must be comma-separated status codes or ranges of codes within 100-599, such as 200-299,304",
  )
  .openapi({ example: "200-299,304" });

const BodyRule = z.string().min(1, "must not be empty").max(MAX_BODY_RULE_CHARS).nullable().optional();

/** Defaults for success_rules or any field of it not given: 2xx is success. */
export const SUCCESS_RULE_DEFAULTS = {
  status_codes: "200-299",
  body_contains: null,
  body_not_contains: null,
} as const;

/** success_rules as sent: every field optional; an update merges them field by field with the stored ones. */
export const SuccessRulesSchema = z
  .strictObject({
    status_codes: StatusRangesSchema.optional().openapi({
      description: "Response status codes that count as success. Default 200-299",
    }),
    body_contains: BodyRule.openapi({
      description:
        "A response also needs this text (case-sensitive) in its kept body (the first 1 KB) to count as success; null clears it",
    }),
    body_not_contains: BodyRule.openapi({
      description: "A response whose kept body (the first 1 KB) contains this text is a failure; null clears it",
    }),
  })
  .openapi("SuccessRulesInput");

export const SuccessRulesResponseSchema = z
  .object({
    status_codes: z.string(),
    body_contains: z.string().nullable(),
    body_not_contains: z.string().nullable(),
  })
  .openapi("SuccessRules", {
    description:
      "When a response counts as success. Rules only move a response between success and failure; a transport " +
      "error or timeout stays error / timeout. A log's decided_by names the rule that decided.",
  });
export type SuccessRules = z.output<typeof SuccessRulesResponseSchema>;

/** What a job retries when retry_config's retry_on_* fields are not given: every unsuccessful outcome, as before. */
export const RETRY_ON_DEFAULTS = {
  retry_on_status_codes: "100-599",
  retry_on_timeout: true,
  retry_on_error: true,
} as const;

/** The retry_config fields that choose which unsuccessful outcomes are retried (all optional on input). */
export const retryOnInputFields = {
  retry_on_status_codes: StatusRangesSchema.optional().openapi({
    description:
      "A failure is retried only when its response status code is in this list (e.g. 500-599,429 never retries a 4xx). Default 100-599: every failure",
  }),
  retry_on_timeout: z.boolean().optional().openapi({ description: "Whether a timeout is retried. Default true" }),
  retry_on_error: z.boolean().optional().openapi({
    description: "Whether an error (no response: connection, DNS, refused target) is retried. Default true",
  }),
};

export const retryOnResponseFields = {
  retry_on_status_codes: z.string(),
  retry_on_timeout: z.boolean(),
  retry_on_error: z.boolean(),
};
