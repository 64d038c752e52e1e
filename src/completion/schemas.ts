import { z } from "@hono/zod-openapi";
import { AccountParamSchema } from "../http/schemas";

/** The longest message and body a completion POST may carry; the log keeps the body within its own cap. */
export const MAX_COMPLETION_MESSAGE_CHARS = 2000;
export const MAX_COMPLETION_BODY_CHARS = 65_536;

/**
 * The completion URL's path: malformed ids or tokens are answered like unknown ones (one 404, never saying which),
 * so the params are plain strings here and checked by the handler.
 */
export const CompletionParamsSchema = AccountParamSchema.extend({
  cron_job_id: z.string().openapi({ description: "The job's id, as in the URL edgecron sent" }),
  execution_id: z.string().openapi({ description: "The execution's id", example: "exe_01JCX0Q5V8PR2Q3F6N4W0ZBK1M7" }),
  token: z.string().openapi({ description: "The execution's random token (128 bits), as in the URL edgecron sent" }),
});

export const CompletionReportSchema = z
  .strictObject({
    status: z.enum(["success", "failure"], { error: "must be success or failure" }),
    message: z
      .string()
      .max(MAX_COMPLETION_MESSAGE_CHARS, `at most ${MAX_COMPLETION_MESSAGE_CHARS} characters`)
      .optional()
      .openapi({ description: "A failure's error message (the log's error_message); ignored for success" }),
    body: z
      .string()
      .max(MAX_COMPLETION_BODY_CHARS, `at most ${MAX_COMPLETION_BODY_CHARS} characters`)
      .optional()
      .openapi({ description: "Kept as the log's response body, truncated like a response body (1 KB of UTF-8)" }),
  })
  .openapi("CompletionReport", { example: { status: "success", body: '{"rows":1200}' } });

export const CompletionRecordedSchema = z
  .object({
    execution_id: z.string(),
    cron_job_id: z.string(),
    status: z.enum(["success", "failure"]),
    executed_at: z.string().openapi({ description: "The attempt's start", example: "2024-01-26T14:00:00Z" }),
    response_time_ms: z.number().int().openapi({ description: "From the start to the completion POST that won" }),
    response_body: z.string().nullable(),
    error_message: z.string().nullable(),
  })
  .openapi("CompletionRecorded");
