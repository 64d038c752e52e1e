import { beforeAll, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { callWith } from "../http/app-env";

/** One 400 names every bad field: the schema's findings and the checks made after it (targets, headers) together. */

let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;
beforeAll(async () => {
  acct = await createAccount("Every bad field");
  jobs = jobsApi(acct);
});

const fields = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field).sort();

// Schema failures (zone, cron, unknown field) beside post-schema ones (metadata, private and link-local targets).
const manyBad = {
  timezone: "Mars/Olympus_Mons",
  schedule_config: { cron: "61 * * * *" },
  colour: "blue",
  endpoint_url: "http://169.254.169.254/",
  callbacks: { success_url: "http://10.0.0.1/ok" },
  alerts: { channels: [{ type: "webhook", url: "http://[fe80::1]/" }] },
};

/** The fields manyBad gets wrong: the schema's, then each refused target. */
const manyBadFields = [
  "timezone",
  "schedule_config.cron",
  "colour",
  "endpoint_url",
  "callbacks.success_url",
  "alerts.channels.0.url",
];

describe("a 400 names every bad field at once", () => {
  it("on create: the schema's fields and each refused target", async () => {
    const res = await jobs.create({ ...quickStart(), ...manyBad, headers: { "X-A": "1", "x-a": "2" } });
    const body = expectProblem(res, 400);
    expect(fields(body)).toEqual([...manyBadFields, "headers.X-A", "headers.x-a"].sort());
    const errors = body.errors as Array<{ field: string; message: string }>;
    expect(errors.find((e) => e.field === "endpoint_url")?.message).toMatch(
      /^is not allowed: 169\.254\.169\.254 is a cloud metadata address/,
    );
  });

  it("on update: the schema's fields and each refused target sent", async () => {
    const created = await jobs.create(quickStart());
    expect(created.status).toBe(201);
    const res = await jobs.update(created.body.data.id, manyBad);
    expect(fields(expectProblem(res, 400))).toEqual([...manyBadFields].sort());
  });

  it("a field the schema refuses is named once, by the schema", async () => {
    const res = await jobs.create({
      ...quickStart(),
      timezone: "Nowhere/Else",
      endpoint_url: "ftp://169.254.169.254/",
    });
    const body = expectProblem(res, 400);
    expect(fields(body)).toEqual(["endpoint_url", "timezone"]);
  });

  it("on clone: a bad override and the source's refused target", async () => {
    const created = await jobs.create({ ...quickStart(), endpoint_url: "http://127.0.0.1:8787/hook" });
    expect(created.status).toBe(201);
    // The source's loopback endpoint is refused once private targets are (wrangler.toml's production value).
    const res = await callWith(
      { ALLOW_PRIVATE_TARGETS: "false" } as Partial<Env>,
      `/v1/cron-jobs/${acct.accountId}/clone/${created.body.data.id}`,
      {
        method: "POST",
        headers: { ...acct.headers, "Content-Type": "application/json" },
        body: JSON.stringify({ is_active: "yes", colour: "blue" }),
      },
    );
    expect(fields(expectProblem(res, 400))).toEqual(["colour", "endpoint_url", "is_active"]);
  });
});
