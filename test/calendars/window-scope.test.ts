import { beforeEach, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { createMonitor, monitorsApi } from "../monitors/support";
import { accountApi, createWindow, fieldsOf, type Json } from "./support";

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

const UNKNOWN = "11111111-1111-4111-8111-111111111111";
const once = { action: "skip", start: "2099-12-20T01:00:00Z", end: "2099-12-20T03:00:00Z" };

async function job(a: TestAccount): Promise<string> {
  const res = await jobsApi(a).create(quickStart());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.id;
}

const monitor = async (a: TestAccount) =>
  (await createMonitor(a, { name: "m", period_seconds: 3600, grace_seconds: 60 })).id as string;

const post = (body: Json) => accountApi(acct, "/maintenance-windows", { method: "POST", body });
const patch = (id: string, body: Json) => accountApi(acct, `/maintenance-windows/${id}`, { method: "PATCH", body });

/** The problem's errors as `field: message`, sorted. */
const named = (body: Json) =>
  (body.errors as Array<{ field: string; message: string }>).map((e) => `${e.field}: ${e.message}`).sort();

describe("a maintenance window's job_ids and monitor_ids", () => {
  it("must each be a live job or monitor of the account: 400 naming each bad entry", async () => {
    const mine = await job(acct);
    const other = await createAccount();
    const theirs = await job(other);
    const theirMonitor = await monitor(other);
    const deleted = await job(acct);
    expect((await jobsApi(acct).remove(deleted)).status).toBe(200);
    const gone = await monitor(acct);
    expect((await monitorsApi(acct, `/${gone}`, { method: "DELETE" })).status).toBe(200);

    const cases: Array<[Json, string[]]> = [
      [{ job_ids: [UNKNOWN] }, ["job_ids.0: is not a job of this account"]],
      [{ monitor_ids: [UNKNOWN] }, ["monitor_ids.0: is not a monitor of this account"]],
      // Another account's job reads exactly as one that does not exist.
      [{ job_ids: [mine, theirs] }, ["job_ids.1: is not a job of this account"]],
      [{ job_ids: [deleted] }, ["job_ids.0: is not a job of this account"]],
      [
        { job_ids: [UNKNOWN, mine, deleted], monitor_ids: [theirMonitor, gone, UNKNOWN], tags: ["db"] },
        [
          "job_ids.0: is not a job of this account",
          "job_ids.2: is not a job of this account",
          "monitor_ids.0: is not a monitor of this account",
          "monitor_ids.1: is not a monitor of this account",
          "monitor_ids.2: is not a monitor of this account",
        ],
      ],
    ];
    for (const [scope, errors] of cases) {
      const res = await post({ ...once, ...scope });
      const problem = expectProblem(res, 400);
      expect(named(problem), JSON.stringify(scope)).toEqual(errors);
      if (errors.length === 1) expect(problem.detail).toBe(`Invalid body parameter '${errors[0]?.replace(":", "':")}`);
    }
    expect((await accountApi(acct, "/maintenance-windows")).body.data).toEqual([]);
  });

  it("accepts the account's live jobs and monitors (201), a repeated id included", async () => {
    const [a, b, m] = [await job(acct), await job(acct), await monitor(acct)];
    const w = await createWindow(acct, { ...once, job_ids: [a, b, a], monitor_ids: [m] });
    expect(w).toMatchObject({ job_ids: [a, b, a], monitor_ids: [m] });
  });

  it("are checked on PATCH when sent: new entries must be live, ones the window already holds stay", async () => {
    const [a, b, m] = [await job(acct), await job(acct), await monitor(acct)];
    const w = await createWindow(acct, { ...once, job_ids: [a, b], monitor_ids: [m] });

    const bad = await patch(w.id, { job_ids: [a, UNKNOWN], monitor_ids: [m, UNKNOWN] });
    expect(named(expectProblem(bad, 400))).toEqual([
      "job_ids.1: is not a job of this account",
      "monitor_ids.1: is not a monitor of this account",
    ]);

    // A job deleted after the window names it: the window keeps it, and edits of other fields still pass.
    expect((await jobsApi(acct).remove(b)).status).toBe(200);
    const renamed = await patch(w.id, { name: "Upgrade", action: "mute" });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: "Upgrade", job_ids: [a, b], monitor_ids: [m] });
    // A form that sends the whole window back, the deleted job included, is accepted too.
    const resent = await patch(w.id, { name: "Again", job_ids: [a, b], monitor_ids: [m] });
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    // But a deleted job cannot be added to a window that did not hold it.
    const other = await createWindow(acct, { ...once, job_ids: [a] });
    const added = await patch(other.id, { job_ids: [a, b] });
    expect(fieldsOf(expectProblem(added, 400))).toEqual(["job_ids.1"]);
    const dropped = await patch(w.id, { job_ids: [a] });
    expect(dropped.body.data.job_ids).toEqual([a]);
  });
});
