import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { config } from "../config";
import { createControlDb, createDb } from "../db/client";
import type { PingMethod } from "../db/schema";
import { engineDeps } from "../engine/deps";
import { sendFollowUps } from "../engine/follow-ups";
import type { AppEnv } from "../http/env";
import { fail } from "../http/problem";
import { spendBudgets } from "../http/rate-limit";
import { createRouter } from "../http/router";
import { ProblemSchema } from "../http/schemas";
import { refuseAtTheDoor } from "../http/validation";
import { shardBinding } from "../shards/bindings";
import { MOVING_RETRY_SECONDS } from "../shards/move";
import { keptBody, type PingTarget, parsePingPath, recordPing } from "./ping";
import { addMonitorRoute, PING_KEY, removeMonitorRoute, resolvePingRoute } from "./ping-key";
import { SLUG, SlugSchema } from "./schemas";

/** The RateLimit-Policy name of the ping budget. */
export const PING_RATE_LIMIT_POLICY = "per-ping-key";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Pings answer any origin, as Healthchecks' do (`Access-Control-Allow-Origin: *`): they carry no credential a page
 * could steal, and a browser job may ping too. Errors included, so a script can read them.
 */
const cors = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  c.res.headers.set("Access-Control-Allow-Origin", "*");
});

/** One 404 for a bad key, a bad slug or a deleted monitor: the answer never says which. */
const notFound = (): never => fail(404, "No monitor at this ping URL");

function targetIsWellFormed(t: PingTarget): boolean {
  return "slug" in t ? PING_KEY.test(t.key) && SLUG.test(t.slug) : UUID.test(t.monitorId);
}

/**
 * `GET|POST|HEAD /ping/{ping_key}/{slug}[/start|/fail|/log|/{0-255}]` and `/ping/{monitor_uuid}[/…]`
 * (README "Monitors"). Unauthenticated by design: the URL is the credential, each key has its own rate budget, and
 * a ping reaches only the monitor its key or UUID names.
 */
async function ping(c: Context<AppEnv>) {
  const env = c.env;
  const cfg = config(env);
  const at = Date.now();
  const parsed = parsePingPath(c.req.path.slice("/ping/".length).split("/"));
  if (!parsed.ok) {
    if (parsed.reason === "exit-status")
      refuseAtTheDoor([{ field: "exit_status", in: "path", message: "must be an integer from 0 to 255" }]);
    return notFound();
  }
  const rid = c.req.query("rid") ?? null;
  if (rid !== null && !UUID.test(rid)) refuseAtTheDoor([{ field: "rid", in: "query", message: "must be a UUID" }]);
  if (!targetIsWellFormed(parsed.target)) return notFound();

  const route = await resolvePingRoute(createControlDb(env.DB), parsed.target, {
    now: at,
    ttlMs: cfg.DIRECTORY_CACHE_SECONDS * 1000,
  });
  if (!route) return notFound();
  if (route.state === "moving") {
    c.header("Retry-After", String(MOVING_RETRY_SECONDS));
    fail(503, "This account is being moved between databases; retry shortly");
  }
  const policy = await spendBudgets(c, [
    {
      policy: PING_RATE_LIMIT_POLICY,
      binding: (env as { RATE_LIMITER_PING?: RateLimit }).RATE_LIMITER_PING,
      key: `ping:${route.accountId}`,
      quota: cfg.RATE_LIMIT_PING_REQUESTS,
      period: cfg.RATE_LIMIT_PING_PERIOD_SECONDS,
      detail: `this ping key may send ${cfg.RATE_LIMIT_PING_REQUESTS} pings per ${cfg.RATE_LIMIT_PING_PERIOD_SECONDS} seconds (RATE_LIMIT_PING_REQUESTS)`,
    },
  ]);
  if (policy) c.header("RateLimit-Policy", policy);

  const body = c.req.method === "POST" ? keptBody(new Uint8Array(await c.req.arrayBuffer())) : null;
  const db = createDb(shardBinding(env, route.shard));
  const control = createControlDb(env.DB);
  const { outcome, entries } = await recordPing(
    db,
    {
      accountId: route.accountId,
      target: parsed.target,
      signal: parsed.signal,
      rid: rid?.toLowerCase() ?? null,
      method: c.req.method as PingMethod,
      body,
      at,
      create: c.req.query("create") === "1",
    },
    {
      maxMonitors: cfg.MAX_MONITORS,
      addRoute: (id, accountId) => addMonitorRoute(control, id, accountId),
      removeRoute: (id) => removeMonitorRoute(control, id),
      nonce: () => crypto.randomUUID().slice(0, 8),
    },
  );
  // Alerts the ping fired go now; the relay re-sends any this send leaves (src/engine/relay.ts).
  if (entries.length > 0) await sendFollowUps(engineDeps(env, db), [], entries);
  switch (outcome) {
    case "ok":
      return c.text("OK", 200);
    case "created":
      return c.text("Created", 201);
    case "limit":
      // A count limit answered 429 for pings (README "Monitors"): waiting does not help, so no Retry-After.
      return fail(
        429,
        `This account already has ${cfg.MAX_MONITORS} monitors (MAX_MONITORS): ?create=1 cannot add another`,
      );
    case "moving":
      c.header("Retry-After", String(MOVING_RETRY_SECONDS));
      return fail(503, "This account is being moved between databases; retry shortly");
    default:
      return notFound();
  }
}

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});
const text = (description: string, example: string) => ({
  description,
  content: { "text/plain": { schema: z.string().openapi({ example }) } },
});
const PingParams = {
  ping_key: z.string().openapi({
    description: "The account's ping key, shown in every monitor's ping_url to full-scope API keys",
    example: "Xh3kq9Tb2Lm5Vn8Rc1Wd0A",
  }),
  slug: SlugSchema,
  monitor_id: z
    .string()
    .openapi({ format: "uuid", description: "The monitor's id", example: "0b2f6a0e-3d4c-4b5a-9e8f-7a6b5c4d3e2f" }),
  signal: z.string().openapi({
    description: "start, fail, log (recorded only), or an exit status 0–255 (0 is a success, else a failure)",
    example: "start",
  }),
};
// Lenient (z.object, not strict): cron scripts append their own parameters, and a ping must never fail over one.
const PingQuerySchema = z.object({
  rid: z.string().optional().openapi({
    format: "uuid",
    description: "A run id pairing a start with its end (the end gets duration_ms)",
  }),
  create: z.enum(["1"]).optional().openapi({
    description: "Slug URLs: create an unknown slug with the defaults (201), up to MAX_MONITORS (then 429)",
  }),
});

