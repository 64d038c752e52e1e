import { requestId } from "hono/request-id";
import { alertConfirmRoutes, alertsRoutes } from "./alerts/routes";
import { calendarsRoutes, maintenanceWindowsRoutes } from "./calendars/routes";
import { completionRoutes } from "./completion/routes";
import { config } from "./config";
import { dashboardRoutes } from "./dashboard/routes";
import { createControlDb } from "./db/client";
import { deliveriesRoutes } from "./deliveries/routes";
import { docsRoutes } from "./docs/routes";
import { accountShardSession } from "./http/account-shard";
import { handleError } from "./http/errors";
import { idempotentRequests } from "./http/idempotency";
import { bodySizeLimit, headerSizeLimit, uncompressedBodies } from "./http/limits";
import { loopbackHostWhilePrivateTargets } from "./http/loopback-host";
import { allowedMethods } from "./http/method-not-allowed";
import { problem, problemResponse } from "./http/problem";
import { rateLimits } from "./http/rate-limit";
import { createRouter } from "./http/router";
import { defaultSecurityHeaders } from "./http/security-headers";
import { wellFormedJsonBody } from "./http/well-formed-body";
import { jobsRoutes } from "./jobs/routes";
import { schedulePreviewRoutes } from "./jobs/schedule-preview.routes";
import { triggerRoutes } from "./jobs/trigger.routes";
import { requireApiKey } from "./keys/auth";
import { keysRoutes } from "./keys/routes";
import { logsExportRoutes } from "./logs/export.routes";
import { logsRoutes } from "./logs/routes";
import { statsRoutes } from "./logs/stats.routes";
import { metricsRoutes } from "./metrics/routes";
import { pingRoutes } from "./monitors/ping.routes";
import { monitorsRoutes } from "./monitors/routes";
import { deadLettersRoutes } from "./runs/dead-letters.routes";
import { runsHistoryRoutes } from "./runs/history.routes";
import { replayRoutes } from "./runs/replay.routes";
import { signingSecretRoutes } from "./signing/routes";

/**
 * The OpenAPI document's tags, in the order /docs lists them: every router is mounted under one (mount below), so
 * a new feature joins here (test/app.test.ts checks that every operation has exactly one of these).
 */
export const API_TAGS = {
  jobs: {
    name: "Cron jobs",
    description: "Create, read, update, pause, trigger and delete cron jobs; preview schedules.",
  },
  logs: { name: "Logs", description: "Execution logs per job or account, their search, export and stats." },
  runs: {
    name: "Runs",
    description: "Schedule history, dead letters, replay, and the completion URL of asynchronous runs.",
  },
  alerts: { name: "Alerts", description: "Alert policies, channels, e-mail recipients and their confirmation." },
  deliveries: { name: "Deliveries", description: "Every callback and alert delivery, and redelivery." },
  monitors: { name: "Monitors", description: "Heartbeat monitors and their pings (Healthchecks' ping grammar)." },
  calendars: {
    name: "Calendars",
    description: "Calendars of excluded instants and maintenance windows that skip or mute jobs and monitors.",
  },
  metrics: { name: "Metrics", description: "OpenMetrics / Prometheus scrape of the account's jobs." },
  keys: { name: "API keys", description: "The account's API keys and their scopes." },
  signing: { name: "Signing secret", description: "The secret that signs callbacks and requests to targets." },
} as const satisfies Record<string, { name: string; description: string }>;
export type ApiTag = keyof typeof API_TAGS;

/** Mounts `router` with every operation it declares tagged `tag` (route files declare no tags of their own). */
function mount(app: ReturnType<typeof createRouter>, router: ReturnType<typeof createRouter>, tag: ApiTag) {
  for (const def of router.openAPIRegistry.definitions) if (def.type === "route") def.route.tags = [API_TAGS[tag].name];
  app.route("/", router);
}

