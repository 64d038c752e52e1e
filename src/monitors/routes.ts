import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { config } from "../config";
import type { MonitorRow } from "../db/schema";
import { countLimitReached } from "../http/account-limits";
import type { AppEnv } from "../http/env";
import { fail } from "../http/problem";
import { apiKeySecurity, createRouter } from "../http/router";
import { AccountParamSchema, json, NoQuerySchema, problemResponses } from "../http/schemas";
import { validationHookWith } from "../http/validation";
import { targetErrors } from "../jobs/targets";
import { formatInstant } from "../lib/dates";
import { MasterKeyMissingError } from "../lib/secrets/keyring";
import { encodeCursor } from "../logs/cursor";
import {
  type Changed,
  changeMonitor,
  createMonitor,
  deleteMonitor,
  type MonitorDeps,
  pauseMonitor,
  resumeMonitor,
} from "./manage";
import { readPingKey, rotatePingKey } from "./ping-key";
import { MASKED_PING_KEY, presentMonitor, presentPing, presentRecentPing } from "./present";
import { findMonitor, listMonitors, listPings, recentPings } from "./repository";
import {
  CreateMonitorSchema,
  DeletedMonitorSchema,
  ListMonitorsQuerySchema,
  ListPingsQuerySchema,
  MonitorEnvelopeSchema,
  MonitorListSchema,
  MonitorParamsSchema,
  PingKeySchema,
  PingListSchema,
  UpdateMonitorSchema,
} from "./schemas";

const tags = ["Monitors"];
const base = "/v1/cron-jobs/{accountId}/monitors";
const body = <T>(schema: T) => ({ body: { required: true, content: { "application/json": { schema } } } });

const deps = (c: Context<AppEnv>): MonitorDeps => ({
  db: c.get("db"),
  control: c.get("control"),
  ring: config(c.env).secrets,
  now: Date.now(),
});

/**
 * The ping key a response may show: the account's to full-scope keys, the mask to read-only ones, and the mask when
 * no master key can open it (reads keep working; creating and rotating answer 503).
 */
async function shownPingKey(c: Context<AppEnv>): Promise<string> {
  if (c.get("apiKeyScope") !== "full") return MASKED_PING_KEY;
  try {
    return (await readPingKey(c.get("control"), config(c.env).secrets, c.get("accountId"))) ?? MASKED_PING_KEY;
  } catch (err) {
    if (err instanceof MasterKeyMissingError) return MASKED_PING_KEY;
    throw err;
  }
}

async function present(c: Context<AppEnv>, rows: MonitorRow[]) {
  const key = await shownPingKey(c);
  const origin = config(c.env).PUBLIC_ORIGIN;
  const now = Date.now();
  return rows.map((r) => presentMonitor(r, now, origin, key));
}

const notFound = (id: string): never => fail(404, `Monitor ${id} not found`);

/** A change's refusal as a problem: a taken slug or MAX_MONITORS is a 409, a missing monitor a 404. */
function changed(result: Changed, id: string, maxMonitors: number): MonitorRow {
  if (result.ok) return result.row;
  if (result.reason === "slug")
    fail(409, "Another monitor of this account has this slug; send another `slug`", { title: "Slug taken" });
  if (result.reason === "limit")
    countLimitReached(
      `This account already has ${maxMonitors} monitors (MAX_MONITORS), the most allowed. Delete one first.`,
    );
  return notFound(id);
}

const createMonitorRoute = createRoute({
  operationId: "createMonitor",
  method: "post",
  path: base,
  tags,
  summary: "Create a heartbeat monitor",
  description:
    'A monitor expects pings (README "Monitors"): `period_seconds` apart, or at each match of `cron` in `timezone`. It is `new` until its first ping, `late` past the expected time, and `down` (alerting) once `grace_seconds` more have passed.',
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: NoQuerySchema, ...body(CreateMonitorSchema) },
  responses: {
    201: json(MonitorEnvelopeSchema, "The created monitor"),
    ...problemResponses([409, "The slug is taken, or the account has MAX_MONITORS monitors"]),
  },
});

const listMonitorsRoute = createRoute({
  operationId: "listMonitors",
  method: "get",
  path: base,
  tags,
  summary: "List monitors, newest first",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: ListMonitorsQuerySchema },
  responses: { 200: json(MonitorListSchema, "A page of monitors"), ...problemResponses() },
});

