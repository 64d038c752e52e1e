import { z } from "@hono/zod-openapi";
import { TagsSchema, Timezone } from "../http/label-schemas";
import { ScheduleConfigSchema } from "../lib/schedule/schema";

export const MAX_PREVIEW_RUNS = 50;

export const SchedulePreviewSchema = z
  .strictObject({
    schedule_config: ScheduleConfigSchema,
    timezone: Timezone,
    count: z
      .number()
      .int(`must be an integer between 1 and ${MAX_PREVIEW_RUNS}`)
      .min(1, `must be an integer between 1 and ${MAX_PREVIEW_RUNS}`)
      .max(MAX_PREVIEW_RUNS, `must be an integer between 1 and ${MAX_PREVIEW_RUNS}`)
      .optional()
      .transform((n) => n ?? 5)
      .openapi({ description: "How many runs to list (default 5)", example: 5 }),
    tags: TagsSchema.optional().openapi({
      description: "The job's tags: maintenance windows scoped by these tags apply to the preview",
    }),
  })
  .openapi("SchedulePreviewRequest");

/** Slots the preview walks at most looking for `count` runs among excluded ones. */
export const MAX_PREVIEW_WALK = 1000;

export const SchedulePreviewResultSchema = z
  .object({
    data: z.object({
      schedule: z
        .string()
        .openapi({ description: "The 5-field cron string the job would store", example: "0 9 * * *" }),
      schedules: z.array(z.string()).openapi({
        description: "Every schedule as a cron string; next_runs is their union",
        example: ["0 9 * * *", "30 17 * * *"],
      }),
      timezone: z.string(),
      next_runs: z
        .array(z.string().openapi({ example: "2026-01-26T14:00:00Z" }))
        .openapi({ description: "UTC run times after now, as a job created now would run; fewer if it ends" }),
      excluded_runs: z
        .array(
          z.object({
            at: z.string().openapi({ example: "2026-12-25T14:00:00Z" }),
            reason: z.enum(["calendar", "maintenance"]),
            calendar_id: z.string().nullable().openapi({ description: "The excluding calendar (reason calendar)" }),
            window_id: z
              .string()
              .nullable()
              .openapi({ description: "The excluding maintenance window (reason maintenance)" }),
          }),
        )
        .openapi({
          description: `Slots among and before next_runs that exclude_calendars or a skip maintenance window (by tags) would skip, with the reason; the walk stops after ${MAX_PREVIEW_WALK} slots`,
        }),
    }),
  })
  .openapi("SchedulePreview");