/** The pings in the OpenAPI document: four URL shapes, each by GET (HEAD alike) and by POST with a body. */
function documentPings(router: ReturnType<typeof createRouter>) {
  const shapes = [
    { path: "/ping/{ping_key}/{slug}", id: "pingMonitor", params: ["ping_key", "slug"], what: "a success, by slug" },
    {
      path: "/ping/{ping_key}/{slug}/{signal}",
      id: "signalMonitor",
      params: ["ping_key", "slug", "signal"],
      what: "a start, fail, log or exit status, by slug",
    },
    { path: "/ping/{monitor_id}", id: "pingMonitorById", params: ["monitor_id"], what: "a success, by UUID" },
    {
      path: "/ping/{monitor_id}/{signal}",
      id: "signalMonitorById",
      params: ["monitor_id", "signal"],
      what: "a start, fail, log or exit status, by UUID",
    },
  ] as const;
  for (const shape of shapes) {
    const params = z.object(Object.fromEntries(shape.params.map((p) => [p, PingParams[p]])));
    const common = {
      path: shape.path,
      // No API key: the URL is the credential (Healthchecks' ping API), as for completion URLs.
      security: [],
      description:
        'Healthchecks\' pinging grammar, unauthenticated (README "Monitors"): `HEAD` is accepted too. Any origin may call it.',
      request: { params, query: PingQuerySchema },
      responses: {
        200: text("Recorded", "OK"),
        201: text("`?create=1` created the monitor and recorded the ping", "Created"),
        400: problem("`exit_status` over 255, or a `rid` that is not a UUID"),
        404: problem("No monitor at this ping URL (a wrong key, an unknown slug or id: one answer)"),
        413: problem("Body over 64 KiB"),
        429: problem("The ping key's rate limit (see Retry-After), or MAX_MONITORS for `?create=1`"),
        503: problem("The account is being moved; retry after Retry-After"),
      },
    };
    router.openAPIRegistry.registerPath({
      ...common,
      method: "get",
      operationId: shape.id,
      summary: `Ping: ${shape.what}`,
    });
    router.openAPIRegistry.registerPath({
      ...common,
      method: "post",
      operationId: `${shape.id}WithBody`,
      summary: `Ping: ${shape.what}, with a body (its first 10 KB kept)`,
      request: { ...common.request, body: { required: false, content: { "text/plain": { schema: z.string() } } } },
    });
  }
}

/**
 * Mounted outside /v1's authentication (src/app.ts). HEAD is served by the GET route (Hono answers it bodiless). The
 * URL shapes are spelt out so a wrong method gets 405 with Allow; any other shape gets the pings' one 404.
 */
export const pingRoutes = createRouter();
pingRoutes.use("/ping/*", cors);
for (const path of ["/ping/:a", "/ping/:a/:b", "/ping/:a/:b/:c"]) {
  pingRoutes.on(["GET", "POST"], path, ping);
  pingRoutes.options(path, (c) =>
    c.body(null, 204, {
      "Access-Control-Allow-Methods": "GET, POST, HEAD",
      "Access-Control-Allow-Headers": "Content-Type",
      "Access-Control-Max-Age": "86400",
    }),
  );
}
pingRoutes.on(["GET", "POST"], "/ping/*", ping);
documentPings(pingRoutes);
