import { z } from "@hono/zod-openapi";
import { formatInstant } from "../lib/dates";
import type { ExecutionResult } from "../lib/execution";
import { ExecutionStatusSchema } from "./response.schemas";

/** A run finished within the wait, as TriggerResult (and ReplayResult) report it after its ids. */
export function finishedRunFields(run: {
  executedAt: number;
  result: Pick<ExecutionResult, "status" | "responseCode" | "responseBody" | "responseTimeMs" | "errorMessage">;
}) {
  return {
    status: run.result.status,
    response_code: run.result.responseCode,
    response_body: run.result.responseBody,
    error_message: run.result.errorMessage,
    executed_at: formatInstant(run.executedAt),
    response_time_ms: run.result.responseTimeMs,
  };
}

/** Why a run did not succeed, as its log says: a refused connection answers no code and no body. */
export const RunErrorMessageSchema = z.string().nullable().openapi({
  description: "Why the run failed, as its log's error_message says (null for a success)",
  example: "Network connection lost",
});

export const TriggerResultSchema = z
  .object({
    data: z.object({
      execution_id: z.string(),
      status: ExecutionStatusSchema,
      response_code: z.number().int().nullable(),
      response_body: z.string().nullable(),
      error_message: RunErrorMessageSchema,
      executed_at: z.string().openapi({ example: "2024-01-25T14:00:00Z" }),
      response_time_ms: z.number().int().nullable(),
    }),
  })
  .openapi("TriggerResult");

export const TriggerPendingSchema = z
  .object({
    data: z.object({
      execution_id: z.string().openapi({
        description: "The first attempt's execution id: its log, once recorded, has this id",
      }),
      cron_job_id: z.string(),
      status: z.literal("pending"),
    }),
  })
  .openapi("TriggerPending", {
    description:
      "The run had no outcome within the bounded wait (25 s) and continues durably through the run ledger; its log " +
      "appears in GET /logs/{cron_job_id} with id = execution_id (retries and callbacks follow as usual)",
  });
