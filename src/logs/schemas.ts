import { z } from "@hono/zod-openapi";
import { decidedByRules, type ExecutionStatus, runTriggers } from "../db/schema";
import { cursorQuery, nextCursorSchema, paginationSchemas } from "../http/pagination";
import { instantQuery, intQuery, optionalIntQuery, UuidSchema } from "../http/schemas";
import { ExecutionStatusSchema } from "../jobs/response.schemas";
import { ListJobsQuerySchema } from "../jobs/schemas";
import type { InstantRange } from "../lib/dates";
import { decodeCursor } from "./cursor";
import type { CodeRange, LogFilters } from "./filters";

/** status, start_date, end_date: the filters every logs endpoint takes. */
const filterFields = {
  status: ExecutionStatusSchema.optional(),
  start_date: instantQuery("Only logs at or after this instant (ISO 8601)", "2024-01-01T00:00:00Z"),
  end_date: instantQuery(
    "Only logs at or before this instant (ISO 8601; a bare date means its end)",
    "2024-01-31T23:59:59Z",
  ),
};

/** A log search's text (q): bounded so a scan compares a short needle. */
export const MAX_SEARCH_BYTES = 48;
/** The longest range a text search (q) scans: one job, at most this many days. */
export const SEARCH_MAX_DAYS = 31;
const DAY_MS = 86_400_000;

const ResponseCodeSchema = z
  .string()
  .transform((value, ctx) => {
    const v = value.toLowerCase();
    if (/^[1-5]xx$/.test(v)) return { lo: Number(v[0]) * 100, hi: Number(v[0]) * 100 + 99 };
    if (/^[1-5]\d\d$/.test(v)) return { lo: Number(v), hi: Number(v) };
    ctx.addIssue({
      code: "custom",
      message: `must be a status code from 100 to 599 or a class 1xx–5xx (got ${JSON.stringify(value.slice(0, 20))})`,
    });
    return z.NEVER;
  })
  .optional()
  .openapi({
    type: "string",
    description: "Only logs with this HTTP status code (`500`) or class (`5xx`); logs without a response never match",
    example: "5xx",
  });

/** response_code and the latency bounds: the row filters of the logs pages and the exports. */
const searchFields = {
  response_code: ResponseCodeSchema,
  min_response_time_ms: optionalIntQuery({ min: 0 }).openapi({
    description: "Only logs whose response took at least this many ms (logs without a response time never match)",
  }),
  max_response_time_ms: optionalIntQuery({ min: 0 }).openapi({
    description: "Only logs whose response took at most this many ms",
  }),
};

const qField = z
  .string()
  .optional()
  .openapi({
    description:
      `Text the response body or error message contains (case-insensitive, 1–${MAX_SEARCH_BYTES} UTF-8 bytes). One ` +
      `job, at most ${SEARCH_MAX_DAYS} days (default: the last ${SEARCH_MAX_DAYS}), cursor paging only, no totals; ` +
      "each request scans a bounded number of logs and says in `scan` whether it reached the end",
    example: "timeout",
  });

/** cron_job_id and tags: which of the account's live jobs the account-wide endpoints read. */
const jobFilterFields = {
  cron_job_id: UuidSchema.optional().openapi({ description: "Only this job's logs (a live job of the account)" }),
  tags: ListJobsQuerySchema.shape.tags.openapi({
    type: "string",
    description: "Comma-separated; only logs of jobs having any of these tags",
    example: "reports,daily",
  }),
};

const CursorSchema = cursorQuery(
  decodeCursor,
  "Opaque: `pagination.next_cursor` of the previous page. Continues after that page's last log, at the same " +
    "cost at any depth, and without skipping or repeating a log while new ones arrive. Not with `page`.",
);

const pagingFields = {
  page: optionalIntQuery({ min: 1, documentedDefault: 1 }).openapi({
    description: "Page number (with totals). Not with `cursor`.",
  }),
  limit: intQuery({ min: 1, max: 100, default: 50, example: 20 }),
  cursor: CursorSchema,
};

type DateBounds = { start_date?: InstantRange; end_date?: InstantRange };
type Paged = { page?: number; cursor?: unknown };

function datesInOrder(q: DateBounds, ctx: z.RefinementCtx) {
  if (q.start_date && q.end_date && q.start_date.start > q.end_date.end) {
    ctx.addIssue({ code: "custom", path: ["start_date"], message: "must not be after end_date" });
  }
}

type LatencyBounds = { min_response_time_ms?: number; max_response_time_ms?: number };

function latencyInOrder(q: LatencyBounds, ctx: z.RefinementCtx) {
  const { min_response_time_ms: min, max_response_time_ms: max } = q;
  if (min !== undefined && max !== undefined && min > max) {
    ctx.addIssue({
      code: "custom",
      path: ["min_response_time_ms"],
      message: "must not be greater than max_response_time_ms",
    });
  }
}

