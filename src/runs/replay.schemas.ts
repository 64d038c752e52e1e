import { z } from "@hono/zod-openapi";
import { AccountParamSchema } from "../http/schemas";
import { ExecutionStatusSchema } from "../jobs/response.schemas";
import { RunErrorMessageSchema } from "../jobs/trigger.schemas";
import { MAX_BULK_REPLAYS } from "./replay";

const ExecutionIdSchema = z
  .string()
  .min(1)
  .max(128)
  .openapi({ description: "An execution id (a log's id)", example: "exe_01JMZ3Q4T8A1B2C3D4E5F6G7H8" });

export const ExecutionParamsSchema = AccountParamSchema.extend({ execution_id: ExecutionIdSchema });

const replayOf = z.string().openapi({ description: "The execution this run replays" });
const newExecutionId = z.string().openapi({
  description:
    "The replay's first attempt (a new execution id): its log, once recorded, has this id and trigger `replay`",
});

export const ReplayResultSchema = z
  .object({
    data: z.object({
      execution_id: newExecutionId,
      replay_of: replayOf,
      cron_job_id: z.string(),
      status: ExecutionStatusSchema,
      response_code: z.number().int().nullable(),
      response_body: z.string().nullable(),
      error_message: RunErrorMessageSchema,
      executed_at: z.string().openapi({ example: "2024-01-25T14:00:00Z" }),
      response_time_ms: z.number().int().nullable(),
    }),
  })
  .openapi("ReplayResult");

export const ReplayPendingSchema = z
  .object({
    data: z.object({
      execution_id: newExecutionId,
      replay_of: replayOf,
      cron_job_id: z.string(),
      status: z.literal("pending"),
    }),
  })
  .openapi("ReplayPending", {
    description: "The replay had no outcome within the bounded wait (25 s) and continues durably, as POST /trigger's",
  });

export const BulkReplayInputSchema = z
  .strictObject({
    execution_ids: z
      .array(ExecutionIdSchema)
      .min(1)
      .max(MAX_BULK_REPLAYS, `at most ${MAX_BULK_REPLAYS} executions per request`)
      .refine((ids) => new Set(ids).size === ids.length, "must not repeat an execution id")
      .openapi({
        description: `1 to ${MAX_BULK_REPLAYS} execution ids, e.g. the execution_ids of a GET …/dead-letters page`,
      }),
  })
  .openapi("BulkReplayInput");

export const BulkReplayItemSchema = z
  .object({
    execution_id: z.string().openapi({ description: "As requested" }),
    status: z.enum(["queued", "not_found", "refused"]).openapi({
      description:
        "queued: a new run was written and sent to the queue; not_found: no such execution of this account (or its job was deleted); refused: the job's schedule has ended or it is not active",
    }),
    replay_execution_id: z
      .string()
      .nullable()
      .openapi({ description: "The new run's first attempt (its log's id once recorded); null unless queued" }),
    cron_job_id: z.string().nullable(),
    detail: z.string().nullable().openapi({ description: "Why, unless queued" }),
  })
  .openapi("BulkReplayItem");

export const BulkReplayResultSchema = z
  .object({ data: z.array(BulkReplayItemSchema).openapi({ description: "One per requested id, in request order" }) })
  .openapi("BulkReplayResult");
