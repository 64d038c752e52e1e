/**
 * Alert policies (README "Alerts"), end to end: runs go through the http executor against the loopback target,
 * alerts fire in the recording batch, and their deliveries go through the queue to the loopback target
 * (/capture/{key}) or a stand-in mailer.
 */
import { createExecutionContext, getQueueResult } from "cloudflare:test";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { p95 } from "../../src/alerts/fire";
import type { Mailer, OutgoingEmail } from "../../src/alerts/mailer";
import { consumeRun } from "../../src/engine/consume";
import { abandon, deliver } from "../../src/engine/deliver";
import { createHttpExecutor } from "../../src/engine/executors/http";
import { consumeBatch } from "../../src/engine/queue-handler";
import { findLiveJob } from "../../src/jobs/repository";
import type { Executor } from "../../src/lib/execution";
import type { AlertMessage } from "../../src/lib/messages";
import { signWithSecrets } from "../../src/lib/signature";
import { sweep } from "../../src/retention/sweep";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { FAIL_500, queuedRun, scriptedExecutor, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { jobsApi } from "../helpers/jobs";
import { batchOf } from "../helpers/queue";
import { shardD1 } from "../helpers/shards";

const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const FAR = Date.UTC(2099, 0, 1);
const MIN = 60_000;
const port = inject("targetPort");
let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount();
});

const capture = (key: string, query = "") => `http://127.0.0.1:${port}/capture/${key}${query}`;

async function captured(key: string) {
  const res = await fetch(`http://127.0.0.1:${port}/captured/${key}`);
  return (await res.json()) as Array<{ headers: Record<string, string>; body: string }>;
}

/** A mailer that records what it is asked to send, failing with the queued errors first. */
function fakeMailer() {
  const sent: OutgoingEmail[] = [];
  const failures: Error[] = [];
  const mailer: Mailer & { sent: OutgoingEmail[]; failWith(e: Error): void } = {
    sent,
    async send(m) {
      const f = failures.shift();
      if (f) throw f;
      sent.push(m);
      return { messageId: `m${sent.length}` };
    },
    failWith: (e) => failures.push(e),
  };
  return mailer;
}

/** The test world: a job whose runs are driven slot by slot, each at its own clock time. */
async function world(policy: Record<string, unknown>, opts: { executor?: Executor; path?: string } = {}) {
  const job = await insertJob(acct.accountId, {
    nextRunAt: FAR,
    endpointUrl: `http://127.0.0.1:${port}${opts.path ?? "/status/500"}`,
    method: "GET",
    maxRetries: 0,
    timeoutSeconds: 5,
    alertPolicy: JSON.stringify(policy),
  });
  let clock = T;
  const mailer = fakeMailer();
  const deps = {
    ...testDeps({
      executor: opts.executor ?? createHttpExecutor({ allowPrivateTargets: true }),
      fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
      now: () => clock,
    }),
    mailer,
  };
  /** Runs one slot at `at` and delivers what it fired; returns the alert messages it fired. */
  const runAt = async (at: number) => {
    clock = at;
    const msg = await queuedRun(job, at);
    await consumeRun(deps, msg);
    return deliverQueued();
  };
  const deliverQueued = async () => {
    const fired: AlertMessage[] = [];
    for (const { body } of deps.queue.take()) {
      if (body.type !== "alert") continue;
      fired.push(body);
      await deliver(deps, body);
    }
    return fired;
  };
  const events = (fired: AlertMessage[]) => fired.map((m) => m.deliveryId.split(":")[2] ?? "");
  return { job, deps, mailer, runAt, deliverQueued, events, setClock: (t: number) => (clock = t) };
}

async function deliveries(jobId: string) {
  const { results } = await shardD1()
    .prepare(
      "SELECT id, event, channel, target, state AS status, attempts, last_error FROM deliveries WHERE source_id = ? AND kind = 'alert' ORDER BY fired_at, id",
    )
    .bind(jobId)
    .all<{ id: string; event: string; channel: string; status: string; attempts: number; last_error: string | null }>();
  return results;
}

