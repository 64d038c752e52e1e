import { z } from "@hono/zod-openapi";
import { executionStatuses } from "../db/schema";
import { instantQuery, intQuery, PaginationSchema } from "./common";

export const ExecutionStatusSchema = z.enum(executionStatuses).openapi({
  description: "success: 2xx · failure: 4xx/5xx · error: network error or invalid URL · timeout: exceeded the timeout",
});

export const LogsQuerySchema = z
  .strictObject({
    page: intQuery({ min: 1, default: 1 }),
    limit: intQuery({ min: 1, max: 100, default: 50, example: 20 }),
    status: ExecutionStatusSchema.optional(),
    start_date: instantQuery("Only logs at or after this instant (ISO 8601)", "2024-01-01T00:00:00Z"),
    end_date: instantQuery(
      "Only logs at or before this instant (ISO 8601; a bare date means its end)",
      "2024-01-31T23:59:59Z",
    ),
  })
  .superRefine((q, ctx) => {
    if (q.start_date && q.end_date && q.start_date.start > q.end_date.end) {
      ctx.addIssue({ code: "custom", path: ["start_date"], message: "must not be after end_date" });
    }
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
  })
  .openapi("ExecutionLog");

export const LogsPageSchema = z
  .object({ data: z.array(ExecutionLogSchema), pagination: PaginationSchema })
  .openapi("ExecutionLogsPage");