const getMonitorRoute = createRoute({
  operationId: "getMonitor",
  method: "get",
  path: `${base}/{monitor_id}`,
  tags,
  summary: "Get a monitor",
  security: apiKeySecurity,
  request: { params: MonitorParamsSchema, query: NoQuerySchema },
  responses: { 200: json(MonitorEnvelopeSchema, "The monitor"), ...problemResponses() },
});

const updateMonitorRoute = createRoute({
  operationId: "updateMonitor",
  method: "patch",
  path: `${base}/{monitor_id}`,
  tags,
  summary: "Update a monitor",
  security: apiKeySecurity,
  request: { params: MonitorParamsSchema, query: NoQuerySchema, ...body(UpdateMonitorSchema) },
  responses: {
    200: json(MonitorEnvelopeSchema, "The updated monitor"),
    ...problemResponses([409, "The slug is taken"]),
  },
});

const deleteMonitorRoute = createRoute({
  operationId: "deleteMonitor",
  method: "delete",
  path: `${base}/{monitor_id}`,
  tags,
  summary: "Delete a monitor",
  description: "Its ping URLs answer 404 at once; its pings are removed by the retention sweep.",
  security: apiKeySecurity,
  request: { params: MonitorParamsSchema, query: NoQuerySchema },
  responses: { 200: json(DeletedMonitorSchema, "The deleted monitor's id"), ...problemResponses() },
});

const pauseMonitorRoute = createRoute({
  operationId: "pauseMonitor",
  method: "post",
  path: `${base}/{monitor_id}/pause`,
  tags,
  summary: "Pause a monitor: no deadline, no alert, until resumed",
  description: "Pings are still recorded while paused; only POST …/resume ends the pause.",
  security: apiKeySecurity,
  request: { params: MonitorParamsSchema, query: NoQuerySchema },
  responses: { 200: json(MonitorEnvelopeSchema, "The paused monitor"), ...problemResponses() },
});

const resumeMonitorRoute = createRoute({
  operationId: "resumeMonitor",
  method: "post",
  path: `${base}/{monitor_id}/resume`,
  tags,
  summary: "Resume a paused monitor",
  description:
    "It becomes `new` and waits for its next ping, as a new monitor does. Resuming one not paused changes nothing.",
  security: apiKeySecurity,
  request: { params: MonitorParamsSchema, query: NoQuerySchema },
  responses: { 200: json(MonitorEnvelopeSchema, "The monitor"), ...problemResponses() },
});

const listPingsRoute = createRoute({
  operationId: "listMonitorPings",
  method: "get",
  path: `${base}/{monitor_id}/pings`,
  tags,
  summary: "List a monitor's pings, newest first",
  description: "Pings are kept as long as logs (RETENTION_DAYS).",
  security: apiKeySecurity,
  request: { params: MonitorParamsSchema, query: ListPingsQuerySchema },
  responses: { 200: json(PingListSchema, "A page of pings"), ...problemResponses() },
});

const rotatePingKeyRoute = createRoute({
  operationId: "rotatePingKey",
  method: "post",
  path: "/v1/cron-jobs/{accountId}/ping-key/rotate",
  tags,
  summary: "Replace the account's ping key",
  description:
    "Every `/ping/{ping_key}/{slug}` URL changes; `/ping/{monitor_id}` URLs do not. The old key stops working within DIRECTORY_CACHE_SECONDS.",
  security: apiKeySecurity,
  request: { params: AccountParamSchema, query: NoQuerySchema },
  responses: { 200: json(PingKeySchema, "The new key"), ...problemResponses() },
});

/** A page's next cursor: the last row's position, when one more row than asked for came back. */
function page<T>(rows: T[], limit: number, position: (row: T) => { executedAt: number; id: string }) {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { shown, pagination: { limit, next_cursor: more && last ? encodeCursor(position(last)) : null } };
}

/** The alert channels' URLs judged as a job's are (jobs/targets.ts), with the schema's errors when it fails too. */
const channelTargets = (body: unknown, c: Context) =>
  targetErrors({ alerts: at(body, "alerts") }, config(c.env).ALLOW_PRIVATE_TARGETS);
