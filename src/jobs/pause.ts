import { z } from "@hono/zod-openapi";
import type { CronJobRow, JobState } from "../db/schema";
import { refuseHiddenCharacters } from "../http/well-formed";
import { formatInstantOrNull, parseInstant } from "../lib/dates";
import type { FieldError } from "../lib/field-error";

/**
 * Pause until (docs/API-NOTES.md "Pause until"): `paused_until` pauses the job and the first tick at or after it
 * resumes it (src/engine/resume.ts); `pause_reason` says why. Both are cleared whenever the job leaves `paused`.
 */

export const MAX_PAUSE_REASON = 200;
/** An instant: a date-time with a zone (`Z` or an offset), never a bare date. */
const DATE_TIME_WITH_ZONE = /T.*(Z|[+-]\d{2}:?\d{2})$/i;
const UNTIL = "must be null or an ISO 8601 date-time with Z or an offset, such as 2026-12-24T00:00:00Z";

export const pauseInputFields = {
  paused_until: z
    .string({ error: UNTIL })
    .refine((s) => DATE_TIME_WITH_ZONE.test(s) && parseInstant(s) !== null, UNTIL)
    .nullable()
    .optional()
    .openapi({
      description:
        "Extension: pause the job until this instant (in the future); the first tick at or after it resumes the job, and the slots in between are one skipped span with reason paused in the run history. null: paused until resumed by hand. is_active: true resumes at once and clears it",
      example: "2026-12-24T00:00:00Z",
    }),
  pause_reason: z
    .string()
    .max(MAX_PAUSE_REASON, `must be at most ${MAX_PAUSE_REASON} characters`)
    .superRefine(refuseHiddenCharacters)
    .nullable()
    .optional()
    .openapi({ description: "Extension: why the job is paused; kept while it is paused", example: "Holidays" }),
};

export const pauseResponseFields = {
  paused_until: z.string().nullable().openapi({
    description: "When a paused job resumes by itself; null when not paused, or paused until resumed by hand",
    example: "2026-12-24T00:00:00Z",
  }),
  pause_reason: z.string().nullable().openapi({ description: "Why the job is paused; null when not paused" }),
};

export interface PauseInput {
  paused_until?: string | null;
  pause_reason?: string | null;
  is_active?: boolean;
}

type PauseColumns = Pick<CronJobRow, "pausedUntil" | "pauseReason" | "pausedAt">;

/** The requested pause end as epoch ms: undefined when not sent, null when sent as null. */
export function requestedUntil(input: PauseInput): number | null | undefined {
  if (input.paused_until === undefined || input.paused_until === null) return input.paused_until;
  return parseInstant(input.paused_until)?.start ?? null;
}

/**
 * What a request's pause fields contradict: an end in the past or sent with `is_active: true`, a reason for a job
 * that will not be paused. `stored` is the job's current end: sending it back unchanged (a client echoing the job
 * object) is never refused.
 */
export function pauseErrors(input: PauseInput, now: number, to: JobState, stored: number | null = null): FieldError[] {
  const errors: FieldError[] = [];
  if (input.pause_reason !== undefined && input.pause_reason !== null && to !== "paused") {
    errors.push({
      field: "pause_reason",
      in: "body",
      message: "only applies to a paused job (send is_active: false or paused_until)",
    });
  }
  const until = requestedUntil(input);
  if (until === undefined || until === null || until === stored) return errors;
  if (input.is_active === true) {
    errors.push({ field: "paused_until", in: "body", message: "cannot be combined with is_active: true" });
  } else if (until <= now) {
    errors.push({
      field: "paused_until",
      in: "body",
      message: `${input.paused_until} has passed: give a future instant`,
    });
  }
  return errors;
}

/**
 * The pause columns for a job moving from `from` to `to` (its state after the request). Entering `paused` starts
 * the pause now; staying paused keeps its start; leaving it clears all three. `{"is_active": false}` without
 * paused_until is a pause with no end, as is paused_until: null.
 */
export function pauseColumns(
  current: PauseColumns & { state: JobState },
  to: JobState,
  input: PauseInput,
  now: number,
): Partial<PauseColumns> {
  if (to !== "paused") {
    return current.pausedUntil === null && current.pauseReason === null && current.pausedAt === null
      ? {}
      : { pausedUntil: null, pauseReason: null, pausedAt: null };
  }
  const set: Partial<PauseColumns> = {};
  const entering = current.state !== "paused";
  if (entering) set.pausedAt = now;
  const until = requestedUntil(input);
  if (until !== undefined) set.pausedUntil = until;
  else if (entering || input.is_active === false) set.pausedUntil = null;
  if (input.pause_reason !== undefined) set.pauseReason = input.pause_reason;
  return set;
}

/** The job object's pause fields. */
export function presentPause(row: Pick<CronJobRow, "pausedUntil" | "pauseReason">) {
  return { paused_until: formatInstantOrNull(row.pausedUntil), pause_reason: row.pauseReason };
}
