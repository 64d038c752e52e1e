import { createRoute, z } from "@hono/zod-openapi";
import { fail } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, problemResponses } from "../http/schemas";
import { CONTENT_TYPES, renderExposition } from "./exposition";
import { accountJobFamilies } from "./job-metrics";
import { LATENCY_HOURS } from "./latency";
import { negotiateFormat } from "./negotiate";

const exposition = (description: string) => ({ schema: z.string().openapi({ description }) });

const metricsRoute = createRoute({
  operationId: "getAccountMetrics",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/metrics",
  summary: "Job metrics for Prometheus (OpenMetrics 1.0 or Prometheus text 0.0.4)",
  description:
    "Per live job: edgecron_job_up, _state, _last_run_timestamp_seconds, _last_status, _consecutive_failures, " +
    "_runs_total{status}, _skipped_total{reason}, _next_run_timestamp_seconds and _response_time_seconds{quantile} " +
    `(p50/p95/p99 of successful runs over the current UTC hour and the ${LATENCY_HOURS} before it), labelled job_id, ` +
    "job_name and tags (comma-joined). The format follows `Accept` (OpenMetrics when preferred; Prometheus text " +
    "for a wildcard or no Accept; 406 when neither is acceptable). Besides the two key headers, this route takes " +
    "the key as `Authorization: Bearer <key>:<secret>` or Basic auth (user = key, password = secret), as " +
    "Prometheus' `authorization` and `basic_auth` scrape settings send them.",
  security: [...apiKeySecurity, { BearerKey: [] }, { BasicKey: [] }],
  // No query parameters: an unknown one is a 400 naming it, as on the logs endpoints, not silently ignored.
  request: { params: AccountParamSchema, query: z.strictObject({}) },
  responses: {
    200: {
      description: "The exposition",
      content: {
        [CONTENT_TYPES.openmetrics]: exposition("OpenMetrics 1.0 text, ending with `# EOF`"),
        [CONTENT_TYPES.prometheus]: exposition("Prometheus text format 0.0.4"),
      },
    },
    ...problemResponses([406, "Accept names neither OpenMetrics 1.0 nor Prometheus text 0.0.4"]),
  },
});

export const metricsRoutes = createRouter().openapi(metricsRoute, async (c) => {
  const format = negotiateFormat(c.req.header("accept"));
  if (format === null) {
    fail(406, `Accept allows neither ${CONTENT_TYPES.openmetrics} nor ${CONTENT_TYPES.prometheus}`);
  }
  const families = await accountJobFamilies(c.get("db"), c.get("accountId"), Date.now());
  return c.body(renderExposition(families, format), 200, {
    "Content-Type": CONTENT_TYPES[format],
    "Cache-Control": "no-store",
    Vary: "Accept",
  });
});
