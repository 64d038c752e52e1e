import { z } from "@hono/zod-openapi";
import { runOrigins, runReasons, runStates } from "../db/schema";
import { cursorQuery } from "../http/pagination";
import { instantQuery, intQuery } from "../http/schemas";
import { executionIdParts } from "../lib/execution-id";
import { decodeCursor, encodeCursor } from "../logs/cursor";
import { CursorPaginationSchema } from "../logs/schemas";
import type { HistoryPosition } from "./history";

/** The logs' opaque cursor (src/logs/cursor.ts), holding the last row's slot and execution id (its key). */
export const encodeHistoryCursor = (p: HistoryPosition): string => encodeCursor({ executedAt: p.slot, id: p.id });

/** The position a cursor names, or null unless it is one this endpoint issued (an execution id of that slot). */
export function decodeHistoryCursor(cursor: string): HistoryPosition | null {
  const p = decodeCursor(cursor);
  if (!p || executionIdParts(p.id)?.slot !== p.executedAt) return null;
  return { slot: p.executedAt, id: p.id };
}

const CursorSchema = cursorQuery(
  decodeHistoryCursor,
  "Opaque: `pagination.next_cursor` of the previous page. Continues after that page's last run, at the same cost at any depth.",
);

export const RunsHistoryQuerySchema = z
  .strictObject({
    limit: intQuery({ min: 1, max: 100, default: 50, example: 20 }),
    cursor: CursorSchema,
    state: z
      .enum(runStates, { error: `must be one of ${runStates.join(", ")}` })
      .optional()
      .openapi({ description: "Only runs in this state" }),
    start_date: instantQuery(
      "Only slots at or after this instant (ISO 8601); a span reaching into it is included",
      "2024-01-01T00:00:00Z",
    ),
    end_date: instantQuery(
      "Only slots at or before this instant (ISO 8601; a bare date means its end); a span starting in it is included",
      "2024-01-31T23:59:59Z",
    ),
  })
  .superRefine((q, ctx) => {
    if (q.start_date && q.end_date && q.start_date.start > q.end_date.end) {
      ctx.addIssue({ code: "custom", path: ["start_date"], message: "must not be after end_date" });
    }
  });

export type RunsHistoryQuery = z.output<typeof RunsHistoryQuerySchema>;

const iso = z.string().openapi({ example: "2024-01-25T14:00:00Z" });

/** What every history entry carries, run or span. */
const entryFields = {
  attempt: z.number().int().openapi({ description: "0 for a slot's first attempt, n for its nth retry" }),
  state: z.enum(runStates).openapi({
    description:
      "queued (waiting to start), running, awaiting, done (has a log), skipped (see reason), dead (closed without an outcome, see reason)",
  }),
  reason: z.enum(runReasons).nullable().openapi({
    description:
      "Why a run was skipped (overlap, paused, deleted, missed, calendar, maintenance) or dead (undelivered, outcome_unknown); null otherwise",
  }),
  origin: z.enum(runOrigins).openapi({ description: "schedule: a slot of the schedule; manual: POST /trigger" }),
};

export const RunSchema = z
  .object({
    kind: z.literal("run"),
    slot: iso.openapi({ description: "The schedule slot; for a manual run, when it was requested" }),
    planned_at: iso.openapi({ description: "When the attempt was due: the slot plus jitter, or the retry's time" }),
    execution_id: z.string().nullable().openapi({
      description:
        "The attempt's execution id, as its target received it: set once it is sent (running, awaiting) and then the id of its log (GET …/logs); null while queued, and when skipped or dead without a log",
      example: "exe_01JMZ3Q4T8A1B2C3D4E5F6G7H8",
    }),
    ...entryFields,
  })
  .openapi("CronJobRun", { description: "One attempt of one slot (or of a manual run)" });

export const RunSpanSchema = z
  .object({
    kind: z.literal("span"),
    first_slot: iso,
    last_slot: iso,
    count: z
      .number()
      .int()
      .openapi({ description: "Slots in the span: every slot of the schedule from first to last" }),
    execution_id: z.string().nullable().openapi({ description: "Always null: a span never ran" }),
    ...entryFields,
  })
  .openapi("CronJobRunSpan", { description: "Consecutive slots recorded together: skipped, reason missed" });

export const RunEntrySchema = z.discriminatedUnion("kind", [RunSchema, RunSpanSchema]).openapi("CronJobRunEntry");

export const RunsHistoryPageSchema = z
  .object({ data: z.array(RunEntrySchema), pagination: CursorPaginationSchema })
  .openapi("CronJobRunsPage");

export type RunEntry = z.input<typeof RunEntrySchema>;