export function createApp() {
  const app = createRouter();

  app.use(requestId());
  app.use(defaultSecurityHeaders);
  app.use(loopbackHostWhilePrivateTargets);
  app.use(headerSizeLimit);
  app.use(uncompressedBodies, bodySizeLimit);
  // `service` lets the operator CLI tell an edgecron server from whatever else holds a port.
  app.get("/health", (c) => c.json({ status: "ok", service: "edgecron" }));
  app.route("/", dashboardRoutes);
  // Pings are unauthenticated by design (the URL is the credential): outside /v1 and its API-key middleware.
  mount(app, pingRoutes, "monitors");
  // Completion URLs too: their token is the credential (src/completion/routes.ts), so before the API-key middleware.
  mount(app, completionRoutes, "runs");

  // Keys and directory live in the control plane; the rest in the shard that accountShardSession opens.
  app.use("/v1/*", async (c, next) => {
    c.set("control", createControlDb(c.env.DB));
    await next();
  });
  app.use("/v1/cron-jobs/:accountId/*", requireApiKey);
  app.use("/v1/cron-jobs/:accountId/*", rateLimits);
  app.use("/v1/cron-jobs/:accountId/*", accountShardSession);
  app.use("/v1/cron-jobs/:accountId/*", wellFormedJsonBody);
  app.use("/v1/cron-jobs/:accountId/create", idempotentRequests);
  app.use("/v1/cron-jobs/:accountId/trigger/:cron_job_id", idempotentRequests);
  app.use("/v1/cron-jobs/:accountId/replay", idempotentRequests);
  app.use("/v1/cron-jobs/:accountId/replay/:execution_id", idempotentRequests);

  mount(app, jobsRoutes, "jobs");
  mount(app, logsExportRoutes, "logs"); // before logsRoutes: /logs/export is not /logs/{cron_job_id}
  mount(app, logsRoutes, "logs");
  mount(app, statsRoutes, "logs");
  mount(app, metricsRoutes, "metrics");
  mount(app, triggerRoutes, "jobs");
  mount(app, runsHistoryRoutes, "runs");
  mount(app, deadLettersRoutes, "runs");
  mount(app, replayRoutes, "runs");
  mount(app, keysRoutes, "keys");
  mount(app, signingSecretRoutes, "signing");
  mount(app, schedulePreviewRoutes, "jobs");
  mount(app, alertsRoutes, "alerts");
  mount(app, monitorsRoutes, "monitors");
  mount(app, calendarsRoutes, "calendars");
  mount(app, maintenanceWindowsRoutes, "calendars");
  mount(app, deliveriesRoutes, "deliveries");
  app.route("/", alertConfirmRoutes); // plain HTML pages for e-mail links: not in the OpenAPI document

  app.openAPIRegistry.registerComponent("securitySchemes", "ApiKey", {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "ApiSecret", {
    type: "apiKey",
    in: "header",
    name: "X-API-Secret",
  });
  // The metrics route also takes the key in Authorization (src/keys/auth.ts), as scrapers send it.
  app.openAPIRegistry.registerComponent("securitySchemes", "BearerKey", {
    type: "http",
    scheme: "bearer",
    description: "`<key>:<secret>` as the token (GET …/metrics only)",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "BasicKey", {
    type: "http",
    scheme: "basic",
    description: "User = API key, password = secret (GET …/metrics only)",
  });
  // servers: the configured public origin, so generated clients and /docs target this deployment whatever Host the
  // request named.
  app.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "edgecron",
      version: "1.0.0",
      description: "Hosted HTTP cron jobs on Cloudflare's edge, compatible with the A1Base A1Cron API.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: config(c.env ?? {}).PUBLIC_ORIGIN, description: "This deployment" }],
    tags: Object.values(API_TAGS),
  }));
  // The reference inlines this request's OpenAPI document, so the sandboxed page needs no network.
  app.route(
    "/",
    docsRoutes(async (c) => {
      const res = await app.fetch(new Request(new URL("/openapi.json", c.req.url)), c.env, c.executionCtx);
      if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`); // a 500 problem, not an empty reference
      return res.text();
    }),
  );

  app.notFound((c) => {
    const allow = allowedMethods(app.routes, c.req.path);
    if (allow.length > 0 && !allow.includes(c.req.method)) {
      return problemResponse(c, problem(405, `Method ${c.req.method} is not allowed on ${c.req.path}`), {
        Allow: allow.join(", "),
      });
    }
    return problemResponse(c, problem(404, `No route for ${c.req.method} ${c.req.path}`));
  });

  app.onError(handleError);

  return app;
}
