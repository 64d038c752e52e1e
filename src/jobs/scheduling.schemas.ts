import { z } from "@hono/zod-openapi";
import { catchupPolicies, overlapPolicies } from "../db/schema";

/**
 * The longest jitter window (s): far inside Queues' 12-hour `delaySeconds` limit and any hourly period, so a
 * jittered start never passes the next slot by more than its window.
 */
export const MAX_JITTER_SECONDS = 3600;
const JITTER = `must be an integer between 0 and ${MAX_JITTER_SECONDS}`;

/**
 * max_lateness_seconds' range: at least one tick (a slot is claimed up to a minute after it even when no tick is
 * missed), at most a year (a yearly job's slot).
 */
export const MIN_LATENESS_SECONDS = 60;
export const MAX_LATENESS_SECONDS = 366 * 86_400;
const LATENESS = `must be null or an integer between ${MIN_LATENESS_SECONDS} and ${MAX_LATENESS_SECONDS}`;

/** The job's scheduling extensions as sent (create and update); absent: jitter 0, overlap allow, catch-up latest. */
export const schedulingInputFields = {
  jitter_seconds: z
    .number({ error: JITTER })
    .int(JITTER)
    .min(0, JITTER)
    .max(MAX_JITTER_SECONDS, JITTER)
    .optional()
    .openapi({
      description:
        "Extension: each slot starts a deterministic offset of 0–N seconds after it, derived from the job id and the slot (a redelivered slot keeps its offset). Default 0",
      example: 30,
    }),
  overlap_policy: z.enum(overlapPolicies, { error: "must be allow, skip or queue" }).optional().openapi({
    description:
      "Extension: what a slot does while the job's previous run (retries included) is unfinished. allow (default): it runs anyway; skip: it is skipped and counted in skipped_runs; queue: it waits and runs after the previous run, never at the same time",
  }),
  catchup: z.enum(catchupPolicies, { error: "must be latest or none" }).optional().openapi({
    description:
      "Extension: what happens to slots missed while no tick ran (an outage). latest (default): the newest missed slot runs once, the others are recorded as skipped with reason missed; none: all are recorded missed and the job runs again at its next slot. Either way the history (GET …/runs/{cron_job_id}) shows them as one span",
  }),
  max_lateness_seconds: z
    .number({ error: LATENESS })
    .int(LATENESS)
    .min(MIN_LATENESS_SECONDS, LATENESS)
    .max(MAX_LATENESS_SECONDS, LATENESS)
    .nullable()
    .optional()
    .openapi({
      description:
        "Extension: a slot claimed more than this many seconds after its time is recorded missed instead of run. null (default): no limit",
      example: 300,
    }),
};

/** The same fields in the job object, plus the count of slots skip has skipped. */
export const schedulingResponseFields = {
  jitter_seconds: z.number().int().openapi({ description: "Jitter window in seconds (0: none)" }),
  overlap_policy: z.enum(overlapPolicies),
  catchup: z.enum(catchupPolicies).openapi({ description: "latest or none: what runs after missed ticks" }),
  max_lateness_seconds: z
    .number()
    .int()
    .nullable()
    .openapi({ description: "Slots claimed later than this after their time are recorded missed; null: no limit" }),
  skipped_runs: z.number().int().openapi({
    description:
      "Slots skipped because the previous run was unfinished (overlap_policy skip); they are in the run ledger, never in the logs",
  }),
};
