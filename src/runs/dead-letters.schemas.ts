import { z } from "@hono/zod-openapi";
import { runTriggers } from "../db/schema";
import { intQuery } from "../http/schemas";
import { ExecutionStatusSchema } from "../jobs/response.schemas";
import { executionIdParts } from "../lib/execution-id";

const iso = z.string().openapi({ example: "2024-01-25T14:00:00Z" });

export const DeadLettersQuerySchema = z.strictObject({
  limit: intQuery({ min: 1, max: 100, default: 50, example: 20 }),
  cursor: z
    .string()
    .refine((v) => executionIdParts(v) !== null, {
      message: "is not a valid cursor; pass pagination.next_cursor from a previous response unchanged",
    })
    .optional()
    .openapi({
      description:
        "`pagination.next_cursor` of the previous page (the execution id of its last dead letter): continues after it, at the same cost at any depth",
      example: "exe_01JMZ3Q4T8A1B2C3D4E5F6G7H8",
    }),
});

export const DeadLetterSchema = z
  .object({
    execution_id: z.string().openapi({ description: "The dead attempt; its log has this id" }),
    cron_job_id: z.string(),
    state: z.literal("dead"),
    reason: z.enum(["undelivered", "outcome_unknown"]).nullable().openapi({
      description:
        "undelivered: the run's queue message failed every delivery, so the endpoint was not called. outcome_unknown: a delivery took the run and recorded nothing, so the endpoint may have been called",
    }),
    attempt: z.number().int().openapi({ description: "0 for a first attempt, n for the nth retry" }),
    trigger: z.enum(runTriggers),
    scheduled_at: iso.nullable().openapi({ description: "The schedule slot; null for a manual or replayed run" }),
    executed_at: iso.openapi({ description: "When the run was closed (its log's executed_at)" }),
    status: ExecutionStatusSchema,
    error_message: z.string().nullable(),
    replay_of: z
      .string()
      .nullable()
      .openapi({ description: "The execution this run replayed, when it was itself a replay" }),
  })
  .openapi("DeadLetter");

export const DeadLettersPageSchema = z
  .object({
    data: z.array(DeadLetterSchema),
    pagination: z.object({
      limit: z.number().int(),
      next_cursor: z
        .string()
        .nullable()
        .openapi({ description: "Pass as `cursor` for the next (older) page; null when no more dead letters" }),
    }),
  })
  .openapi("DeadLettersPage");
