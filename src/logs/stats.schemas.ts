import { z } from "@hono/zod-openapi";
import { instantQuery } from "../http/schemas";

export const StatsQuerySchema = z.strictObject({
  start_date: instantQuery(
    "First instant counted (ISO 8601). Default: UTC midnight 6 days before end_date's day (7 days in all)",
    "2024-01-19",
  ),
  end_date: instantQuery("Last instant counted (ISO 8601; a bare date means its end). Default: now", "2024-01-25"),
  bucket: z
    .enum(["hour", "day"])
    .default("day")
    .openapi({ description: "UTC hours or UTC days; at most 1000 buckets per request" }),
});

const ms = z.number().int().nullable();

const figures = {
  total: z.number().int(),
  success: z.number().int(),
  failure: z.number().int(),
  error: z.number().int(),
  timeout: z.number().int(),
  success_rate: z.number().nullable().openapi({ description: "success / total; null when total is 0", example: 0.75 }),
  response_time_ms: z.object({ p50: ms, p95: ms, p99: ms, max: ms }).openapi("ResponseTimePercentiles", {
    description:
      "Over successful runs only, nearest-rank: the p-th percentile is the ⌈p/100 × n⌉-th smallest of the n " +
      "response times. p50, p95 and p99 are within 1 % of the nearest-rank value (read from hourly latency " +
      "sketches; exact below 100 ms and for a range inside at most two partial UTC hours); max is exact. null " +
      "when there is no successful run.",
  }),
};

const objective = {
  target: z.number().openapi({ example: 0.99 }),
  current: z.number().nullable().openapi({
    description: "The objective's value over the last window_days: good runs / runs counted; null without any",
    example: 0.995,
  }),
  error_budget_remaining: z.number().openapi({
    description:
      "The error budget (1 − target) not yet spent over the window, as a fraction: 1 untouched, 0 spent, negative when overspent",
    example: 0.5,
  }),
};

export const SloStatusSchema = z
  .object({
    window_days: z.number().int(),
    window_start: z.string().openapi({ description: "now − window_days", example: "2024-01-01T12:00:00Z" }),
    window_end: z.string().openapi({ description: "now", example: "2024-01-31T12:00:00Z" }),
    burn_alerts: z.boolean(),
    burning_since: z.string().nullable().openapi({
      description: "When the current burn spell's slo_burn alert fired; null when not burning (or without burn alerts)",
    }),
    success_rate: z
      .object(objective)
      .nullable()
      .openapi({ description: "Runs (attempts, as logged) that succeeded; null when not an objective" }),
    latency: z
      .object({ latency_ms: z.number().int(), ...objective })
      .nullable()
      .openapi({
        description:
          "Successful runs with a response time at or under latency_ms (from the hourly sketches: exact below 100 ms, within 1 % above); null when not an objective",
      }),
  })
  .openapi("SloStatus", { description: "The job's SLO (alerts.slo) now, whatever the range asked; null without one" });

export const StatsBucketSchema = z
  .object({ start: z.string().openapi({ example: "2024-01-25T00:00:00Z" }), ...figures })
  .openapi("StatsBucket");

export const StatsSchema = z
  .object({
    data: z.object({
      cron_job_id: z.string(),
      start_date: z.string().openapi({ example: "2024-01-19T00:00:00Z" }),
      end_date: z.string().openapi({ example: "2024-01-25T23:59:59Z" }),
      bucket: z.enum(["hour", "day"]),
      ...figures,
      slo: SloStatusSchema.nullable(),
      series: z
        .array(StatsBucketSchema)
        .openapi({ description: "One entry per UTC bucket, oldest first, empty ones included" }),
    }),
  })
  .openapi("CronJobStats");
