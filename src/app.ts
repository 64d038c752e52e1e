import { Scalar } from "@scalar/hono-api-reference";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { createDb } from "./db/client";
import { requireApiKey } from "./http/auth";
import { allowedMethods } from "./http/method-not-allowed";
import { ProblemError, problem, problemResponse } from "./http/problem";
import { createRouter } from "./http/router";
import { jobsRoutes } from "./routes/jobs";
import { logsRoutes } from "./routes/logs";
import { triggerRoutes } from "./routes/trigger";

export function createApp() {
  const app = createRouter();

  app.use(requestId());
  app.get("/health", (c) => c.json({ status: "ok" }));

  app.use("/v1/*", async (c, next) => {
    c.set("db", createDb(c.env.DB));
    await next();
  });
  app.use("/v1/cron-jobs/:accountId/*", requireApiKey);

  app.route("/", jobsRoutes);
  app.route("/", logsRoutes);
  app.route("/", triggerRoutes);

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
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "edgecron",
      version: "1.0.0",
      description: "Hosted HTTP cron jobs on Cloudflare's edge, compatible with the A1Base A1Cron API.",
    },
  });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: "edgecron API" }));

  app.notFound((c) => {
    const allow = allowedMethods(app.routes, c.req.path);
    if (allow.length > 0 && !allow.includes(c.req.method)) {
      return problemResponse(c, problem(405, `Method ${c.req.method} is not allowed on ${c.req.path}`), {
        Allow: allow.join(", "),
      });
    }
    return problemResponse(c, problem(404, `No route for ${c.req.method} ${c.req.path}`));
  });

  app.onError((err, c) => {
    if (err instanceof ProblemError) return problemResponse(c, err.problem, err.headers);
    if (err instanceof HTTPException && err.status < 500) {
      // e.g. malformed JSON from the body validator.
      return problemResponse(c, problem(err.status, err.message || "Bad request"));
    }
    console.error(
      JSON.stringify({
        event: "unhandled_error",
        requestId: c.get("requestId"),
        path: c.req.path,
        error: String(err),
        stack: err instanceof Error ? err.stack : undefined,
      }),
    );
    return problemResponse(
      c,
      problem(500, "An unexpected error occurred. It has been logged.", { instance: c.get("requestId") }),
    );
  });

  return app;
}
