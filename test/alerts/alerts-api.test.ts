/**
 * Alerts through the API (README "Alerts"): the job object round-trips `alerts`, bad input is a 400 naming each
 * field, a disabled job is re-enabled with is_active true (its streak reset), deliveries are listed per job, and
 * e-mail recipients go through double opt-in.
 */

import { SELF } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { startDoubleOptIn } from "../../src/alerts/confirm";
import type { OutgoingEmail } from "../../src/alerts/mailer";
import { CONFIRMATION_RESEND_MS, isConfirmed } from "../../src/alerts/recipients";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { db, insertJob } from "../helpers/fixtures";
import { api, BASE, expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { accountDb, shardD1 } from "../helpers/shards";
import { callWith } from "../http/app-env";

let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;
beforeEach(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});

const LIMITS = { maxRecipients: 50, maxEmailsPerHour: 10 };

const fields = (problem: Record<string, unknown>) =>
  (problem.errors as Array<{ field: string }>).map((e) => e.field).sort();

/** Webhook, Slack and Discord URLs are bearer credentials: responses show their scheme and host and a token. */
const shown = (channels: Array<{ type: string; url?: string }>) =>
  channels.map((c) => ({
    type: c.type,
    url: expect.stringMatching(
      new RegExp(`^${new URL(c.url ?? "").origin.replace(/\./g, "\\.")}/…\\[redacted:[0-9a-f]{8}\\]$`),
    ),
  }));

/** The schedule-health fields (src/alerts/schedule-health.ts) when not sent: all off. */
const HEALTH_OFF = { on_missed: false, on_skipped: false, late_after_seconds: null, on_dead_lettered: false };

