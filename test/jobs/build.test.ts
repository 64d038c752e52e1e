import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/http/env";
import { handleError } from "../../src/http/errors";
import { ProblemError } from "../../src/http/problem";
import { validationProblem } from "../../src/http/validation";
import { buildNewJob } from "../../src/jobs/build";
import { CreateJobSchema } from "../../src/jobs/schemas";
import { FieldErrors } from "../../src/lib/field-error";
import { quickStart } from "../helpers/jobs";

const ended = CreateJobSchema.parse({
  ...quickStart(),
  schedule_config: { repeat_type: "days", time: "09:00", end_type: "on", end_date: "2020-01-01" },
});

describe("buildNewJob refuses input as domain code", () => {
  it("throws FieldErrors naming the field, not an HTTP problem", () => {
    let thrown: unknown;
    try {
      buildNewJob("account", ended, Date.now());
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FieldErrors);
    expect(thrown).not.toBeInstanceOf(ProblemError);
    expect((thrown as FieldErrors).errors.map((e) => [e.field, e.in])).toEqual([["schedule_config.end_date", "body"]]);
  });

  it("the http layer answers FieldErrors with the 400 validation problem", async () => {
    const errors = [{ field: "schedule_config.run_at", in: "body" as const, message: "has passed" }];
    const app = new Hono<AppEnv>();
    app.get("/", () => {
      throw new FieldErrors(errors);
    });
    app.onError(handleError);
    const res = await app.request("/");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.text()).toBe(JSON.stringify(validationProblem(errors)));
  });
});
