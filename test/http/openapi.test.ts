/**
 * What client generators need from /openapi.json (Redocly's lint runs in CI with `npm run openapi:lint`; these
 * assert the properties the lint does not: typed nested objects, and request schemas without `default`).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api } from "../helpers/http";

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; $ref?: string };
type Operation = { operationId?: string; requestBody?: { content: Record<string, { schema: Schema }> } };

const doc = async () => (await api("/openapi.json")).body;
const METHODS = ["get", "post", "put", "patch", "delete"];

function operations(d: { paths: Record<string, Record<string, Operation>> }) {
  return Object.entries(d.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );
}

/** Every schema reachable from `root` through $ref, properties, items, anyOf/oneOf/allOf. */
function reachable(d: { components: { schemas: Record<string, Schema> } }, root: Schema): Schema[] {
  const seen = new Set<Schema>();
  const visit = (s: unknown) => {
    if (!s || typeof s !== "object" || seen.has(s as Schema)) return;
    const schema = s as Schema;
    seen.add(schema);
    if (typeof schema.$ref === "string") visit(d.components.schemas[schema.$ref.split("/").at(-1) ?? ""]);
    for (const key of ["properties", "items", "anyOf", "oneOf", "allOf", "additionalProperties"]) {
      const v = schema[key];
      if (Array.isArray(v)) v.forEach(visit);
      else if (key === "properties" && v) Object.values(v).forEach(visit);
      else visit(v);
    }
  };
  visit(root);
  return [...seen];
}

describe("GET /openapi.json", () => {
  it("names every operation with a unique operationId", async () => {
    const ops = operations(await doc());
    expect(ops.length).toBeGreaterThanOrEqual(11);
    expect(ops.filter(({ op }) => !op.operationId).map(({ name }) => name)).toEqual([]);
    const ids = ops.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("has servers (PUBLIC_ORIGIN) and a license", async () => {
    const d = await doc();
    expect(d.servers).toEqual([{ url: env.PUBLIC_ORIGIN, description: expect.any(String) }]);
    expect(d.info.license).toMatchObject({ name: expect.any(String) });
  });

  it("carries no `default` in request bodies, so generated types keep input fields optional", async () => {
    const d = await doc();
    const withDefault = operations(d).flatMap(({ name, op }) =>
      Object.values(op.requestBody?.content ?? {}).flatMap(({ schema }) =>
        reachable(d, schema)
          .filter((s) => "default" in s)
          .map(() => name),
      ),
    );
    expect(withDefault).toEqual([]);
  });

  it("types the job object's nested objects and enums", async () => {
    const { components } = await doc();
    const job = components.schemas.CronJob.properties;
    expect(job.schedule_config).toEqual({ $ref: "#/components/schemas/ScheduleConfig" });
    expect(job.retry_config).toEqual({ $ref: "#/components/schemas/RetryConfig" });
    expect(job.callbacks).toEqual({ $ref: "#/components/schemas/Callbacks" });
    expect(job.repeat_type.enum).toEqual(expect.arrayContaining(["hourly", "days", "weeks", "months", "years"]));
    expect(job.end_type.enum).toEqual(["never", "on", "after"]);
    expect(job.last_run_status.enum).toEqual(expect.arrayContaining(["success", "failure", "error", "timeout"]));
    expect(components.schemas.RetryConfig.required).toEqual(
      expect.arrayContaining(["max_retries", "retry_delay_seconds", "timeout_seconds", "backoff"]),
    );
    expect(components.schemas.Callbacks.required).toEqual(
      expect.arrayContaining(["success_url", "failure_url", "notify"]),
    );
    for (const name of ["ScheduleConfig", "RetryConfig", "Callbacks"]) {
      expect(components.schemas[name].properties, name).toBeDefined();
    }
  });

  it("lists the job object's read-only fields in the PATCH body, marked readOnly", async () => {
    const { components } = await doc();
    const update = components.schemas.UpdateCronJob;
    expect(update.additionalProperties).toBe(false);
    for (const field of ["id", "schedule", "next_run_at", "total_executions", "created_at"]) {
      expect(update.properties[field]?.readOnly, field).toBe(true);
    }
    expect(update.properties.name.readOnly).toBeUndefined();
  });
});
