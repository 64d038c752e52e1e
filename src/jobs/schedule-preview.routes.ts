import { createRoute } from "@hono/zod-openapi";
import { loadAccountsConfig } from "../calendars/repository";
import { accountRules, EMPTY_RULES, type Exclusion, exclusionAt } from "../calendars/rules";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, NoQuerySchema, problemResponses } from "../http/schemas";
import { refuseAtTheDoor } from "../http/validation";
import { formatInstant } from "../lib/dates";
import { toCronString, toCronStrings } from "../lib/schedule/cron-string";
import { nextRuns, type Schedule } from "../lib/schedule/next-run";
import { MAX_PREVIEW_WALK, SchedulePreviewResultSchema, SchedulePreviewSchema } from "./preview.schemas";
import { endedScheduleError, pastRunAtError } from "./schedule-end";

const previewRoute = createRoute({
  method: "post",
  path: "/v1/cron-jobs/{accountId}/schedule/preview",
  operationId: "previewSchedule",
  summary: "The next runs of a schedule, without creating a job",
  description:
    "Validates `schedule_config` and `timezone` exactly as job creation does (the same 400 problem with `errors`) and lists the runs a job created now would make. Slots that `exclude_calendars`, or skip maintenance windows scoped by `tags`, would skip are listed in `excluded_runs` with their reason. Read-only keys may call it.",
  security: apiKeySecurity,
  request: {
    params: AccountParamSchema,
    query: NoQuerySchema,
    body: { required: true, content: { "application/json": { schema: SchedulePreviewSchema } } },
  },
  responses: {
    200: { description: "The next runs", content: { "application/json": { schema: SchedulePreviewResultSchema } } },
    ...problemResponses(),
  },
});

/**
 * The next `count` runs of a schedule and the slots before them that calendars or skip windows exclude, walking
 * at most MAX_PREVIEW_WALK slots. Excluded slots do not count toward end_occurrences, as at the claim.
 */
function walk(schedule: Schedule, now: number, count: number, excludedBy: (t: number) => Exclusion | null) {
  const runs: number[] = [];
  const excluded: Array<{ at: number; why: Exclusion }> = [];
  let t = now;
  for (let steps = 0; steps < MAX_PREVIEW_WALK && runs.length < count; steps++) {
    const slot = nextRuns(schedule, t, 1, runs.length)[0];
    if (slot === undefined) break;
    const why = excludedBy(slot);
    if (why) excluded.push({ at: slot, why });
    else runs.push(slot);
    t = slot;
  }
  return { runs, excluded };
}

export const schedulePreviewRoutes = createRouter().openapi(previewRoute, async (c) => {
  const { schedule_config, timezone, count, tags } = c.req.valid("json");
  const now = Date.now();
  refuseAtTheDoor([endedScheduleError(schedule_config, timezone, now), pastRunAtError(schedule_config, now)]);
  const excludeCalendars = schedule_config.exclude_calendars ?? [];
  let rules = EMPTY_RULES;
  // Only a preview that names calendars or tags reads the account's calendars and windows.
  if (excludeCalendars.length > 0 || (tags?.length ?? 0) > 0) {
    const loaded = await loadAccountsConfig(c.get("db"), [c.get("accountId")]);
    const known = new Set(loaded.calendars.map((cal) => cal.id));
    refuseAtTheDoor(
      excludeCalendars.map((id, i) =>
        known.has(id)
          ? null
          : {
              field: `schedule_config.exclude_calendars.${i}`,
              in: "body",
              message: "is not a calendar of this account",
            },
      ),
    );
    rules = accountRules(loaded.calendars, loaded.windows);
  }
  // A job created now anchors its repeat_every periods at now (jobs/build.ts), so the preview does too.
  const schedule = { config: schedule_config, timezone, anchorAt: now };
  // Windows scoped by job id cannot name a job not yet created: only tags apply here.
  const subject = { id: "", tags: tags ?? [], excludeCalendars };
  const { runs, excluded } = walk(schedule, now, count, (t) => exclusionAt(rules, subject, t));
  return c.json(
    {
      data: {
        schedule: toCronString(schedule_config, timezone),
        schedules: toCronStrings(schedule_config, timezone),
        timezone,
        next_runs: runs.map(formatInstant),
        excluded_runs: excluded.map(({ at, why }) => ({
          at: formatInstant(at),
          reason: why.reason,
          calendar_id: why.reason === "calendar" ? why.calendarId : null,
          window_id: why.reason === "maintenance" ? why.windowId : null,
        })),
      },
    },
    200,
  );
});