/** The header the account's secret gives the body at the header's own time (src/lib/signature.ts scheme). */
async function verify(secret: string, header: string, body: string): Promise<boolean> {
  const t = Number(/t=(\d+)/.exec(header)?.[1]);
  return header === (await signWithSecrets([secret], body, t));
}

describe("failure streaks", () => {
  it("alerts once at the Nth consecutive failure (not at N+1…), then once on recovery; signed webhook with event", async () => {
    const key = `streak-${crypto.randomUUID()}`;
    const w = await world({ channels: [{ type: "webhook", url: capture(key) }], after_consecutive_failures: 3 });
    const fired: string[][] = [];
    for (let i = 0; i < 5; i++) fired.push(w.events(await w.runAt(T + i * MIN)));
    expect(fired).toEqual([[], [], ["failure"], [], []]);
    // The target starts answering: a success ends the streak with a recovery alert.
    await shardD1()
      .prepare("UPDATE cron_jobs SET endpoint_url = ? WHERE id = ?")
      .bind(`http://127.0.0.1:${port}/ok`, w.job.id)
      .run();
    const job = await findLiveJob(w.deps.db, w.job.id);
    expect(job?.alertStreakAlertedAt).toBe(T + 2 * MIN);
    w.job.endpointUrl = `http://127.0.0.1:${port}/ok`;
    expect(w.events(await w.runAt(T + 5 * MIN))).toEqual(["recovery"]);
    expect(w.events(await w.runAt(T + 6 * MIN))).toEqual([]);

    const requests = await captured(key);
    expect(requests).toHaveLength(2);
    const [failure, recovery] = requests.map((r) => JSON.parse(r.body));
    expect(failure).toMatchObject({
      event: "failure",
      cron_job_id: w.job.id,
      status: "failure",
      response_code: 500,
      consecutive_failures: 3,
      next_retry_at: null,
    });
    expect(recovery).toMatchObject({ event: "recovery", status: "success", response_code: 200 });
    for (const r of requests) {
      expect(await verify(acct.signingSecret, r.headers["x-edgecron-signature"] ?? "", r.body)).toBe(true);
      expect(await verify(acct.signingSecret, r.headers["x-edgecron-signature"] ?? "", `${r.body} `)).toBe(false);
    }
    expect((await deliveries(w.job.id)).map((d) => [d.event, d.status, d.attempts])).toEqual([
      ["failure", "delivered", 1],
      ["recovery", "delivered", 1],
    ]);
  });

  it("reminds while still failing, at most every remind_every_minutes, judged at each recorded failure", async () => {
    const key = `remind-${crypto.randomUUID()}`;
    const w = await world({
      channels: [{ type: "webhook", url: capture(key) }],
      after_consecutive_failures: 2,
      remind_every_minutes: 5,
      on_recovery: false,
    });
    const at = [0, 1, 2, 5, 6, 7, 11, 12];
    const fired: string[][] = [];
    for (const m of at) fired.push(w.events(await w.runAt(T + m * MIN)));
    // Alert at minute 1; a reminder at 6 (5 min after it) and 11 (5 min after that); nothing in between.
    expect(fired).toEqual([[], ["failure"], [], [], ["reminder"], [], ["reminder"], []]);
    const bodies = (await captured(key)).map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => [b.event, b.consecutive_failures])).toEqual([
      ["failure", 2],
      ["reminder", 5],
      ["reminder", 7],
    ]);
  });

  it("a redelivered run message fires nothing twice", async () => {
    const key = `dup-${crypto.randomUUID()}`;
    const w = await world({ channels: [{ type: "webhook", url: capture(key) }], after_consecutive_failures: 1 });
    const msg = await queuedRun(w.job, T);
    w.setClock(T);
    await consumeRun(w.deps, msg);
    await consumeRun(w.deps, msg);
    const fired = w.deps.queue.take().filter((m) => m.body.type === "alert");
    expect(fired).toHaveLength(1);
    const body = fired[0]?.body as AlertMessage;
    expect(await deliver(w.deps, body)).toBe("delivered");
    // The alert message itself delivered twice: the second finds the delivery done and sends nothing.
    expect(await deliver(w.deps, body)).toBe("duplicate");
    expect(await captured(key)).toHaveLength(1);
    expect(await deliveries(w.job.id)).toHaveLength(1);
  });
});

