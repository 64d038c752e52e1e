import { createRoute } from "@hono/zod-openapi";
import type { Db } from "../db/client";
import { pagination } from "../http/pagination";
import { jobNotFound as notFound } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, JobParamsSchema, problemResponses } from "../http/schemas";
import { encodeCursor, type LogPosition } from "./cursor";
import { findLogsPage, type LogsPage, type Paging } from "./query";
import {
  AccountLogsQuerySchema,
  filtersOf,
  LogsPageSchema,
  type LogsQuery,
  LogsQuerySchema,
  SEARCH_MAX_DAYS,
} from "./schemas";
import type { LogScope } from "./scope";
import { searchLogs } from "./search";
import { serialiseLog } from "./serialise";

const tags = ["Logs"];
const pageResponse = {
  200: { description: "A page of execution logs", content: { "application/json": { schema: LogsPageSchema } } },
  ...problemResponses(),
};

const jobLogsRoute = createRoute({
  operationId: "listCronJobLogs",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/logs/{cron_job_id}",
  tags,
  summary: "Execution logs of a cron job",
  description:
    "Most recent first. Logs are kept for 30 days. Page with `page` (totals included) or with `cursor` " +
    "(`pagination.next_cursor` of the previous page; constant cost at any depth). Filter by `status`, dates, " +
    "`response_code` (`500` or `5xx`) and `min_response_time_ms`/`max_response_time_ms`; `q` searches the " +
    `response bodies and errors (at most ${SEARCH_MAX_DAYS} days, cursor paging, a \`scan\` object says how far ` +
    "each request got).",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, query: LogsQuerySchema },
  responses: pageResponse,
});

const accountLogsRoute = createRoute({
  operationId: "listAccountLogs",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/logs",
  tags,
  summary: "Execution logs of every live cron job of the account",
  description:
    "Most recent first, across the account's jobs (deleted jobs' logs are left out). Same filters and paging " +
    "as the per-job logs (except `q`), plus `cron_job_id` and `tags`.",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: AccountLogsQuerySchema },
  responses: pageResponse,
});

type PagingQuery = { page?: number; limit: number; cursor?: LogPosition };
const pagingOf = (q: PagingQuery): Paging =>
  q.cursor ? { after: q.cursor, limit: q.limit } : { page: q.page ?? 1, limit: q.limit };

/** Page numbers get totals and a next_cursor to switch to cursor paging; cursors get only the next one. */
function shape(paging: Paging, page: LogsPage) {
  const next_cursor = page.next ? encodeCursor(page.next) : null;
  return {
    data: page.rows.map(serialiseLog),
    pagination:
      "after" in paging
        ? { limit: paging.limit, next_cursor }
        : { ...pagination(paging.page, paging.limit, page.totalItems ?? 0), next_cursor },
  };
}

/** Shared by both logs routes: page the scope, or null when its job is not live. */
async function pageOf(db: Db, scope: LogScope, q: Parameters<typeof filtersOf>[0] & PagingQuery) {
  const paging = pagingOf(q);
  const page = await findLogsPage(db, scope, filtersOf(q), paging);
  return page ? shape(paging, page) : null;
}

/** A text search (q) of one job, cursor paged, with how far its scan got; null when the job is not live. */
async function searchOf(db: Db, scope: LogScope & { kind: "job" }, q: LogsQuery & { q: string }) {
  const f = filtersOf(q);
  // Without start_date the search covers the last SEARCH_MAX_DAYS days (logs are kept 30).
  const since = Date.now() - SEARCH_MAX_DAYS * 86_400_000;
  const start = f.start ?? { start: since, end: since };
  const found = await searchLogs(db, scope, { ...f, start }, q.q, { after: q.cursor, limit: q.limit });
  if (!found) return null;
  const next_cursor = found.next ? encodeCursor(found.next) : null;
  return {
    data: found.rows.map(serialiseLog),
    pagination: { limit: q.limit, next_cursor },
    scan: { complete: found.complete, scanned: found.scanned, next_cursor },
  };
}

export const logsRoutes = createRouter()
  .openapi(jobLogsRoute, async (c) => {
    const { cron_job_id } = c.req.valid("param");
    const scope = { kind: "job" as const, accountId: c.get("accountId"), cronJobId: cron_job_id };
    const q = c.req.valid("query");
    const text = q.q;
    const body =
      (text === undefined
        ? await pageOf(c.get("db"), scope, q)
        : await searchOf(c.get("db"), scope, { ...q, q: text })) ?? notFound(cron_job_id);
    return c.json(body, 200);
  })
  .openapi(accountLogsRoute, async (c) => {
    const q = c.req.valid("query");
    const scope: LogScope = { kind: "account", accountId: c.get("accountId"), cronJobId: q.cron_job_id, tags: q.tags };
    const body = (await pageOf(c.get("db"), scope, q)) ?? notFound(q.cron_job_id ?? "");
    return c.json(body, 200);
  });
