import { createRoute, z } from "@hono/zod-openapi";
import { jobNotFound } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, JobParamsSchema, problemResponses } from "../http/schemas";
import { exportStream, openLogExport } from "./export";
import { EXPORT_CONTENT_TYPES, type ExportFormat } from "./formats";
import { AccountLogsExportQuerySchema, filtersOf, LogsExportQuerySchema } from "./schemas";
import type { LogScope } from "./scope";

const tags = ["Logs"];
const exportResponses = {
  200: {
    description: "Every matching log, oldest first, streamed as an attachment",
    headers: z.object({
      "Content-Disposition": z.string().openapi({ example: 'attachment; filename="edgecron-logs-….csv"' }),
    }),
    content: {
      [EXPORT_CONTENT_TYPES.ndjson]: {
        schema: z.string().openapi({ description: "One ExecutionLog JSON object per line (LF-terminated)" }),
      },
      [EXPORT_CONTENT_TYPES.csv]: {
        schema: z.string().openapi({
          description:
            "RFC 4180: a header row of the ExecutionLog field names, CRLF line ends, quoted fields where needed; " +
            'null is an empty field, an empty string is "".',
        }),
      },
    },
  },
  ...problemResponses(),
};
const description =
  "Every log matching the filters, oldest first, up to the moment of the request, streamed in keyset-paged " +
  "chunks (`format=ndjson` by default, or `csv`). The filters of the logs pages apply (`status`, dates, " +
  "`response_code`, `min_response_time_ms`/`max_response_time_ms`), except the text search `q`.";

const jobExportRoute = createRoute({
  operationId: "exportCronJobLogs",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/logs/{cron_job_id}/export",
  tags,
  summary: "Export a cron job's logs (NDJSON or CSV)",
  description,
  security: apiKeySecurity,
  request: { params: JobParamsSchema, query: LogsExportQuerySchema },
  responses: exportResponses,
});

const accountExportRoute = createRoute({
  operationId: "exportAccountLogs",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/logs/export",
  tags,
  summary: "Export the account's logs (NDJSON or CSV)",
  description: `${description} Live jobs only; \`cron_job_id\` and \`tags\` narrow the jobs.`,
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: AccountLogsExportQuerySchema },
  responses: exportResponses,
});

const headers = (format: ExportFormat, name: string) => ({
  "Content-Type": EXPORT_CONTENT_TYPES[format],
  "Content-Disposition": `attachment; filename="edgecron-logs-${name.replace(/[^A-Za-z0-9_-]/g, "_")}.${format}"`,
  "Cache-Control": "no-store",
});

/** Register before the logs routes: `/logs/export` must not be taken for `/logs/{cron_job_id}`. */
export const logsExportRoutes = createRouter()
  .openapi(jobExportRoute, async (c) => {
    const { cron_job_id } = c.req.valid("param");
    const q = c.req.valid("query");
    const scope: LogScope = { kind: "job", accountId: c.get("accountId"), cronJobId: cron_job_id };
    const chunks = await openLogExport(c.get("db"), scope, filtersOf(q), { asOf: Date.now() });
    if (!chunks) return jobNotFound(cron_job_id);
    return c.body(exportStream(chunks, q.format), 200, headers(q.format, cron_job_id));
  })
  .openapi(accountExportRoute, async (c) => {
    const q = c.req.valid("query");
    const accountId = c.get("accountId");
    const scope: LogScope = { kind: "account", accountId, cronJobId: q.cron_job_id, tags: q.tags };
    const chunks = await openLogExport(c.get("db"), scope, filtersOf(q), { asOf: Date.now() });
    if (!chunks) return jobNotFound(q.cron_job_id ?? "");
    return c.body(exportStream(chunks, q.format), 200, headers(q.format, q.cron_job_id ?? accountId));
  });