describe("jobs without alerts", () => {
  it("keep no alert state and fire nothing (no extra reads or writes in the recording)", async () => {
    const w = await world({});
    expect(w.events(await w.runAt(T))).toEqual([]);
    expect(await findLiveJob(w.deps.db, w.job.id)).toMatchObject({
      consecutiveFailures: 1,
      alertStreakAlertedAt: null,
      alertLastAt: null,
    });
    expect(await deliveries(w.job.id)).toEqual([]);
  });
});

describe("auto-disable", () => {
  it("disables the job at auto_disable_after failures with a `disabled` alert; its queued runs are skipped", async () => {
    const key = `disable-${crypto.randomUUID()}`;
    const w = await world({
      channels: [{ type: "webhook", url: capture(key) }],
      after_consecutive_failures: 3,
      auto_disable_after: 3,
    });
    expect(w.events(await w.runAt(T))).toEqual([]);
    expect(w.events(await w.runAt(T + MIN))).toEqual([]);
    const queuedBefore = await queuedRun(w.job, T + 10 * MIN);
    // The third failure disables: one `disabled` alert takes the place of the failure alert of the same run.
    expect(w.events(await w.runAt(T + 2 * MIN))).toEqual(["disabled"]);
    expect(await findLiveJob(w.deps.db, w.job.id)).toMatchObject({
      state: "disabled",
      isActive: false,
      nextRunAt: null,
      consecutiveFailures: 3,
    });
    expect((await consumeRun(w.deps, queuedBefore)).result).toBe("skipped");
    const [alert] = (await captured(key)).map((r) => JSON.parse(r.body));
    expect(alert).toMatchObject({ event: "disabled", consecutive_failures: 3 });
    expect(alert.summary).toMatch(/was disabled after 3 consecutive failed runs/);
  });

  it("the job object says when and why it was disabled; re-enabling clears both and the streak", async () => {
    const w = await world({ auto_disable_after: 2 });
    await w.runAt(T);
    const jobs = jobsApi(acct);
    expect((await jobs.details(w.job.id)).body.data).toMatchObject({
      state: "active",
      disabled_at: null,
      disabled_reason: null,
    });
    await w.runAt(T + MIN);
    const disabled = (await jobs.details(w.job.id)).body.data;
    expect(disabled).toMatchObject({
      state: "disabled",
      is_active: false,
      disabled_at: "2026-06-01T12:01:00Z",
      disabled_reason: "Disabled after 2 consecutive failed runs (alerts.auto_disable_after)",
    });
    // Other edits leave the job disabled, and its reason with it.
    const renamed = (await jobs.update(w.job.id, { name: "Renamed" })).body.data;
    expect(renamed).toMatchObject({ state: "disabled", disabled_reason: disabled.disabled_reason });
    const enabled = (await jobs.update(w.job.id, { is_active: true })).body.data;
    expect(enabled).toMatchObject({
      state: "active",
      is_active: true,
      disabled_at: null,
      disabled_reason: null,
      consecutive_failures: 0,
    });
    expect(await findLiveJob(w.deps.db, w.job.id)).toMatchObject({ disabledAt: null, disabledReason: null });
    const once = await world({ auto_disable_after: 1 });
    await once.runAt(T);
    expect((await jobs.details(once.job.id)).body.data.disabled_reason).toBe(
      "Disabled after 1 failed run (alerts.auto_disable_after)",
    );
  });
});

