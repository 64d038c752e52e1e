/**
 * The Monitors page's form without the DOM (src/dashboard/client/monitor-form-state.ts, with the channel rows the job
 * form uses): API monitor → form state → request body, sent to the API as the page sends it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ChannelField } from "../../src/dashboard/client/channel-fields";
import { monitorRequest, monitorToForm } from "../../src/dashboard/client/monitor-form-state";
import type { Monitor } from "../../src/dashboard/client/types";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { createMonitor, getMonitor, monitorsApi, storedMonitor } from "../monitors/support";

const SLACK = "https://hooks.slack.com/services/T0/B0/secretpart";
const HOOK = "https://hooks.example.com/monitor-alerts";

let acct: TestAccount;
beforeAll(async () => {
  acct = await createAccount("Monitor form");
});

/** The page's submit: the form's request, or the errors it shows without sending. */
async function save(m: Monitor | null, edit: (s: ReturnType<typeof monitorToForm>) => void = () => {}) {
  const state = monitorToForm(m);
  edit(state);
  const request = monitorRequest(state);
  if ("errors" in request) return { errors: request.errors };
  const res = await monitorsApi(acct, m ? `/${m.id}` : "", { method: m ? "PATCH" : "POST", body: request.body });
  expect(res.status, JSON.stringify(res.body)).toBe(m ? 200 : 201);
  return { monitor: res.body.data as Monitor };
}

describe("the monitor form's alert channels", () => {
  it("a new monitor sends its channels and on_recovery; the API stores them", async () => {
    const { monitor } = await save(null, (s) => {
      s.name = "Nightly backup";
      s.period_seconds = "3600";
      s.grace_seconds = "600";
      s.channels.push({ type: "slack", target: SLACK }, { type: "webhook", target: HOOK });
      s.on_recovery = false;
    });
    const m = await getMonitor(acct, monitor?.id ?? "");
    expect(m).toMatchObject({ name: "Nightly backup", period_seconds: 3600, grace_seconds: 600 });
    expect(m.alerts.on_recovery).toBe(false);
    expect(m.alerts.channels.map((c: { type: string }) => c.type)).toEqual(["slack", "webhook"]);
    // Bearer URLs come back redacted: the form shows them as stored secrets.
    expect(monitorToForm(m as Monitor).channels.map((c) => c.token !== undefined)).toEqual([true, true]);
  });

  it("an edit that changes nothing keeps every stored channel URL; Remove drops one, Add appends one", async () => {
    const created = await createMonitor(acct, {
      name: "Kept",
      alerts: {
        channels: [
          { type: "slack", url: SLACK },
          { type: "webhook", url: HOOK },
        ],
      },
    });
    const before = await storedMonitor(acct, created.id);
    const same = (await save(created as Monitor)).monitor;
    expect(same?.alerts).toEqual(created.alerts);
    const after = await storedMonitor(acct, created.id);
    // The same tokens (a short HMAC of each value): the stored URLs are unchanged, resealed with fresh IVs.
    expect(after.alertPolicy).toBe(before.alertPolicy);
    expect(Object.keys(JSON.parse(after.secrets ?? "{}"))).toEqual(Object.keys(JSON.parse(before.secrets ?? "{}")));

    const edited = await save(same ?? null, (s) => {
      (s.channels[0] as Extract<ChannelField, { token: string }>).choice = { removed: true };
      s.channels.push({ type: "email", target: "ops@example.com" });
    });
    expect(edited.monitor?.alerts.channels).toEqual([
      created.alerts.channels[1],
      { type: "email", to: "ops@example.com" },
    ]);
  });

  it("an empty channel row is marked before anything is sent, by the index the API would name", async () => {
    const m = await createMonitor(acct, { name: "Empty row" });
    const res = await save(m as Monitor, (s) => {
      s.channels.push({ type: "webhook", target: HOOK }, { type: "slack", target: "  " });
    });
    expect(res.errors).toEqual([{ field: "alerts.channels.1", message: expect.stringMatching(/enter the channel/) }]);
    expect((await getMonitor(acct, m.id)).alerts.channels).toEqual([]);
  });

  it("a channel the API refuses comes back as a problem naming alerts.channels.<i>", async () => {
    const m = await createMonitor(acct, { name: "Refused" });
    const request = monitorRequest({ ...monitorToForm(m as Monitor), channels: [{ type: "webhook", target: "nope" }] });
    if ("errors" in request) throw new Error("the form should send it");
    const res = await monitorsApi(acct, `/${m.id}`, { method: "PATCH", body: request.body });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain("alerts.channels.0.url");
    expect(request.channelRows).toEqual([0]);
  });
});
