import { z } from "@hono/zod-openapi";
import { ExecutionStatusSchema } from "./logs";

export const TriggerResultSchema = z
  .object({
    data: z.object({
      execution_id: z.string(),
      status: ExecutionStatusSchema,
      response_code: z.number().int().nullable(),
      response_body: z.string().nullable(),
      executed_at: z.string().openapi({ example: "2024-01-25T14:00:00Z" }),
      response_time_ms: z.number().int().nullable(),
    }),
  })
  .openapi("TriggerResult");
