import { z } from "@hono/zod-openapi";
import { parseInstant } from "../lib/dates";
import { quoteSent } from "./validation";

type IntQueryOptions = { min: number; max?: number; example?: number };

/** The largest integer a query parameter without its own maximum takes (a page past the end is just empty). */
export const MAX_QUERY_INT = 2_147_483_647;

/** `(got "1e3")`: what a query parameter's error names as sent. */
const sentValue = (v: string) => `(got ${quoteSent(v)})`;

function intString(opts: IntQueryOptions) {
  const max = opts.max ?? MAX_QUERY_INT;
  return z.string().transform((value, ctx) => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (n >= opts.min && n <= max) return n;
    ctx.addIssue({ code: "custom", message: `must be an integer between ${opts.min} and ${max} ${sentValue(value)}` });
    return z.NEVER;
  });
}

const intDoc = (opts: IntQueryOptions & { default?: number }) => ({
  type: "integer" as const,
  minimum: opts.min,
  maximum: opts.max ?? MAX_QUERY_INT,
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
        // A query string decodes `+` to a space, so `…T10:00:00+05:30` arrives as `…T10:00:00 05:30`.
        const plusAsSpace = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)? \d{2}:?\d{2}$/.test(value);
        ctx.addIssue({
          code: "custom",
          message:
            `must be an ISO 8601 date (2024-01-25) or date-time with Z or an offset (2024-01-25T00:00:00Z) ${sentValue(value)}` +
            (plusAsSpace ? '; a "+" in a query string is read as a space: send the offset as %2B05:30' : ""),
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

/** A route that takes no query parameters: an unknown one is a 400 naming it, never silently ignored. */
export const NoQuerySchema = z.strictObject({});

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

/** An OpenAPI response whose body is JSON of `schema`. */
export const json = <T>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const problemContent = { "application/problem+json": { schema: ProblemSchema } };

/** Error responses every authenticated route can give. */
export function problemResponses(...extra: Array<[number, string]>) {
  const base: Array<[number, string]> = [
    [400, "Invalid input; `errors` names each bad field"],
    [401, "Missing, wrong or revoked API key"],
    [403, "The API key belongs to another account, or is read-only and the route changes something"],
    [404, "Not found"],
    [413, "Request body over the size limit"],
    [415, "Body not JSON, or compressed"],
    [429, "Rate limit for this API key or its account exceeded; see Retry-After"],
    [431, "Request headers too large"],
    [500, "Unexpected failure"],
    [503, "The database is unavailable; retry after Retry-After"],
    ...extra,
  ];
  return Object.fromEntries(base.map(([status, description]) => [status, { description, content: problemContent }]));
}
