/**
 * success_rules, the retry_config retry_on_* fields and timeouts up to 600 s through the jobs API: validation
 * (400 problems naming each bad field) and the job object round-tripping every field on create, details, list
 * and update.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";

let jobs: ReturnType<typeof jobsApi>;
beforeAll(async () => {
  jobs = jobsApi(await createAccount());
});

const fieldsOf = (problem: Record<string, unknown>) =>
  [...new Set((problem.errors as Array<{ field: string }>).map((e) => e.field))].sort();

describe("validation", () => {
  const invalid: Array<[string, Record<string, unknown>, string[]]> = [
    ["a code out of range", { success_rules: { status_codes: "200-299,600" } }, ["success_rules.status_codes"]],
    ["a descending range", { success_rules: { status_codes: "299-200" } }, ["success_rules.status_codes"]],
    ["not a code", { success_rules: { status_codes: "2xx" } }, ["success_rules.status_codes"]],
    ["an empty list", { success_rules: { status_codes: "" } }, ["success_rules.status_codes"]],
    ["an empty item", { success_rules: { status_codes: "200,,304" } }, ["success_rules.status_codes"]],
    ["a number instead of a list", { success_rules: { status_codes: 200 } }, ["success_rules.status_codes"]],
    ["an empty body_contains", { success_rules: { body_contains: "" } }, ["success_rules.body_contains"]],
    [
      "a body rule over 1 KB",
      { success_rules: { body_not_contains: "x".repeat(1025) } },
      ["success_rules.body_not_contains"],
    ],
    ["an unknown rule", { success_rules: { status: "200" } }, ["success_rules.status"]],
    [
      "a bad retry range",
      { retry_config: { retry_on_status_codes: "500-99" } },
      ["retry_config.retry_on_status_codes"],
    ],
    ["retry_on_timeout not a boolean", { retry_config: { retry_on_timeout: "no" } }, ["retry_config.retry_on_timeout"]],
    ["timeout 601 s", { retry_config: { timeout_seconds: 601 } }, ["retry_config.timeout_seconds"]],
  ];

  it.each(invalid)("create: %s → 400 naming the field", async (_name, patch, fields) => {
    const problem = expectProblem(await jobs.create({ ...quickStart(), ...patch }), 400);
    expect(fieldsOf(problem)).toEqual(fields);
  });

  it("update: a bad range → 400 naming the field, the job unchanged", async () => {
    const created = (await jobs.create(quickStart())).body.data;
    const problem = expectProblem(await jobs.update(created.id, { success_rules: { status_codes: "200-" } }), 400);
    expect(fieldsOf(problem)).toEqual(["success_rules.status_codes"]);
    expect((await jobs.details(created.id)).body.data).toEqual(created);
  });
});

describe("round trip", () => {
  it("defaults: 2xx is success, no body rule, every unsuccessful outcome retried", async () => {
    const job = (await jobs.create(quickStart())).body.data;
    expect(job.success_rules).toEqual({ status_codes: "200-299", body_contains: null, body_not_contains: null });
    expect(job.retry_config).toMatchObject({
      retry_on_status_codes: "100-599",
      retry_on_timeout: true,
      retry_on_error: true,
    });
  });

  it("create → details → list → update (merging field by field, null clears)", async () => {
    const rules = { status_codes: "200-299, 304", body_contains: '"ok":true', body_not_contains: "maintenance" };
    const retry = { retry_on_status_codes: "500-599,429", retry_on_timeout: false, retry_on_error: true };
    const created = await jobs.create({
      ...quickStart(),
      name: "Rules round trip",
      success_rules: rules,
      retry_config: { ...retry, timeout_seconds: 120 },
    });
    expect(created.status).toBe(201);
    const job = created.body.data;
    expect(job.success_rules).toEqual(rules);
    expect(job.retry_config).toMatchObject({ ...retry, timeout_seconds: 120 });
    expect(job.timeout_seconds).toBe(120);
    expect((await jobs.details(job.id)).body.data).toEqual(job);
    const listed = (await jobs.list("?search=Rules%20round%20trip")).body.data;
    expect(listed).toEqual([job]);

    const updated = (
      await jobs.update(job.id, { success_rules: { body_contains: null }, retry_config: { retry_on_error: false } })
    ).body.data;
    expect(updated.success_rules).toEqual({ ...rules, body_contains: null });
    expect(updated.retry_config).toMatchObject({ ...retry, retry_on_error: false, timeout_seconds: 120 });
    // A job read with GET and sent back whole changes nothing.
    const echoed = (await jobs.update(job.id, updated)).body.data;
    expect({ ...echoed, updated_at: updated.updated_at }).toEqual(updated);
  });

  it("timeouts up to 600 s are accepted (A1Base's examples use 60-300 s)", async () => {
    for (const timeout_seconds of [60, 120, 180, 300, 600]) {
      const res = await jobs.create({ ...quickStart(), retry_config: { timeout_seconds } });
      expect(res.status).toBe(201);
      expect(res.body.data.timeout_seconds).toBe(timeout_seconds);
    }
  });
});
