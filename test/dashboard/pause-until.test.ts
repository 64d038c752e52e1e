/**
 * The job page's pause picker (src/dashboard/client/pause-until.ts): a date and time in the dashboard's zone
 * becomes the instant the API takes, and the API pauses the job until it.
 */
import { describe, expect, it } from "vitest";
import { instantToLocal, localToInstant, pauseBody } from "../../src/dashboard/client/pause-until";
import { createAccount } from "../helpers/accounts";
import { jobsApi } from "../helpers/jobs";

describe("localToInstant", () => {
  it("reads a datetime-local value in UTC as that instant", () => {
    expect(localToInstant("2099-12-24T09:30", "utc")).toBe("2099-12-24T09:30:00Z");
    expect(localToInstant("2099-12-24T09:30:15", "utc")).toBe("2099-12-24T09:30:15Z");
  });

  it("reads it in the browser's zone (the Worker's zone here is UTC)", () => {
    const expected = new Date(2099, 11, 24, 9, 30).toISOString().replace(".000Z", "Z");
    expect(localToInstant("2099-12-24T09:30", "local")).toBe(expected);
  });

  it("refuses what is not a date and a time, and a day the calendar lacks", () => {
    for (const bad of ["", "2099-12-24", "24/12/2099 09:30", "2099-02-30T09:00", "2099-12-24T25:00"]) {
      expect(localToInstant(bad, "utc"), bad).toBeNull();
    }
  });

  it("turns an instant back into a picker value (its min)", () => {
    expect(instantToLocal(Date.parse("2099-12-24T09:30:45Z"), "utc")).toBe("2099-12-24T09:30");
  });
});

describe("pauseBody", () => {
  it("pauses until the instant, with the reason; empty fields are left out", () => {
    expect(pauseBody("2099-12-24T00:00", " Holidays ", "utc")).toEqual({
      body: { is_active: false, paused_until: "2099-12-24T00:00:00Z", pause_reason: "Holidays" },
    });
    expect(pauseBody("", "", "utc")).toEqual({ body: { is_active: false } });
  });

  it("names paused_until when the value cannot be read", () => {
    expect(pauseBody("soon", "", "utc")).toEqual({
      errors: [{ field: "paused_until", message: "enter a date and a time" }],
    });
  });

  it("is a body the API takes: the job is paused until that instant, with its reason", async () => {
    const jobs = jobsApi(await createAccount("Pause picker"));
    const created = await jobs.create({
      name: "Pause picker",
      endpoint_url: "https://api.example.com/run",
      method: "GET",
      timezone: "UTC",
      schedule_config: { repeat_type: "days", time: "09:00" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const request = pauseBody("2099-12-24T00:00", "Holidays", "utc");
    if ("errors" in request) throw new Error(JSON.stringify(request.errors));
    const res = await jobs.update(created.body.data.id, request.body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({
      state: "paused",
      paused_until: "2099-12-24T00:00:00Z",
      pause_reason: "Holidays",
    });
    // A time already past is the API's to refuse, under the picker's field.
    const past = pauseBody("2000-01-01T00:00", "", "utc");
    if ("errors" in past) throw new Error(JSON.stringify(past.errors));
    const refused = await jobs.update(created.body.data.id, past.body);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(["paused_until"]);
  });
});