describe("slow runs", () => {
  it("run measure: alerts when a run's response_time_ms is over the threshold, once per slow spell", async () => {
    const key = `slow-${crypto.randomUUID()}`;
    const times = [50, 500, 600, 40, 700];
    const executor = scriptedExecutor(...times.map((responseTimeMs) => ({ responseTimeMs })));
    const w = await world(
      { channels: [{ type: "webhook", url: capture(key) }], slow_run: { threshold_ms: 100 } },
      { executor },
    );
    const fired: string[][] = [];
    for (let i = 0; i < times.length; i++) fired.push(w.events(await w.runAt(T + i * MIN)));
    expect(fired).toEqual([[], ["slow"], [], [], ["slow"]]);
    const [first] = (await captured(key)).map((r) => JSON.parse(r.body));
    expect(first).toMatchObject({ event: "slow", slow: { measure: "run", measured_ms: 500, threshold_ms: 100 } });
  });

  it("a slow alert carries the job's failure streak at that run: the streak after a failure, 0 after a success", async () => {
    const key = `slow-streak-${crypto.randomUUID()}`;
    const executor = scriptedExecutor(
      { ...FAIL_500, responseTimeMs: 50 },
      { ...FAIL_500, responseTimeMs: 500 },
      { responseTimeMs: 40 },
      { responseTimeMs: 700 },
    );
    const w = await world(
      { channels: [{ type: "webhook", url: capture(key) }], slow_run: { threshold_ms: 100 } },
      { executor },
    );
    const fired: string[][] = [];
    for (let i = 0; i < 4; i++) fired.push(w.events(await w.runAt(T + i * MIN)));
    expect(fired).toEqual([["failure"], ["slow"], ["recovery"], ["slow"]]);
    const slow = (await captured(key)).map((r) => JSON.parse(r.body)).filter((b) => b.event === "slow");
    expect(slow.map((b) => [b.status, b.consecutive_failures])).toEqual([
      ["failure", 2],
      ["success", 0],
    ]);
  });

  it("p95 measure: the 95th percentile of the window's response times (this run's included)", async () => {
    expect(p95([1, 2, 3, 4, 100])).toBe(100);
    expect(p95(Array.from({ length: 20 }, (_, i) => i + 1))).toBe(19);
    const key = `p95-${crypto.randomUUID()}`;
    // Window 5: one 900 ms outlier among 5 samples is the p95 (nearest rank of 5 is the 5th).
    const times = [10, 10, 10, 10, 900, 10, 10, 10, 10, 10];
    const executor = scriptedExecutor(...times.map((responseTimeMs) => ({ responseTimeMs })));
    const w = await world(
      {
        channels: [{ type: "webhook", url: capture(key) }],
        slow_run: { threshold_ms: 500, measure: "p95", window: 5 },
      },
      { executor },
    );
    const fired: string[][] = [];
    for (let i = 0; i < times.length; i++) fired.push(w.events(await w.runAt(T + i * MIN)));
    // Slow from the outlier's run until it leaves the 5-run window (run 9 no longer sees it): one alert.
    expect(fired.flat()).toEqual(["slow"]);
    expect(fired[4]).toEqual(["slow"]);
    const [alert] = (await captured(key)).map((r) => JSON.parse(r.body));
    expect(alert.slow).toEqual({ measure: "p95", measured_ms: 900, threshold_ms: 500 });
  });
});

