import { createRoute } from "@hono/zod-openapi";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, problemResponses } from "../http/schemas";
import { refuseAtTheDoor } from "../http/validation";
import { formatInstant } from "../lib/dates";
import { toCronString, toCronStrings } from "../lib/schedule/cron-string";
import { nextRuns } from "../lib/schedule/next-run";
import { SchedulePreviewResultSchema, SchedulePreviewSchema } from "./preview.schemas";
import { endedScheduleError, pastRunAtError } from "./schedule-end";

const previewRoute = createRoute({
  method: "post",
  path: "/v1/cron-jobs/{accountId}/schedule/preview",
  operationId: "previewSchedule",
  summary: "The next runs of a schedule, without creating a job",
  description:
    "Validates `schedule_config` and `timezone` exactly as job creation does (the same 400 problem with `errors`) and lists the runs a job created now would make. Read-only keys may call it.",
  security: apiKeySecurity,
  request: {
    params: AccountParamSchema,
    body: { required: true, content: { "application/json": { schema: SchedulePreviewSchema } } },
  },
  responses: {
    200: { description: "The next runs", content: { "application/json": { schema: SchedulePreviewResultSchema } } },
    ...problemResponses(),
  },
});

export const schedulePreviewRoutes = createRouter().openapi(previewRoute, (c) => {
  const { schedule_config, timezone, count } = c.req.valid("json");
  const now = Date.now();
  refuseAtTheDoor([endedScheduleError(schedule_config, timezone, now), pastRunAtError(schedule_config, now)]);
  // A job created now anchors its repeat_every periods at now (jobs/build.ts), so the preview does too.
  const runs = nextRuns({ config: schedule_config, timezone, anchorAt: now }, now, count);
  return c.json(
    {
      data: {
        schedule: toCronString(schedule_config, timezone),
        schedules: toCronStrings(schedule_config, timezone),
        timezone,
        next_runs: runs.map(formatInstant),
      },
    },
    200,
  );
});
