/** POST …/alerts/{id}/test: a `test` alert to every channel of a job, delivered and listed like any alert. */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";
import { jobsApi } from "../helpers/jobs";

const port = inject("targetPort");
let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;

beforeAll(async () => {
  acct = await createAccount("Test alerts");
  jobs = jobsApi(acct);
});

const job = (channels: unknown[]) => ({
  name: "Alerted",
  endpoint_url: "https://api.example.com/x",
  method: "GET",
  timezone: "UTC",
  schedule_config: { repeat_type: "days", time: "09:00" },
  alerts: { channels },
});

async function deliveries(id: string) {
  return (await jobs.send("GET", `/alerts/${id}`)).body.data as Array<Record<string, unknown>>;
}

describe("a test alert", () => {
  it("queues one delivery per channel, listed with event test, and the webhook is delivered", async () => {
    const created = await jobs.create(
      job([
        { type: "webhook", url: `http://127.0.0.1:${port}/ok?token=abc12345` },
        { type: "email", to: "nobody-confirmed@example.com" },
      ]),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.data.id;
    const res = await jobs.send("POST", `/alerts/${id}/test`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.data.delivery_ids).toHaveLength(2);
    let rows = await deliveries(id);
    for (let i = 0; i < 100 && rows.some((r) => r.status === "pending"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = await deliveries(id);
    }
    expect(rows.map((r) => [r.event, r.channel, r.status]).sort()).toEqual([
      ["test", "email", "unconfirmed"],
      ["test", "webhook", "delivered"],
    ]);
    // The job's runs and alert state are untouched.
    const after = (await jobs.details(id)).body.data;
    expect(after).toMatchObject({ consecutive_failures: 0, total_executions: 0, state: "active" });
  });

  it("is a 409 for a job without channels, a 404 for an unknown job, a 403 for a read-only key", async () => {
    const bare = (await jobs.create(job([]))).body.data;
    expectProblem(await jobs.send("POST", `/alerts/${bare.id}/test`), 409, /no alert channels/);
    expectProblem(await jobs.send("POST", `/alerts/${crypto.randomUUID()}/test`), 404);
    const key = await api(`/v1/cron-jobs/${acct.accountId}/keys`, {
      method: "POST",
      headers: { ...acct.headers, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "ro", scope: "read_only" }),
    });
    const ro = { "X-API-Key": key.body.data.id, "X-API-Secret": key.body.data.api_secret };
    const refused = await api(`/v1/cron-jobs/${acct.accountId}/alerts/${bare.id}/test`, {
      method: "POST",
      headers: ro,
    });
    expect(refused.status).toBe(403);
  });
});