describe("the job object's alerts", () => {
  it("defaults when not sent, round-trips what is sent, and an update merges field by field", async () => {
    const plain = await jobs.create(quickStart());
    expect(plain.status).toBe(201);
    expect(plain.body.data.alerts).toEqual({
      channels: [],
      after_consecutive_failures: 1,
      remind_every_minutes: null,
      on_recovery: true,
      slow_run: null,
      auto_disable_after: null,
      ...HEALTH_OFF,
      slo: null,
    });
    const alerts = {
      channels: [
        { type: "webhook", url: "https://hooks.example.com/edgecron" },
        { type: "slack", url: "https://hooks.slack.com/services/T0/B0/x" },
        { type: "discord", url: "https://discord.com/api/webhooks/1/abc" },
        { type: "email", to: "Ops@Example.com" },
      ],
      after_consecutive_failures: 3,
      remind_every_minutes: 60,
      on_recovery: false,
      slow_run: { threshold_ms: 2000, measure: "p95" },
      auto_disable_after: 10,
    };
    const created = await jobs.create({ ...quickStart(), alerts });
    expect(created.status).toBe(201);
    const expected = {
      ...alerts,
      channels: [...shown(alerts.channels.slice(0, 3)), { type: "email", to: "ops@example.com" }],
      slow_run: { threshold_ms: 2000, measure: "p95", window: 20 },
      ...HEALTH_OFF,
      slo: null,
    };
    expect(created.body.data.alerts).toEqual(expected);
    const id = created.body.data.id;
    expect((await jobs.details(id)).body.data.alerts).toEqual(expected);
    const listed = await jobs.list();
    expect(listed.body.data.find((j: { id: string }) => j.id === id).alerts).toEqual(expected);

    const updated = await jobs.update(id, { alerts: { remind_every_minutes: null, slow_run: null } });
    expect(updated.status).toBe(200);
    expect(updated.body.data.alerts).toEqual({ ...expected, remind_every_minutes: null, slow_run: null });
    // The whole job object sent back (A1Base's client does) changes nothing.
    const echoed = await jobs.update(id, updated.body.data);
    expect(echoed.status).toBe(200);
    expect(echoed.body.data.alerts).toEqual(updated.body.data.alerts);
  });

  it("an update of a stored job sets, returns and merges alerts (GET and list agree)", async () => {
    const { id } = await insertJob(acct.accountId);
    expect((await jobs.details(id)).body.data.alerts.channels).toEqual([]);
    const alerts = {
      channels: [{ type: "slack", url: "https://hooks.slack.com/services/T/B/x" }],
      auto_disable_after: 5,
    };
    const set = await jobs.update(id, { alerts });
    expect(set.status).toBe(200);
    const expected = {
      channels: shown(alerts.channels),
      after_consecutive_failures: 1,
      remind_every_minutes: null,
      on_recovery: true,
      slow_run: null,
      auto_disable_after: 5,
      ...HEALTH_OFF,
      slo: null,
    };
    expect(set.body.data.alerts).toEqual(expected);
    expect((await jobs.details(id)).body.data.alerts).toEqual(expected);
    const listed = await jobs.list();
    expect(listed.body.data.find((j: { id: string }) => j.id === id).alerts).toEqual(expected);
    const merged = await jobs.update(id, { alerts: { slow_run: { threshold_ms: 900 } } });
    expect(merged.body.data.alerts).toEqual({
      ...expected,
      slow_run: { threshold_ms: 900, measure: "run", window: 20 },
    });
  });

  it("bad alerts are a 400 naming each bad field", async () => {
    const res = await jobs.create({
      ...quickStart(),
      alerts: {
        channels: [
          { type: "webhook", url: "ftp://nope" },
          { type: "email", to: "not an address" },
          { type: "pager", url: "https://x.example" },
        ],
        after_consecutive_failures: 0,
        remind_every_minutes: 1,
        slow_run: { threshold_ms: -5, measure: "p50" },
        auto_disable_after: 1.5,
        extra: true,
      },
    });
    const problem = expectProblem(res, 400);
    expect(fields(problem)).toEqual([
      "alerts.after_consecutive_failures",
      "alerts.auto_disable_after",
      "alerts.channels.0.url",
      "alerts.channels.1.to",
      "alerts.channels.2.type",
      "alerts.extra",
      "alerts.remind_every_minutes",
      "alerts.slow_run.measure",
      "alerts.slow_run.threshold_ms",
    ]);
    const reminder = await jobs.create({
      ...quickStart(),
      alerts: { after_consecutive_failures: null, remind_every_minutes: 30 },
    });
    expect(fields(expectProblem(reminder, 400))).toEqual(["alerts.remind_every_minutes"]);
  });

  it("remind_every_minutes is 5 to 10080: 4 and 10081 are a 400 naming it, 5 and 10080 are kept", async () => {
    for (const minutes of [4, 10_081]) {
      const res = await jobs.create({ ...quickStart(), alerts: { remind_every_minutes: minutes } });
      const problem = expectProblem(res, 400);
      expect(problem.errors).toEqual([
        expect.objectContaining({
          field: "alerts.remind_every_minutes",
          message: expect.stringMatching(minutes === 4 ? />=\s*5/ : /<=\s*10080/),
        }),
      ]);
    }
    for (const minutes of [5, 10_080]) {
      const res = await jobs.create({ ...quickStart(), alerts: { remind_every_minutes: minutes } });
      expect(res.status).toBe(201);
      expect(res.body.data.alerts.remind_every_minutes).toBe(minutes);
    }
    const tooMany = await jobs.create({
      ...quickStart(),
      alerts: { channels: Array.from({ length: 6 }, (_, i) => ({ type: "webhook", url: `https://h.example/${i}` })) },
    });
    expect(fields(expectProblem(tooMany, 400))).toEqual(["alerts.channels"]);
  });
});

