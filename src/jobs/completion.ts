import { z } from "@hono/zod-openapi";
import { type CompletionMode, type CronJobRow, completionModes } from "../db/schema";

/** A completion-mode run's longest deadline after its start: 24 h (docs/API-NOTES.md "Async completion"). */
export const MAX_COMPLETION_TIMEOUT_SECONDS = 86_400;
const TIMEOUT = `must be an integer between 1 and ${MAX_COMPLETION_TIMEOUT_SECONDS}`;

/** One shape for the job's `completion`, as sent and as shown. */
export const CompletionSchema = z
  .strictObject({
    mode: z.enum(completionModes, { error: "must be callback" }).openapi({
      description:
        "callback: a 2xx answer parks the run as awaiting; POST to the X-Edgecron-Completion-Url sent with the request records its outcome",
    }),
    timeout_seconds: z
      .number({ error: TIMEOUT })
      .int(TIMEOUT)
      .min(1, TIMEOUT)
      .max(MAX_COMPLETION_TIMEOUT_SECONDS, TIMEOUT)
      .openapi({ description: "The run's deadline after its start; past it the run is recorded as timeout" }),
  })
  .openapi("Completion", {
    description: 'Extension: async completion (README "Async completion"); null: the answer is the outcome',
    example: { mode: "callback", timeout_seconds: 7200 },
  });
export type Completion = z.output<typeof CompletionSchema>;

/** The job's `completion` as sent (create and update); absent or null: none. */
export const completionInputFields = { completion: CompletionSchema.nullable().optional() };

/** The same field in every job response. */
export const completionResponseFields = { completion: CompletionSchema.nullable() };

/** The stored columns for `completion` as sent; {} when it was not sent (an update keeps the stored one). */
export function completionColumns(input: { completion?: Completion | null }): {
  completionMode?: CompletionMode | null;
  completionTimeoutSeconds?: number | null;
} {
  if (input.completion === undefined) return {};
  if (input.completion === null) return { completionMode: null, completionTimeoutSeconds: null };
  return { completionMode: input.completion.mode, completionTimeoutSeconds: input.completion.timeout_seconds };
}

/** The job's completion setting, or null when its answer is the outcome. */
export function presentCompletion(
  row: Pick<CronJobRow, "completionMode" | "completionTimeoutSeconds">,
): Completion | null {
  return row.completionMode === null || row.completionTimeoutSeconds === null
    ? null
    : { mode: row.completionMode, timeout_seconds: row.completionTimeoutSeconds };
}
