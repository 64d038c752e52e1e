import { beforeAll, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";

type Operation = { requestBody?: { required?: boolean; content: Record<string, unknown> } };

/** Every write operation of the OpenAPI document, with whether its body is required. */
async function writeOperations() {
  const doc = (await api("/openapi.json")).body as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => !["get", "head", "options", "parameters"].includes(m))
      .map(([m, op]) => ({ method: m.toUpperCase(), path, required: op.requestBody?.required === true })),
  );
}

const emptyJson = (headers: Record<string, string>, method: string, contentLength = true) => ({
  method,
  headers: { ...headers, "Content-Type": "application/json", ...(contentLength ? { "Content-Length": "0" } : {}) },
  body: "",
});

describe("an empty body is no body, whatever its Content-Type", () => {
  let acct: TestAccount;
  let jobId: string;
  beforeAll(async () => {
    acct = await createAccount("Empty bodies");
    const created = await jobsApi(acct).create(quickStart());
    expect(created.status).toBe(201);
    jobId = created.body.data.id;
  });

  it("clones a job given Content-Type: application/json and no body, as with no header or {}", async () => {
    for (const contentLength of [true, false]) {
      const res = await api(
        `/v1/cron-jobs/${acct.accountId}/clone/${jobId}`,
        emptyJson(acct.headers, "POST", contentLength),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.data).toMatchObject({ name: "Daily Report Generator (copy)", is_active: false });
    }
  });

  it("rotates the signing secret given Content-Type: application/json and no body", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/signing-secret/rotate`, emptyJson(acct.headers, "POST"));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it("refuses no operation with an optional body over an empty JSON body", async () => {
    const ops = (await writeOperations()).filter((o) => !o.required);
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining([
        "POST /v1/cron-jobs/{accountId}/clone/{cron_job_id}",
        "POST /v1/cron-jobs/{accountId}/trigger/{cron_job_id}",
        "POST /v1/cron-jobs/{accountId}/signing-secret/rotate",
      ]),
    );
    const ids: Record<string, string> = { accountId: acct.accountId, cron_job_id: jobId };
    for (const op of ops) {
      // Unknown ids are 404s after the body is read, so a body refusal still shows.
      const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? crypto.randomUUID());
      const res = await api(path, emptyJson(acct.headers, op.method));
      const where = `${op.method} ${op.path} → ${res.status} ${JSON.stringify(res.body)}`;
      expect(res.status, where).not.toBe(415);
      if (res.status !== 400) continue;
      expect(res.body.detail, where).not.toMatch(/malformed|json|body/i);
      expect(
        res.body.errors?.some((e: { in: string }) => e.in === "body"),
        where,
      ).toBeFalsy();
    }
  });

  it("names the body when an operation requiring one gets an empty body, with or without Content-Type", async () => {
    const ops = (await writeOperations()).filter((o) => o.required && o.path.includes("{accountId}"));
    expect(ops.length).toBeGreaterThan(5);
    const ids: Record<string, string> = { accountId: acct.accountId, cron_job_id: jobId };
    for (const op of ops) {
      const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? crypto.randomUUID());
      for (const init of [emptyJson(acct.headers, op.method), { method: op.method, headers: acct.headers }]) {
        const res = await api(path, init);
        const where = `${op.method} ${op.path} → ${res.status} ${JSON.stringify(res.body)}`;
        if (res.status === 404) continue; // an unknown id the route checks before its body
        expectProblem(res, 400, "The request body is empty: this operation requires a JSON body");
        expect(res.body.errors, where).toEqual([
          { field: "(body)", in: "body", message: "is required: the request had an empty body" },
        ]);
      }
    }
  });
});