/** q's own bounds: its length, cursor paging only, and a range of at most SEARCH_MAX_DAYS days. */
function searchBounds(q: DateBounds & Paged & { q?: string }, ctx: z.RefinementCtx) {
  if (q.q === undefined) return;
  const bytes = new TextEncoder().encode(q.q).byteLength;
  if (bytes === 0 || bytes > MAX_SEARCH_BYTES) {
    ctx.addIssue({
      code: "custom",
      path: ["q"],
      message: `must be 1 to ${MAX_SEARCH_BYTES} UTF-8 bytes (got ${bytes})`,
    });
  }
  if (q.page !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["page"],
      message: "cannot be combined with q: a search pages by cursor only",
    });
  }
  if (q.start_date) {
    const end = q.end_date?.end ?? Date.now();
    if (end - q.start_date.start > SEARCH_MAX_DAYS * DAY_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["start_date"],
        message: `with q, the range may span at most ${SEARCH_MAX_DAYS} days (end_date, default now, minus start_date)`,
      });
    }
  }
}

function pageOrCursor(q: Paged, ctx: z.RefinementCtx) {
  if (q.page !== undefined && q.cursor !== undefined) {
    ctx.addIssue({ code: "custom", path: ["page"], message: "cannot be combined with cursor" });
    ctx.addIssue({ code: "custom", path: ["cursor"], message: "cannot be combined with page" });
  }
}

export const LogsQuerySchema = z
  .strictObject({ ...pagingFields, ...filterFields, ...searchFields, q: qField })
  .superRefine((q, ctx) => {
    datesInOrder(q, ctx);
    pageOrCursor(q, ctx);
    latencyInOrder(q, ctx);
    searchBounds(q, ctx);
  });

export const AccountLogsQuerySchema = z
  .strictObject({
    ...pagingFields,
    ...filterFields,
    ...searchFields,
    ...jobFilterFields,
    q: z
      .string()
      .optional()
      .openapi({ description: "Not here: a text search reads one job's logs (`/logs/{cron_job_id}`)" }),
  })
  .superRefine((q, ctx) => {
    datesInOrder(q, ctx);
    pageOrCursor(q, ctx);
    latencyInOrder(q, ctx);
    if (q.q !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["q"],
        message: "searches one job's logs: use GET …/logs/{cron_job_id}?q=…",
      });
    }
  });

const formatField = {
  format: z
    .enum(["ndjson", "csv"])
    .default("ndjson")
    .openapi({ description: "ndjson: one JSON log per line · csv: RFC 4180 with a header row" }),
};

/** The exports take the pages' filters (not q: an export reads every log, a search is budgeted). */
function exportFiltersInOrder(q: DateBounds & LatencyBounds, ctx: z.RefinementCtx) {
  datesInOrder(q, ctx);
  latencyInOrder(q, ctx);
}

export const LogsExportQuerySchema = z
  .strictObject({ ...formatField, ...filterFields, ...searchFields })
  .superRefine(exportFiltersInOrder);

export const AccountLogsExportQuerySchema = z
  .strictObject({ ...formatField, ...filterFields, ...searchFields, ...jobFilterFields })
  .superRefine(exportFiltersInOrder);

type FilterQuery = DateBounds & LatencyBounds & { status?: ExecutionStatus; response_code?: CodeRange };

/** The LogFilters of a logs page's or export's query. */
export const filtersOf = (q: FilterQuery): LogFilters => ({
  status: q.status,
  start: q.start_date,
  end: q.end_date,
  code: q.response_code,
  minMs: q.min_response_time_ms,
  maxMs: q.max_response_time_ms,
});

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

const nextCursor = nextCursorSchema("logs");

export const { page: PagePaginationSchema, cursor: CursorPaginationSchema } = paginationSchemas("Logs", "logs");

export const LogsScanSchema = z
  .object({
    complete: z.boolean().openapi({
      description:
        "false when the scan's budget (logs read, time) ended it before the page was full and before the range's end: " +
        "`data` holds every match down to `next_cursor`, and more may follow it",
    }),
    scanned: z.number().int().openapi({ description: "Logs read and decoded by this request" }),
    next_cursor: nextCursor,
  })
  .openapi("LogsScan", { description: "With `q` only: how far the text search got" });

export const LogsPageSchema = z
  .object({
    data: z.array(ExecutionLogSchema),
    pagination: z.union([PagePaginationSchema, CursorPaginationSchema]),
    scan: LogsScanSchema.optional(),
  })
  .openapi("ExecutionLogsPage");
