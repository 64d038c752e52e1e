import { z } from "@hono/zod-openapi";
import { overlapPolicies } from "../db/schema";

/**
 * The longest jitter window (s): far inside Queues' 12-hour `delaySeconds` limit and any hourly period, so a
 * jittered start never passes the next slot by more than its window.
 */
export const MAX_JITTER_SECONDS = 3600;
const JITTER = `must be an integer between 0 and ${MAX_JITTER_SECONDS}`;

/** The job's scheduling extensions as sent (create and update); absent: jitter 0, overlap allow. */
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
};

/** The same fields in the job object, plus the count of slots skip has skipped. */
export const schedulingResponseFields = {
  jitter_seconds: z.number().int().openapi({ description: "Jitter window in seconds (0: none)" }),
  overlap_policy: z.enum(overlapPolicies),
  skipped_runs: z.number().int().openapi({
    description:
      "Slots skipped because the previous run was unfinished (overlap_policy skip); they are in the run ledger, never in the logs",
  }),
};
