/**
 * The write controls the job page, the jobs list and the test-alert button offer (src/dashboard/client/
 * write-controls.ts), checked against the API: a read-only key is offered none, each one it is not offered is a 403
 * for it, and "Send test alert" is disabled exactly where the API answers 409.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src/dashboard/client/types";
import {
  type JobControl,
  jobControls,
  jobsListControls,
  testAlertOffer,
} from "../../src/dashboard/client/write-controls";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { jobsApi } from "../helpers/jobs";

let acct: TestAccount;
let full: ReturnType<typeof jobsApi>;
let readOnly: ReturnType<typeof jobsApi>;
let readOnlyKeyId: string;

const jobBody = (channels: unknown[]) => ({
  name: "Write controls",
  endpoint_url: "https://api.example.com/x",
  method: "GET",
  timezone: "UTC",
  schedule_config: { repeat_type: "days", time: "09:00" },
  alerts: { channels },
});

beforeAll(async () => {
  acct = await createAccount("Write controls");
  full = jobsApi(acct);
  const key = await full.send("POST", "/keys", { name: "viewer", scope: "read_only" });
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  readOnlyKeyId = key.body.data.id;
  readOnly = jobsApi({
    ...acct,
    headers: { "X-API-Key": key.body.data.id, "X-API-Secret": key.body.data.api_secret },
  });
});

const STATES: Array<Pick<Job, "state" | "is_active">> = [
  { state: "active", is_active: true },
  { state: "paused", is_active: false },
  { state: "disabled", is_active: false },
  { state: "completed", is_active: false },
];

describe("the job page with a read-only key", () => {
  it("is recognised as read-only from GET /keys, as canWrite() asks", async () => {
    const res = await readOnly.send("GET", "/keys");
    expect(res.status).toBe(200);
    const mine = (res.body.data as Array<{ id: string; scope: string }>).find((k) => k.id === readOnlyKeyId);
    expect(mine?.scope).toBe("read_only");
  });

  it("offers no Run now, Pause, Resume, Edit, Clone, Delete or Re-enable in any state", () => {
    for (const job of STATES) expect(jobControls(job, false), job.state).toEqual([]);
  });

  it("would be refused each of those writes (403), so hiding them loses nothing", async () => {
    const id = (await full.create(jobBody([]))).body.data.id;
    const writes: Record<JobControl, () => ReturnType<typeof readOnly.send>> = {
      run: () => readOnly.send("POST", `/trigger/${id}`),
      pause: () => readOnly.update(id, { is_active: false }),
      resume: () => readOnly.update(id, { is_active: true }),
      reenable: () => readOnly.update(id, { is_active: true }),
      edit: () => readOnly.update(id, { name: "Renamed" }),
      clone: () => readOnly.send("POST", `/clone/${id}`),
      delete: () => readOnly.remove(id),
    };
    for (const [control, write] of Object.entries(writes)) expect((await write()).status, control).toBe(403);
    expect((await readOnly.create(jobBody([]))).status, "new job").toBe(403);
    expect((await readOnly.send("POST", `/alerts/${id}/test`)).status, "test alert").toBe(403);
    expect((await full.details(id)).body.data.name).toBe("Write controls");
  });
});

describe("the job page with a full key", () => {
  it("offers pause or resume in the user's own states and Re-enable only on a disabled job", () => {
    expect(jobControls(STATES[0] as Job, true)).toEqual(["run", "pause", "edit", "clone", "delete"]);
    expect(jobControls(STATES[1] as Job, true)).toEqual(["run", "resume", "edit", "clone", "delete"]);
    expect(jobControls(STATES[2] as Job, true)).toEqual(["run", "edit", "clone", "delete", "reenable"]);
    expect(jobControls(STATES[3] as Job, true)).toEqual(["run", "edit", "clone", "delete"]);
  });
});

describe("the jobs list", () => {
  it("offers New job to a full key only, and a read-only key's empty list does not point at it", () => {
    expect(jobsListControls(true)).toEqual({
      newJob: true,
      emptyText: "No cron jobs yet: create one with “New job”.",
    });
    const ro = jobsListControls(false);
    expect(ro.newJob).toBe(false);
    expect(ro.emptyText).not.toContain("New job");
  });
});

describe("Send test alert", () => {
  it("is disabled, saying why, on a job without channels: the API's 409", async () => {
    const bare = (await full.create(jobBody([]))).body.data as Job;
    const offer = testAlertOffer(bare, true);
    expect(offer).toMatchObject({ show: true, disabled: true });
    expect(offer.show && offer.disabled ? offer.title : "").toMatch(/no alert channels/);
    expect((await full.send("POST", `/alerts/${bare.id}/test`)).status).toBe(409);
  });

  it("is enabled on a job with a channel, where the API queues it (202)", async () => {
    const created = await full.create(jobBody([{ type: "email", to: "nobody-confirmed@example.com" }]));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const job = created.body.data as Job;
    expect(testAlertOffer(job, true)).toEqual({ show: true, disabled: false });
    expect((await full.send("POST", `/alerts/${job.id}/test`)).status).toBe(202);
  });

  it("is hidden from a read-only key, with or without channels", () => {
    expect(testAlertOffer({ alerts: { channels: [] } } as unknown as Job, false)).toEqual({ show: false });
    const withChannel = { alerts: { channels: [{ type: "email", to: "a@example.com" }] } } as unknown as Job;
    expect(testAlertOffer(withChannel, false)).toEqual({ show: false });
  });
});
