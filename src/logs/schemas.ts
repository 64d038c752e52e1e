import { z } from "@hono/zod-openapi";
import { decidedByRules, runTriggers } from "../db/schema";
import { instantQuery, intQuery, optionalIntQuery, UuidSchema } from "../http/schemas";
import { ExecutionStatusSchema } from "../jobs/response.schemas";
import { ListJobsQuerySchema } from "../jobs/schemas";
import { decodeCursor } from "./cursor";

/** status, start_date, end_date: the filters every logs endpoint takes. */
const filterFields = {
  status: ExecutionStatusSchema.optional(),
  start_date: instantQuery("Only logs at or after this instant (ISO 8601)", "2024-01-01T00:00:00Z"),
  end_date: instantQuery(
    "Only logs at or before this instant (ISO 8601; a bare date means its end)",
    "2024-01-31T23:59:59Z",
  ),
};

/** cron_job_id and tags: which of the account's live jobs the account-wide endpoints read. */
const jobFilterFields = {
  cron_job_id: UuidSchema.optional().openapi({ description: "Only this job's logs (a live job of the account)" }),
  tags: ListJobsQuerySchema.shape.tags.openapi({
    type: "string",
    description: "Comma-separated; only logs of jobs having any of these tags",
    example: "reports,daily",
  }),
};

const CursorSchema = z
  .string()
  .transform((value, ctx) => {
    const position = decodeCursor(value);
    if (!position) {
      ctx.addIssue({
        code: "custom",
        message: "is not a valid cursor; pass pagination.next_cursor from a previous response unchanged",
      });
      return z.NEVER;
    }
    return position;
  })
  .optional()
  .openapi({
    type: "string",
    description:
      "Opaque: `pagination.next_cursor` of the previous page. Continues after that page's last log, at the same " +
      "cost at any depth, and without skipping or repeating a log while new ones arrive. Not with `page`.",
    example: "v1.WzE3MDYxOTEyMDAwMDAsImV4ZV8wMUpNWjNRNFQ4QTFCMkMzRDRFNUY2RzdIOCJd",
  });

const pagingFields = {
  page: optionalIntQuery({ min: 1, documentedDefault: 1 }).openapi({
    description: "Page number (with totals). Not with `cursor`.",
  }),
  limit: intQuery({ min: 1, max: 100, default: 50, example: 20 }),
  cursor: CursorSchema,
};

type DateBounds = { start_date?: { start: number }; end_date?: { end: number } };
type Paged = { page?: number; cursor?: unknown };

function datesInOrder(q: DateBounds, ctx: z.RefinementCtx) {
  if (q.start_date && q.end_date && q.start_date.start > q.end_date.end) {
    ctx.addIssue({ code: "custom", path: ["start_date"], message: "must not be after end_date" });
  }
}

function pageOrCursor(q: Paged, ctx: z.RefinementCtx) {
  if (q.page !== undefined && q.cursor !== undefined) {
    ctx.addIssue({ code: "custom", path: ["page"], message: "cannot be combined with cursor" });
    ctx.addIssue({ code: "custom", path: ["cursor"], message: "cannot be combined with page" });
  }
}

export const LogsQuerySchema = z.strictObject({ ...pagingFields, ...filterFields }).superRefine((q, ctx) => {
  datesInOrder(q, ctx);
  pageOrCursor(q, ctx);
});

export const AccountLogsQuerySchema = z
  .strictObject({ ...pagingFields, ...filterFields, ...jobFilterFields })
  .superRefine((q, ctx) => {
    datesInOrder(q, ctx);
    pageOrCursor(q, ctx);
  });

const formatField = {
  format: z
    .enum(["ndjson", "csv"])
    .default("ndjson")
    .openapi({ description: "ndjson: one JSON log per line · csv: RFC 4180 with a header row" }),
};

export const LogsExportQuerySchema = z.strictObject({ ...formatField, ...filterFields }).superRefine(datesInOrder);

export const AccountLogsExportQuerySchema = z
  .strictObject({ ...formatField, ...filterFields, ...jobFilterFields })
  .superRefine(datesInOrder);

export type LogsQuery = z.output<typeof LogsQuerySchema>;

export const ExecutionLogSchema = z
  .object({
    id: z.string().openapi({ example: "exe_01JMZ3Q4T8A1B2C3D4E5F6G7H8" }),
    execution_id: z.string().openapi({ description: "Same as id (read by A1Base's client)" }),
    cron_job_id: z.string(),
    executed_at: z.string().openapi({ example: "2024-01-25T14:00:00Z" }),
    status: ExecutionStatusSchema,
    response_code: z.number().int().nullable(),
    response_body: z.string().nullable().openapi({ description: "Truncated to 1 KB" }),
    error_message: z.string().nullable(),
    response_time_ms: z.number().int().nullable(),
    retry_attempt: z.number().int(),
    scheduled_at: z.string().nullable().openapi({
      example: "2024-01-25T14:00:00Z",
      description:
        "The schedule slot this attempt belongs to (executed_at − scheduled_at is its lateness); null for manual runs",
    }),
    response_headers: z
      .record(z.string(), z.string())
      .nullable()
      .openapi({
        description:
          "The response's allow-listed headers (content-type, content-length, content-encoding, location, retry-after, x-request-id, x-correlation-id, request-id, cf-ray, server, etag), each cut to 256 characters; null when no response came",
        example: { "content-type": "application/json", "x-request-id": "req_8f2c" },
      }),
    decided_by: z.enum(decidedByRules).nullable().openapi({
      description:
        "The job's success rule that decided the status (success_rules): for a failure the first rule that failed, for a success the last rule checked; null for an error or timeout (no response to judge)",
      example: "status_codes",
    }),
    trigger: z.enum(runTriggers).openapi({
      description:
        "What started the attempt: the schedule, a retry of an earlier attempt, POST /trigger (manual), or POST /replay (replay: a new run of an earlier execution)",
    }),
  })
  .openapi("ExecutionLog");

const nextCursor = z.string().nullable().openapi({
  description: "Pass as `cursor` for the next (older) page; null when no more logs match",
});

export const PagePaginationSchema = z
  .object({
    page: z.number().int(),
    limit: z.number().int(),
    total_items: z.number().int(),
    total_pages: z.number().int(),
    next_cursor: nextCursor,
  })
  .openapi("LogsPagePagination");

export const CursorPaginationSchema = z
  .object({ limit: z.number().int(), next_cursor: nextCursor })
  .openapi("LogsCursorPagination", { description: "With `cursor`: no totals, so every page costs the same" });

export const LogsPageSchema = z
  .object({ data: z.array(ExecutionLogSchema), pagination: z.union([PagePaginationSchema, CursorPaginationSchema]) })
  .openapi("ExecutionLogsPage");