describe("channels", () => {
  it("Slack and Discord get their incoming-webhook formats", async () => {
    const slack = `slack-${crypto.randomUUID()}`;
    const discord = `discord-${crypto.randomUUID()}`;
    const w = await world({
      channels: [
        { type: "slack", url: capture(slack) },
        { type: "discord", url: capture(discord) },
      ],
      after_consecutive_failures: 1,
    });
    expect(w.events(await w.runAt(T))).toEqual(["failure", "failure"]);
    const [s] = (await captured(slack)).map((r) => JSON.parse(r.body));
    expect(s.text).toBe('edgecron: "Fixture job" failed 1 run in a row');
    expect(s.blocks[0]).toMatchObject({ type: "section", text: { type: "mrkdwn" } });
    expect(s.blocks[0].text.text).toContain("*Response code:* 500");
    const [d] = (await captured(discord)).map((r) => JSON.parse(r.body));
    expect(d).toMatchObject({ username: "edgecron", allowed_mentions: { parse: [] } });
    expect(d.embeds[0]).toMatchObject({ title: '"Fixture job" failed 1 run in a row', color: 0xd93025 });
    expect(d.embeds[0].fields).toContainEqual({ name: "Response code", value: "500", inline: false });
  });

  it("e-mail: nothing to an unconfirmed recipient; a confirmed one gets subject and text", async () => {
    const w = await world({ channels: [{ type: "email", to: "ops@example.com" }], after_consecutive_failures: 1 });
    await w.runAt(T);
    expect(w.mailer.sent).toEqual([]);
    expect((await deliveries(w.job.id)).map((d) => [d.channel, d.status])).toEqual([["email", "unconfirmed"]]);

    await shardD1()
      .prepare(
        "INSERT INTO alert_email_recipients (account_id, email, status, created_at, confirmed_at) VALUES (?, ?, 'confirmed', ?, ?)",
      )
      .bind(acct.accountId, "ops@example.com", T, T)
      .run();
    await w.runAt(T + MIN); // streak 2: no new failure alert (N = 1)…
    await shardD1()
      .prepare("UPDATE cron_jobs SET endpoint_url = ? WHERE id = ?")
      .bind(`http://127.0.0.1:${port}/ok`, w.job.id)
      .run();
    w.job.endpointUrl = `http://127.0.0.1:${port}/ok`;
    await w.runAt(T + 2 * MIN); // …a recovery, mailed
    expect(w.mailer.sent).toEqual([
      {
        from: "alerts@edgecron.example",
        to: "ops@example.com",
        subject: '[edgecron] "Fixture job" recovered: its latest run succeeded',
        text: expect.stringContaining("Status: success"),
      },
    ]);
  });

  it("e-mail quota errors are retried deliveries; a permanent error is not", async () => {
    await shardD1()
      .prepare(
        "INSERT INTO alert_email_recipients (account_id, email, status, created_at, confirmed_at) VALUES (?, ?, 'confirmed', ?, ?)",
      )
      .bind(acct.accountId, "oncall@example.com", T, T)
      .run();
    const w = await world({ channels: [{ type: "email", to: "oncall@example.com" }], after_consecutive_failures: 1 });
    const quota = Object.assign(new Error("daily sending limit reached"), { code: "E_RATE_LIMIT_EXCEEDED" });
    w.mailer.failWith(quota);
    w.setClock(T);
    await consumeRun(w.deps, await queuedRun(w.job, T));
    const [first] = w.deps.queue.take();
    expect(await deliver(w.deps, first?.body as AlertMessage)).toBe("retrying");
    const [retry] = w.deps.queue.take();
    expect(retry).toMatchObject({ body: { type: "alert", attempt: 1 }, delaySeconds: 30 });
    expect((await deliveries(w.job.id))[0]).toMatchObject({
      status: "pending",
      attempts: 1,
      last_error: quota.message,
    });
    expect(await deliver(w.deps, retry?.body as AlertMessage)).toBe("delivered");
    expect(w.mailer.sent).toHaveLength(1);
    expect((await deliveries(w.job.id))[0]).toMatchObject({ status: "delivered", attempts: 2 });

    const w2 = await world({ channels: [{ type: "email", to: "oncall@example.com" }], after_consecutive_failures: 1 });
    w2.mailer.failWith(Object.assign(new Error("sender not verified"), { code: "E_SENDER_NOT_VERIFIED" }));
    w2.setClock(T);
    await consumeRun(w2.deps, await queuedRun(w2.job, T));
    const [m] = w2.deps.queue.take();
    expect(await deliver(w2.deps, m?.body as AlertMessage)).toBe("failed");
    expect(w2.deps.queue.take()).toEqual([]);
  });
});

