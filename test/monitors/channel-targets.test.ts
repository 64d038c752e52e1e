import { beforeAll, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";

/** A monitor's alert channel URLs are judged as a job's are, and named in the same 400 as the schema's errors. */

let acct: TestAccount;
beforeAll(async () => {
  acct = await createAccount("Monitor channel targets");
});

const send = (method: string, path: string, body: unknown) =>
  api(`/v1/cron-jobs/${acct.accountId}/monitors${path}`, {
    method,
    headers: { ...acct.headers, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
const fields = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field).sort();
const channels = [
  { type: "webhook", url: "https://hooks.example.com/ok" },
  { type: "webhook", url: "http://169.254.169.254/latest/meta-data/" },
  { type: "slack", url: "http://10.0.0.1/" },
];

describe("monitor alert channels", () => {
  it("a private or metadata URL is refused on create, each channel named, nothing stored", async () => {
    const res = await send("POST", "", { name: "Backups", period_seconds: 3600, alerts: { channels } });
    const body = expectProblem(res, 400);
    expect(fields(body)).toEqual(["alerts.channels.1.url", "alerts.channels.2.url"]);
    const list = await api(`/v1/cron-jobs/${acct.accountId}/monitors`, { headers: acct.headers });
    expect(list.body.data).toEqual([]);
  });

  it("is named with the schema's errors in one 400, on create and update", async () => {
    const bad = { period_seconds: 1, colour: "blue", alerts: { channels } };
    const created = await send("POST", "", { name: "Nightly", ...bad });
    expect(fields(expectProblem(created, 400))).toEqual(
      ["alerts.channels.1.url", "alerts.channels.2.url", "colour", "period_seconds"].sort(),
    );
    const ok = await send("POST", "", { name: "Nightly", period_seconds: 3600 });
    expect(ok.status).toBe(201);
    const updated = await send("PATCH", `/${ok.body.data.id}`, bad);
    expect(fields(expectProblem(updated, 400))).toEqual(
      ["alerts.channels.1.url", "alerts.channels.2.url", "colour", "period_seconds"].sort(),
    );
    const onlyTargets = await send("PATCH", `/${ok.body.data.id}`, { alerts: { channels } });
    expect(fields(expectProblem(onlyTargets, 400))).toEqual(["alerts.channels.1.url", "alerts.channels.2.url"]);
  });
});