const channelChecks = validationHookWith(channelTargets);
const at = (v: unknown, key: string): unknown =>
  v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;

export const monitorsRoutes = createRouter()
  .openapi(
    createMonitorRoute,
    async (c) => {
      const max = config(c.env).MAX_MONITORS;
      const input = c.req.valid("json");
      const targets = channelTargets(input, c);
      const row = changed(await createMonitor(deps(c), c.get("accountId"), input, max, targets), "", max);
      const [data] = await present(c, [row]);
      return c.json({ data: data as NonNullable<typeof data> }, 201);
    },
    channelChecks,
  )
  .openapi(listMonitorsRoute, async (c) => {
    const q = c.req.valid("query");
    const rows = await listMonitors(c.get("db"), {
      accountId: c.get("accountId"),
      limit: q.limit,
      cursor: q.cursor,
      state: q.state,
      tags: q.tags,
      now: Date.now(),
    });
    const { shown, pagination } = page(rows, q.limit, (r) => ({ executedAt: r.createdAt, id: r.id }));
    const data = await present(c, shown);
    if (q.pings === 0) return c.json({ data, pagination }, 200);
    const pings = await recentPings(
      c.get("db"),
      shown.map((r) => r.num ?? 0),
      q.pings,
    );
    const withPings = data.map((m, i) => ({
      ...m,
      recent_pings: (pings.get(shown[i]?.num ?? 0) ?? []).map(presentRecentPing),
    }));
    return c.json({ data: withPings, pagination }, 200);
  })
  .openapi(getMonitorRoute, async (c) => {
    const { monitor_id } = c.req.valid("param");
    const row = (await findMonitor(c.get("db"), c.get("accountId"), monitor_id)) ?? notFound(monitor_id);
    const [data] = await present(c, [row]);
    return c.json({ data: data as NonNullable<typeof data> }, 200);
  })
  .openapi(
    updateMonitorRoute,
    async (c) => {
      const { monitor_id } = c.req.valid("param");
      const input = c.req.valid("json");
      const result = await changeMonitor(deps(c), c.get("accountId"), monitor_id, input, channelTargets(input, c));
      const [data] = await present(c, [changed(result, monitor_id, config(c.env).MAX_MONITORS)]);
      return c.json({ data: data as NonNullable<typeof data> }, 200);
    },
    channelChecks,
  )
  .openapi(deleteMonitorRoute, async (c) => {
    const { monitor_id } = c.req.valid("param");
    if (!(await deleteMonitor(deps(c), c.get("accountId"), monitor_id))) notFound(monitor_id);
    return c.json({ data: { id: monitor_id, message: "Monitor deleted" } }, 200);
  })
  .openapi(pauseMonitorRoute, async (c) => {
    const { monitor_id } = c.req.valid("param");
    const row = (await pauseMonitor(deps(c), c.get("accountId"), monitor_id)) ?? notFound(monitor_id);
    const [data] = await present(c, [row]);
    return c.json({ data: data as NonNullable<typeof data> }, 200);
  })
  .openapi(resumeMonitorRoute, async (c) => {
    const { monitor_id } = c.req.valid("param");
    const row = (await resumeMonitor(deps(c), c.get("accountId"), monitor_id)) ?? notFound(monitor_id);
    const [data] = await present(c, [row]);
    return c.json({ data: data as NonNullable<typeof data> }, 200);
  })
  .openapi(listPingsRoute, async (c) => {
    const { monitor_id } = c.req.valid("param");
    const q = c.req.valid("query");
    const rows =
      (await listPings(c.get("db"), c.get("accountId"), monitor_id, q.limit, q.cursor)) ?? notFound(monitor_id);
    const { shown, pagination } = page(rows, q.limit, (r) => ({ executedAt: r.at, id: String(r.id) }));
    return c.json({ data: shown.map(presentPing), pagination }, 200);
  })
  .openapi(rotatePingKeyRoute, async (c) => {
    const now = Date.now();
    const key = await rotatePingKey(c.get("control"), config(c.env).secrets, c.get("accountId"), now);
    return c.json({ data: { ping_key: key, rotated_at: formatInstant(now) } }, 200);
  });
