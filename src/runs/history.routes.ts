import { createRoute } from "@hono/zod-openapi";
import { jobNotFound } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { JobParamsSchema, problemResponses } from "../http/schemas";
import { formatInstant } from "../lib/dates";
import { findHistoryPage, type HistoryRow } from "./history";
import { encodeHistoryCursor, type RunEntry, RunsHistoryPageSchema, RunsHistoryQuerySchema } from "./history.schemas";

const historyRoute = createRoute({
  operationId: "listCronJobRuns",
  method: "get",
  path: "/v1/cron-jobs/{accountId}/runs/{cron_job_id}",
  summary: "Schedule history of a cron job",
  description:
    "Every run of the job newest first, from the run ledger (kept as long as logs): each attempt of each slot " +
    "with its state, and slots recorded together as one span (missed slots). Every slot of an active job appears " +
    "once, as a run (attempt 0) or inside a span. Page with `cursor` (`pagination.next_cursor`).",
  security: apiKeySecurity,
  request: { params: JobParamsSchema, query: RunsHistoryQuerySchema },
  responses: {
    200: {
      description: "A page of the job's runs",
      content: { "application/json": { schema: RunsHistoryPageSchema } },
    },
    ...problemResponses(),
  },
});

/** States whose attempt went out with its id (X-Edgecron-Execution-Id) before it had a log. */
const SENT_STATES: ReadonlySet<string> = new Set(["running", "awaiting"]);

function serialiseEntry(r: HistoryRow): RunEntry {
  const common = { attempt: r.attempt, state: r.state, reason: r.reason, origin: r.origin };
  if (r.lastSlot !== null) {
    return {
      kind: "span",
      first_slot: formatInstant(r.slot),
      last_slot: formatInstant(r.lastSlot),
      count: r.slotCount ?? 1,
      execution_id: null,
      ...common,
    };
  }
  return {
    kind: "run",
    slot: formatInstant(r.slot),
    planned_at: formatInstant(r.plannedAt),
    execution_id: r.logged || SENT_STATES.has(r.state) ? r.id : null,
    ...common,
  };
}

export const runsHistoryRoutes = createRouter().openapi(historyRoute, async (c) => {
  const { cron_job_id } = c.req.valid("param");
  const q = c.req.valid("query");
  const filters = { state: q.state, start: q.start_date, end: q.end_date };
  const page = await findHistoryPage(c.get("db"), c.get("accountId"), cron_job_id, filters, q.cursor, q.limit);
  if (!page) return jobNotFound(cron_job_id);
  const next_cursor = page.next ? encodeHistoryCursor(page.next) : null;
  return c.json({ data: page.rows.map(serialiseEntry), pagination: { limit: q.limit, next_cursor } }, 200);
});