describe("disabled jobs", () => {
  it('are distinct from paused; {"is_active": true} re-enables and resets consecutive_failures', async () => {
    const job = await insertJob(acct.accountId, { alertPolicy: JSON.stringify({ auto_disable_after: 3 }) });
    const id = job.id;
    // What the recording batch leaves when auto_disable_after is reached (test/alerts/alerts-engine.test.ts).
    await shardD1()
      .prepare(
        "UPDATE cron_jobs SET state = 'disabled', is_active = 0, next_run_at = NULL, consecutive_failures = 3, alert_streak_alerted_at = 1, alert_last_at = 1 WHERE id = ?",
      )
      .bind(id)
      .run();
    const disabled = await jobs.details(id);
    expect(disabled.body.data).toMatchObject({
      state: "disabled",
      is_active: false,
      next_run_at: null,
      consecutive_failures: 3,
    });
    // Echoing the object (is_active false) leaves it disabled; is_active true re-enables it.
    expect((await jobs.update(id, { is_active: false })).body.data.state).toBe("disabled");
    const enabled = await jobs.update(id, { is_active: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body.data).toMatchObject({ state: "active", is_active: true, consecutive_failures: 0 });
    expect(enabled.body.data.next_run_at).not.toBeNull();
    const { results } = await shardD1()
      .prepare("SELECT alert_streak_alerted_at AS a, alert_last_at AS l FROM cron_jobs WHERE id = ?")
      .bind(id)
      .all();
    expect(results).toEqual([{ a: null, l: null }]);
  });
});

describe("GET /alerts/{cron_job_id}", () => {
  it("lists a job's alert deliveries newest first, paginated; 404 for a job of another account", async () => {
    const { id } = await insertJob(acct.accountId);
    const insert = shardD1().prepare(
      "INSERT INTO deliveries (id, account_id, source, source_id, execution_id, kind, event, channel, target, payload, state, attempts, last_error, fired_at, delivered_at) VALUES (?, ?, 'job', ?, ?, 'alert', ?, ?, ?, '{}', ?, ?, ?, ?, ?)",
    );
    const T = Date.UTC(2026, 5, 1, 12, 0, 0);
    await shardD1().batch([
      insert.bind(
        `exe_a:alert:failure:0`,
        acct.accountId,
        id,
        "exe_a",
        "failure",
        "slack",
        "https://hooks.slack.com/x",
        "delivered",
        1,
        null,
        T,
        T + 50_000,
      ),
      insert.bind(
        `exe_b:alert:reminder:0`,
        acct.accountId,
        id,
        "exe_b",
        "reminder",
        "email",
        "ops@example.com",
        "unconfirmed",
        1,
        "recipient has not confirmed (double opt-in)",
        T + 1000,
        null,
      ),
      insert.bind(
        `exe_c:alert:recovery:0`,
        acct.accountId,
        id,
        "exe_c",
        "recovery",
        "webhook",
        "https://h.example/",
        "pending",
        2,
        "HTTP 500",
        T + 2000,
        null,
      ),
    ]);
    const first = await jobs.send("GET", `/alerts/${id}?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.pagination).toEqual({ page: 1, limit: 2, total_items: 3, total_pages: 2 });
    expect(first.body.data.map((d: { event: string }) => d.event)).toEqual(["recovery", "reminder"]);
    expect(first.body.data[0]).toEqual({
      id: "exe_c:alert:recovery:0",
      cron_job_id: id,
      execution_id: "exe_c",
      event: "recovery",
      channel: "webhook",
      target: "https://h.example/",
      status: "pending",
      attempts: 2,
      last_error: "HTTP 500",
      fired_at: "2026-06-01T12:00:02Z",
      delivered_at: null,
    });
    const second = await jobs.send("GET", `/alerts/${id}?limit=2&page=2`);
    expect(second.body.data).toEqual([
      expect.objectContaining({ event: "failure", status: "delivered", delivered_at: "2026-06-01T12:00:50Z" }),
    ]);
    const other = jobsApi(await createAccount("Other"));
    expectProblem(await other.send("GET", `/alerts/${id}`), 404);
    expectProblem(await jobs.send("GET", `/alerts/${id}?limit=0`), 400);
  });
});

describe("e-mail double opt-in", () => {
  it("registers a pending recipient (the confirmation goes through the EMAIL binding) and lists it", async () => {
    const res = await jobs.send("POST", "/alert-recipients", { email: "Team@Example.com" });
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ email: "team@example.com", status: "pending", confirmed_at: null });
    const list = await jobs.send("GET", "/alert-recipients");
    expect(list.body.data).toEqual([expect.objectContaining({ email: "team@example.com", status: "pending" })]);
    expect(fields(expectProblem(await jobs.send("POST", "/alert-recipients", { email: "nope" }), 400))).toEqual([
      "email",
    ]);
    expect((await jobs.send("DELETE", "/alert-recipients/team@example.com")).status).toBe(200);
    expect((await jobs.send("GET", "/alert-recipients")).body.data).toEqual([]);
  });

  it("the e-mailed one-time link confirms through the public page (GET shows a form, its POST confirms)", async () => {
    const sent: OutgoingEmail[] = [];
    const mailer = { send: async (m: OutgoingEmail) => sent.push(m) };
    const now = Date.now();
    const outcome = await startDoubleOptIn(
      db(),
      mailer,
      "alerts@edgecron.example",
      BASE,
      acct.accountId,
      "a@example.com",
      now,
      LIMITS,
    );
    expect(outcome.kind).toBe("send");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: "a@example.com", subject: "[edgecron] Confirm alert e-mails to this address" });
    const link = /https?:\/\/\S+\/confirm\?token=\S+/.exec(sent[0]?.text ?? "")?.[0] ?? "";
    expect(link.startsWith(`${BASE}/alerts/${acct.accountId}/confirm?token=`)).toBe(true);
    // A second request within 10 minutes sends nothing more.
    expect(
      (await startDoubleOptIn(db(), mailer, "x", BASE, acct.accountId, "a@example.com", now + 1000, LIMITS)).kind,
    ).toBe("throttled");
    expect(sent).toHaveLength(1);

    const page = await SELF.fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(page.headers.get("content-security-policy")).toContain("form-action 'self'");
    expect(await isConfirmed(await accountDb(acct.accountId), acct.accountId, "a@example.com")).toBe(false); // a GET (a mail scanner) confirms nothing

    const token = new URL(link).searchParams.get("token") ?? "";
    const confirm = () =>
      SELF.fetch(`${BASE}/alerts/${acct.accountId}/confirm`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }).toString(),
      });
    const ok = await confirm();
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("a@example.com will now receive");
    expect(await isConfirmed(await accountDb(acct.accountId), acct.accountId, "a@example.com")).toBe(true);
    expectProblem(await api(...confirmRequest(acct.accountId, token)), 409); // one-time
    const again = await jobs.send("POST", "/alert-recipients", { email: "a@example.com" });
    expect(again.status).toBe(200);
    expect(again.body.data.status).toBe("confirmed");
    // Another account's link cannot confirm this account's address.
    expect(
      (
        await SELF.fetch(`${BASE}/alerts/${crypto.randomUUID()}/confirm?token=${token}`, {
          method: "POST",
        })
      ).status,
    ).toBe(404);
  });
});

/** The confirm page's POST, as its form sends it; `accept` says who asks (a browser sends text/html first). */
function confirmRequest(accountId: string, token: string, accept = "application/json") {
  return [
    `/alerts/${accountId}/confirm`,
    {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
      body: new URLSearchParams({ token }).toString(),
    },
  ] as const;
}

const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

describe("the confirmation link used again", () => {
  async function linkFor(email: string) {
    const sent: OutgoingEmail[] = [];
    const mailer = { send: async (m: OutgoingEmail) => sent.push(m) };
    await startDoubleOptIn(db(), mailer, "alerts@edgecron.example", BASE, acct.accountId, email, Date.now(), LIMITS);
    const link = /https?:\/\/\S+\/confirm\?token=\S+/.exec(sent[0]?.text ?? "")?.[0] ?? "";
    return new URL(link).searchParams.get("token") ?? "";
  }

  it("a browser gets a page saying the address is already confirmed (409); an API client the problem", async () => {
    const token = await linkFor("twice@example.com");
    const first = await api(...confirmRequest(acct.accountId, token, BROWSER));
    expect(first.status).toBe(200);
    expect(first.body).toContain("twice@example.com will now receive");

    const again = await api(...confirmRequest(acct.accountId, token, BROWSER));
    expect(again.status).toBe(409);
    expect(again.headers.get("content-type")).toMatch(/^text\/html/);
    expect(again.body).toContain("<h1>Already confirmed</h1>");
    expect(again.body).toContain("twice@example.com is already confirmed");
    expect(await isConfirmed(await accountDb(acct.accountId), acct.accountId, "twice@example.com")).toBe(true);

    const problem = expectProblem(await api(...confirmRequest(acct.accountId, token)), 409);
    expect(problem.detail).toBe("twice@example.com is already confirmed: this link was used. Nothing changed.");
  });

  it("a wrong or replaced link: a page saying it is not valid (404) for a browser, the problem otherwise", async () => {
    const token = await linkFor("wrong@example.com");
    for (const [accountId, bad] of [
      [acct.accountId, `${token}x`],
      [crypto.randomUUID(), token], // another account's path
    ] as const) {
      const page = await api(...confirmRequest(accountId, bad, BROWSER));
      expect(page.status).toBe(404);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.body).toContain("<h1>Link not valid</h1>");
      expectProblem(await api(...confirmRequest(accountId, bad)), 404, /^This link is not valid/);
    }
    expect(await isConfirmed(await accountDb(acct.accountId), acct.accountId, "wrong@example.com")).toBe(false);
  });

  it("every confirm page has the dashboard's security headers, its style allowed by a fresh nonce", async () => {
    const dashboard = await SELF.fetch(`${BASE}/dashboard`);
    await dashboard.text();
    const token = await linkFor("headers@example.com");
    // The form (GET), then confirmed, already confirmed, not valid (POST).
    const pages = [
      await SELF.fetch(`${BASE}/alerts/${acct.accountId}/confirm?token=${token}`, { headers: { Accept: BROWSER } }),
    ];
    for (const t of [token, token, "wrong"]) {
      const [path, init] = confirmRequest(acct.accountId, t, BROWSER);
      pages.push(await SELF.fetch(`${BASE}${path}`, init));
    }
    expect(pages.map((p) => p.status)).toEqual([200, 200, 409, 404]);
    const nonces = new Set<string>();
    for (const res of pages) {
      const html = await res.text();
      for (const name of ["cache-control", "referrer-policy", "x-content-type-options", "x-frame-options"]) {
        expect(res.headers.get(name), name).toBe(dashboard.headers.get(name));
      }
      const csp = new Map(
        (res.headers.get("content-security-policy") ?? "").split(";").map((d) => {
          const [name = "", ...values] = d.trim().split(/\s+/);
          return [name, values] as const;
        }),
      );
      const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(csp.get("style-src")?.[0] ?? "")?.[1] ?? "";
      expect(html).toContain(`<style nonce="${nonce}">`);
      expect(html).not.toMatch(/<script|\sstyle=/);
      nonces.add(nonce);
      expect(Object.fromEntries(csp)).toEqual({
        "default-src": ["'none'"],
        "style-src": [`'nonce-${nonce}'`],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
      });
    }
    expect(nonces.size).toBe(pages.length);
  });
});

describe("e-mail double opt-in failures", () => {
  it("a confirmation e-mail that fails to send can be requested again at once", async () => {
    const failing = { send: async () => Promise.reject(new Error("E_RATE_LIMIT_EXCEEDED")) };
    const now = Date.now();
    await expect(
      startDoubleOptIn(db(), failing, "f", BASE, acct.accountId, "b@example.com", now, LIMITS),
    ).rejects.toThrow();
    const sent: OutgoingEmail[] = [];
    const ok = await startDoubleOptIn(
      db(),
      { send: async (m) => sent.push(m) },
      "f",
      BASE,
      acct.accountId,
      "b@example.com",
      now + 1,
      LIMITS,
    );
    expect(ok.kind).toBe("send");
    expect(sent).toHaveLength(1);
  });
});

describe("confirmation e-mail limits", () => {
  /** The API with a recording EMAIL binding and, optionally, smaller limits. */
  function recipientsApi(vars: Partial<Env> = {}) {
    const sent: OutgoingEmail[] = [];
    const EMAIL = { send: async (m: OutgoingEmail) => sent.push(m) } as unknown as SendEmail;
    const call = (method: string, path: string, body?: unknown) =>
      callWith({ EMAIL, ...vars }, `/v1/cron-jobs/${acct.accountId}/alert-recipients${path}`, {
        method,
        headers: { ...acct.headers, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    return {
      sent,
      add: (email: string) => call("POST", "", { email }),
      remove: (email: string) => call("DELETE", `/${email}`),
    };
  }

  it("deleting and re-adding an address does not reset its 10-minute resend interval", async () => {
    const r = recipientsApi();
    expect((await r.add("victim@example.com")).status).toBe(202);
    for (let i = 0; i < 5; i++) {
      expect((await r.remove("victim@example.com")).status).toBe(200);
      const again = await r.add("victim@example.com");
      expect(again.status).toBe(202);
      expect(again.body.data).toMatchObject({ status: "pending", confirmation_sent_at: expect.any(String) });
    }
    expect(sent(r)).toEqual(["victim@example.com"]);
    // Once the interval is over, a request sends a new link again.
    const later = Date.now() + CONFIRMATION_RESEND_MS + 1;
    const mailer = { send: async (m: OutgoingEmail) => r.sent.push(m) };
    const outcome = await startDoubleOptIn(
      db(),
      mailer,
      "x",
      BASE,
      acct.accountId,
      "victim@example.com",
      later,
      LIMITS,
    );
    expect(outcome.kind).toBe("send");
    expect(sent(r)).toEqual(["victim@example.com", "victim@example.com"]);
  });

  it("an account has at most MAX_ALERT_RECIPIENTS addresses: 409 naming the limit", async () => {
    const r = recipientsApi({ MAX_ALERT_RECIPIENTS: "2" });
    expect((await r.add("one@example.com")).status).toBe(202);
    expect((await r.add("two@example.com")).status).toBe(202);
    const refused = expectProblem(
      await r.add("three@example.com"),
      409,
      /This account already has 2 alert e-mail recipients \(MAX_ALERT_RECIPIENTS\)/,
    );
    expect(refused.title).toBe("Limit reached");
    expect(sent(r)).toEqual(["one@example.com", "two@example.com"]);
    // An address already registered is not a new one; deleting one makes room.
    expect((await r.add("one@example.com")).status).toBe(202);
    expect((await r.remove("two@example.com")).status).toBe(200);
    expect((await r.add("three@example.com")).status).toBe(202);
    // Re-adding within the resend interval also counts against the limit.
    expectProblem(await r.add("two@example.com"), 409, /MAX_ALERT_RECIPIENTS/);
  });

  it("an account causes at most MAX_CONFIRMATION_EMAILS_PER_HOUR confirmations: 429 with Retry-After", async () => {
    const r = recipientsApi({ MAX_CONFIRMATION_EMAILS_PER_HOUR: "3" });
    for (const email of ["a@example.com", "b@example.com", "c@example.com"]) {
      expect((await r.add(email)).status).toBe(202);
      expect((await r.remove(email)).status).toBe(200); // deleting gives no budget back
    }
    const limited = await r.add("d@example.com");
    expectProblem(
      limited,
      429,
      /This account has sent 3 confirmation e-mails in the last hour \(MAX_CONFIRMATION_EMAILS_PER_HOUR\)/,
    );
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(sent(r)).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
    expect((await jobs.send("GET", "/alert-recipients")).body.data).toEqual([]); // nothing registered by the refusal
    // Another account's budget is its own.
    const other = await createAccount("Other");
    const mailer = { send: async (m: OutgoingEmail) => r.sent.push(m) };
    const limits = { ...LIMITS, maxEmailsPerHour: 3 };
    const outcome = await startDoubleOptIn(
      db(),
      mailer,
      "x",
      BASE,
      other.accountId,
      "d@example.com",
      Date.now(),
      limits,
    );
    expect(outcome.kind).toBe("send");
  });
});

const sent = (r: { sent: OutgoingEmail[] }) => r.sent.map((m) => m.to);

describe("OpenAPI", () => {
  it("documents the alerts endpoints and the job's alerts", async () => {
    const doc = (await api("/openapi.json")).body;
    expect(doc.paths["/v1/cron-jobs/{accountId}/alerts/{cron_job_id}"].get.operationId).toBe("listCronJobAlerts");
    expect(doc.paths["/v1/cron-jobs/{accountId}/alert-recipients"].post.operationId).toBe("addAlertRecipient");
    expect(doc.components.schemas.CronJob.properties.alerts.$ref).toBe("#/components/schemas/AlertPolicy");
    expect(doc.components.schemas.CronJob.properties.state.enum).toContain("disabled");
  });

  it("documents remind_every_minutes' bounds, in words and as the schema's minimum and maximum", async () => {
    const doc = (await api("/openapi.json")).body;
    const field = doc.components.schemas.AlertPolicyInput.properties.remind_every_minutes;
    expect(field).toMatchObject({ minimum: 5, maximum: 10_080 });
    expect(field.description).toMatch(/\b5 to 10080 minutes \(7 days\)/);
  });
});