describe("delivery retries", () => {
  it("a failed webhook delivery is retried with backoff until delivered; after the last retry it is failed", async () => {
    const key = `retry-${crypto.randomUUID()}`;
    const w = await world({ channels: [{ type: "webhook", url: capture(key, "?fail=1") }] });
    w.setClock(T);
    await consumeRun(w.deps, await queuedRun(w.job, T));
    const [first] = w.deps.queue.take();
    expect(await deliver(w.deps, first?.body as AlertMessage)).toBe("retrying");
    const [retry] = w.deps.queue.take();
    expect(retry).toMatchObject({ body: { attempt: 1 }, delaySeconds: 30 });
    // A duplicate of the first message after the retry is queued sends nothing.
    expect(await deliver(w.deps, first?.body as AlertMessage)).toBe("duplicate");
    expect(await deliver(w.deps, retry?.body as AlertMessage)).toBe("delivered");
    expect(await captured(key)).toHaveLength(2);
    expect((await deliveries(w.job.id))[0]).toMatchObject({ status: "delivered", attempts: 2, last_error: "HTTP 500" });

    const gone = `gone-${crypto.randomUUID()}`;
    const w2 = await world({ channels: [{ type: "webhook", url: capture(gone, "?fail=99") }] });
    w2.setClock(T);
    await consumeRun(w2.deps, await queuedRun(w2.job, T));
    const results: string[] = [];
    for (let m = w2.deps.queue.take(); m.length > 0; m = w2.deps.queue.take()) {
      for (const { body } of m) results.push(await deliver(w2.deps, body as AlertMessage));
    }
    expect(results).toEqual(["retrying", "retrying", "retrying", "retrying", "failed"]);
    expect((await deliveries(w2.job.id))[0]).toMatchObject({ status: "failed", attempts: 5 });
  });

  it("the dead-letter queue closes a pending delivery as failed", async () => {
    const w = await world({ channels: [{ type: "webhook", url: capture(`dlq-${crypto.randomUUID()}`) }] });
    w.setClock(T);
    await consumeRun(w.deps, await queuedRun(w.job, T));
    const [m] = w.deps.queue.take();
    expect(await abandon(w.deps, m?.body as AlertMessage)).toBe("failed");
    expect(await deliver(w.deps, m?.body as AlertMessage)).toBe("duplicate");
    expect((await deliveries(w.job.id))[0]).toMatchObject({ status: "failed", attempts: 0 });
  });
});

describe("the queue consumer", () => {
  it("delivers alert messages and acks them; a delivery in flight elsewhere is retried later", async () => {
    const key = `queue-${crypto.randomUUID()}`;
    const w = await world({ channels: [{ type: "webhook", url: capture(key) }] });
    w.setClock(T);
    await consumeRun(w.deps, await queuedRun(w.job, T));
    const [m] = w.deps.queue.take();
    const body = m?.body as AlertMessage;
    // Another delivery holds the row (its lease is live): this one is retried, not dropped.
    await shardD1()
      .prepare("UPDATE deliveries SET lease_until = ? WHERE id = ?")
      .bind(T + 60_000, body.deliveryId)
      .run();
    const busy = batchOf([body]);
    await consumeBatch(w.deps, busy);
    expect(await getQueueResult(busy, createExecutionContext())).toMatchObject({
      retryMessages: [expect.anything()],
      explicitAcks: [],
    });
    await shardD1().prepare("UPDATE deliveries SET lease_until = NULL WHERE id = ?").bind(body.deliveryId).run();
    const batch = batchOf([body]);
    await consumeBatch(w.deps, batch);
    expect(await getQueueResult(batch, createExecutionContext())).toMatchObject({
      retryMessages: [],
      explicitAcks: [expect.any(String)],
    });
    expect(await captured(key)).toHaveLength(1);
  });
});

