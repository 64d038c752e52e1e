import { z } from "@hono/zod-openapi";
import { parseInstant } from "../http/dates";

type IntQueryOptions = { min: number; max?: number; example?: number };

function intString(opts: IntQueryOptions) {
  const range = opts.max === undefined ? `≥ ${opts.min}` : `between ${opts.min} and ${opts.max}`;
  return z
    .string()
    .regex(/^\d{1,9}$/, `must be an integer ${range}`)
    .transform(Number)
    .refine((n) => n >= opts.min && (opts.max === undefined || n <= opts.max), `must be an integer ${range}`);
}

const intDoc = (opts: IntQueryOptions & { default?: number }) => ({
  type: "integer" as const,
  minimum: opts.min,
  ...(opts.max === undefined ? {} : { maximum: opts.max }),
  ...(opts.default === undefined ? {} : { default: opts.default }),
  example: opts.example ?? opts.default ?? opts.min,
});

/** A decimal integer query parameter in [min, max]; rejects `1.5`, `1e3`, ` 2`, `0x10`. */
export function intQuery(opts: IntQueryOptions & { default: number }) {
  return intString(opts)
    .optional()
    .transform((n) => n ?? opts.default)
    .openapi(intDoc(opts));
}

/** The same, undefined when absent (so a handler can tell "not sent" from the default). */
export function optionalIntQuery(opts: IntQueryOptions & { documentedDefault?: number }) {
  return intString(opts)
    .optional()
    .openapi(intDoc({ ...opts, default: opts.documentedDefault }));
}

/** ISO 8601 instant (bare date, or date-time with Z/offset), parsed to its inclusive ms range. */
export const instantQuery = (description: string, example: string) =>
  z
    .string()
    .transform((value, ctx) => {
      const parsed = parseInstant(value);
      if (!parsed) {
        ctx.addIssue({
          code: "custom",
          message: "must be an ISO 8601 date (2024-01-25) or date-time with Z or an offset (2024-01-25T00:00:00Z)",
        });
        return z.NEVER;
      }
      return parsed;
    })
    .optional()
    .openapi({ type: "string", description, example });

export const UuidSchema = z
  .uuid({ message: "must be a UUID" })
  .transform((s) => s.toLowerCase())
  .openapi({ type: "string", format: "uuid", example: "550e8400-e29b-41d4-a716-446655440000" });

export const AccountParamSchema = z.object({
  accountId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ description: "Your account id", example: "7d9f0a52-8a55-4c8e-9b59-1c0d1f6a2b3c" }),
});

export const JobParamsSchema = AccountParamSchema.extend({
  cron_job_id: UuidSchema.openapi({ description: "The cron job id (UUID)" }),
});

export const PaginationSchema = z
  .object({
    page: z.number().int(),
    limit: z.number().int(),
    total_items: z.number().int(),
    total_pages: z.number().int(),
  })
  .openapi("Pagination");

export const FieldErrorSchema = z.object({
  field: z.string(),
  in: z.enum(["path", "query", "header", "body"]),
  message: z.string(),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .openapi("Problem");

const problemContent = { "application/problem+json": { schema: ProblemSchema } };

/** Error responses every authenticated route can give. */
export function problemResponses(...extra: Array<[number, string]>) {
  const base: Array<[number, string]> = [
    [400, "Invalid input; `errors` names each bad field"],
    [401, "Missing, wrong or revoked API key"],
    [403, "The API key belongs to another account"],
    [404, "Not found"],
    [413, "Request body over the size limit"],
    [415, "Body not JSON, or compressed"],
    [429, "Rate limit for this API key exceeded; see Retry-After"],
    [431, "Request headers too large"],
    [500, "Unexpected failure"],
    [503, "The database is unavailable; retry after Retry-After"],
    ...extra,
  ];
  return Object.fromEntries(base.map(([status, description]) => [status, { description, content: problemContent }]));
}
