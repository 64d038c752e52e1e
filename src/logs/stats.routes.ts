import { createRoute } from "@hono/zod-openapi";
import { alertPolicy } from "../alerts/policy";
import type { Slo } from "../alerts/schemas";
import { type ObjectiveStatus, sloStatus } from "../alerts/slo";
import type { Db } from "../db/client";
import { jobNotFound, ProblemError } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { JobParamsSchema, problemResponses } from "../http/schemas";
import { validationProblem } from "../http/validation";
import { formatInstant } from "../lib/dates";
import { serialiseFigures } from "./serialise";
import { jobStats, windowCounts } from "./stats";
import { StatsQuerySchema, StatsSchema } from "./stats.schemas";
import { BUCKET_MS, type StatsWindow, statsWindow } from "./stats-window";

const jobStatsRoute = createRoute({
  operationId: "getCronJobStats",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/stats/{cron_job_id}",
  summary: "Execution statistics of a cron job",
  description:
    "Counts per status, success rate and response-time percentiles over a range (default: the 7 UTC days " +
    "ending today), in total and per UTC hour or day; and the job's SLO now, when it has one (alerts.slo).",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, query: StatsQuerySchema },
  responses: {
    200: { description: "The job's statistics", content: { "application/json": { schema: StatsSchema } } },
    ...problemResponses(),
  },
});

export const statsRoutes = createRouter().openapi(jobStatsRoute, async (c) => {
  const { cron_job_id } = c.req.valid("param");
  const q = c.req.valid("query");
  const resolved = statsWindow({ start: q.start_date, end: q.end_date, bucket: q.bucket }, Date.now());
  if (!resolved.ok) throw new ProblemError(validationProblem(resolved.errors));
  const w = resolved.window;
  const now = Date.now();
  const stats = await jobStats(c.get("db"), c.get("accountId"), cron_job_id, w);
  if (!stats) return jobNotFound(cron_job_id);
  const slo = stats.alertPolicy === null ? null : alertPolicy({ alertPolicy: stats.alertPolicy }).slo;
  return c.json(
    {
      data: {
        cron_job_id,
        start_date: formatInstant(w.start),
        end_date: formatInstant(w.end),
        bucket: w.bucket,
        ...serialiseFigures(stats.totals),
        slo: slo ? await sloView(c.get("db"), cron_job_id, slo, stats.sloBurnAt, now) : null,
        series: stats.series.map(({ start, ...f }) => ({ start: formatInstant(start), ...serialiseFigures(f) })),
      },
    },
    200,
  );
});

const objectiveView = (o: ObjectiveStatus) => ({
  target: o.target,
  current: o.current,
  error_budget_remaining: o.errorBudgetRemaining,
});

/** The SLO over the window_days ending now: a second read, only for a job with an SLO. */
async function sloView(db: Db, cronJobId: string, slo: Slo, burnAt: number | null, now: number) {
  const start = now - slo.window_days * BUCKET_MS.day;
  const origin = Math.floor(start / BUCKET_MS.day) * BUCKET_MS.day;
  const w: StatsWindow = {
    start,
    end: now,
    bucket: "day",
    size: BUCKET_MS.day,
    origin,
    buckets: Math.floor((now - origin) / BUCKET_MS.day) + 1,
  };
  const status = sloStatus(slo, await windowCounts(db, cronJobId, w, slo.latency_ms ?? 0));
  return {
    window_days: slo.window_days,
    window_start: formatInstant(start),
    window_end: formatInstant(now),
    burn_alerts: slo.burn_alerts,
    burning_since: burnAt === null ? null : formatInstant(burnAt),
    success_rate: status.successRate ? objectiveView(status.successRate) : null,
    latency: status.latency ? { latency_ms: status.latency.thresholdMs, ...objectiveView(status.latency) } : null,
  };
}