describe("a channel answered by a redirect to another origin", () => {
  it("is followed (307) with the payload, but the other origin never gets the signature", async () => {
    const other = `http://127.0.0.1:${inject("otherTargetPort")}`;
    const keys = { webhook: crypto.randomUUID(), slack: crypto.randomUUID(), discord: crypto.randomUUID() };
    const via = (key: string) =>
      `http://127.0.0.1:${port}/redirect?status=307&to=${encodeURIComponent(`${other}/capture/${key}`)}`;
    const w = await world({
      channels: [
        { type: "webhook", url: via(keys.webhook) },
        { type: "slack", url: via(keys.slack) },
        { type: "discord", url: via(keys.discord) },
      ],
      after_consecutive_failures: 1,
    });
    expect(w.events(await w.runAt(T))).toEqual(["failure", "failure", "failure"]);
    for (const key of Object.values(keys)) {
      const [req, ...more] = await captured(key);
      expect(more).toEqual([]);
      expect(req?.headers["x-edgecron-signature"]).toBeUndefined();
      expect(JSON.parse(req?.body ?? "{}")).toBeTruthy();
    }
    const rows = await deliveries(w.job.id);
    expect(rows.map((d) => d.status)).toEqual(["delivered", "delivered", "delivered"]);
  });
});

describe("ALLOW_PRIVATE_TARGETS at delivery", () => {
  it("allows loopback only: a channel stored at a metadata, private or link-local address is refused", async () => {
    const key = crypto.randomUUID();
    const w = await world({
      channels: [
        { type: "webhook", url: "http://169.254.169.254/latest/" },
        { type: "slack", url: "http://10.0.0.1/hook" },
        { type: "discord", url: "http://[fe80::1]/hook" },
        { type: "webhook", url: capture(key) },
      ],
      after_consecutive_failures: 1,
    });
    expect(w.deps.cfg.ALLOW_PRIVATE_TARGETS).toBe(true);
    await w.runAt(T);
    const rows = await deliveries(w.job.id);
    expect(rows.map((d) => [d.channel, d.status])).toEqual(
      expect.arrayContaining([
        ["webhook", "refused"],
        ["slack", "refused"],
        ["discord", "refused"],
        ["webhook", "delivered"],
      ]),
    );
    expect(rows.find((d) => d.channel === "slack")?.last_error).toContain("10.0.0.1 is a private address");
    expect(await captured(key)).toHaveLength(1);
  });
});

describe("retention", () => {
  it("the retention sweep deletes deliveries fired before the cutoff, like logs", async () => {
    const job = await insertJob(acct.accountId, { nextRunAt: FAR });
    const insert = shardD1().prepare(
      "INSERT INTO deliveries (id, account_id, source, source_id, execution_id, kind, event, channel, target, payload, fired_at) VALUES (?, ?, 'job', ?, ?, 'alert', 'failure', 'webhook', 'https://h.example/', '{}', ?)",
    );
    const now = Date.UTC(2026, 6, 1);
    await shardD1().batch([
      insert.bind(`old-${job.id}`, acct.accountId, job.id, "exe_old", now - 31 * 86_400_000),
      insert.bind(`new-${job.id}`, acct.accountId, job.id, "exe_new", now - 29 * 86_400_000),
    ]);
    const report = await sweep(testDeps().db, { retentionDays: 30, now });
    expect(report.deliveries_deleted).toBeGreaterThanOrEqual(1);
    expect((await deliveries(job.id)).map((d) => d.id)).toEqual([`new-${job.id}`]);
  });
});
