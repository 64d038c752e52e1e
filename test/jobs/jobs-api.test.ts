import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { findJob } from "../../src/jobs/repository";
import { serialiseJobSafely } from "../../src/jobs/serialise-safe";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { expectProblem, api as get } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { accountD1, accountDb } from "../helpers/shards";

const WINTER = Date.UTC(2024, 0, 20, 12, 0, 0); // a Saturday in EST
let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;

beforeAll(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("POST /create", () => {
  it("creates the A1Cron quick-start job: schedule 0 9 * * *, next run 14:00Z in winter", async () => {
    vi.useFakeTimers({ now: WINTER, toFake: ["Date"] });
    const res = await jobs.create(quickStart());
    expect(res.status).toBe(201);
    const job = res.body.data;
    expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(job).toEqual({
      id: job.id,
      name: "Daily Report Generator",
      description: "Generates daily sales report",
      endpoint_url: "https://api.example.com/reports/generate",
      schedule: "0 9 * * *",
      schedules: ["0 9 * * *"],
      method: "POST",
      // Authorization is a secret: write-only, shown as a redaction token (README "Security").
      headers: {
        Authorization: expect.stringMatching(/^\[redacted:[0-9a-f]{8}\]$/),
        "Content-Type": "application/json",
      },
      body: '{"report_type":"daily"}',
      secret_headers: [],
      secret_query_params: [],
      body_is_secret: false,
      is_active: true,
      paused_until: null,
      pause_reason: null,
      state: "active",
      disabled_at: null,
      disabled_reason: null,
      timezone: "America/New_York",
      repeat_type: "days",
      repeat_every: 1,
      days_of_week: null,
      day_of_month: null,
      hours: 9,
      minutes: 0,
      end_type: "never",
      end_date: null,
      end_occurrences: null,
      max_retries: 3,
      retry_delay_seconds: 60,
      timeout_seconds: 30,
      success_callback_url: "https://api.example.com/callbacks/success",
      failure_callback_url: "https://api.example.com/callbacks/failure",
      tags: ["reports", "daily"],
      request_signature: true,
      jitter_seconds: 0,
      overlap_policy: "allow",
      catchup: "latest",
      max_lateness_seconds: null,
      skipped_runs: 0,
      completion: null,
      alerts: {
        after_consecutive_failures: 1,
        auto_disable_after: null,
        channels: [],
        on_recovery: true,
        remind_every_minutes: null,
        slow_run: null,
        on_missed: false,
        on_skipped: false,
        late_after_seconds: null,
        on_dead_lettered: false,
        slo: null,
      },
      next_run_at: "2024-01-20T14:00:00Z",
      next_runs: ["2024-01-20T14:00:00Z", "2024-01-21T14:00:00Z", "2024-01-22T14:00:00Z"],
      last_run_at: null,
      last_run_status: null,
      consecutive_failures: 0,
      total_executions: 0,
      successful_executions: 0,
      failed_executions: 0,
      schedule_config: { repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" },
      retry_config: {
        max_retries: 3,
        retry_delay_seconds: 60,
        timeout_seconds: 30,
        backoff: "fixed",
        retry_on_status_codes: "100-599",
        retry_on_timeout: true,
        retry_on_error: true,
      },
      callbacks: {
        success_url: "https://api.example.com/callbacks/success",
        failure_url: "https://api.example.com/callbacks/failure",
        notify: "attempt",
      },
      success_rules: { status_codes: "200-299", body_contains: null, body_not_contains: null },
      warnings: [],
      created_at: "2024-01-20T12:00:00Z",
      updated_at: "2024-01-20T12:00:00Z",
    });
  });

  it("runs at 13:00Z in summer", async () => {
    vi.useFakeTimers({ now: Date.UTC(2024, 6, 1, 15, 0, 0), toFake: ["Date"] });
    const res = await jobs.create(quickStart());
    expect(res.body.data.next_runs).toEqual(["2024-07-02T13:00:00Z", "2024-07-03T13:00:00Z", "2024-07-04T13:00:00Z"]);
  });

  it("applies defaults for the optional fields", async () => {
    const res = await jobs.create({
      name: "Minimal",
      endpoint_url: "http://example.com/x",
      method: "GET",
      timezone: "UTC",
      schedule_config: { repeat_type: "hourly", time: "00:30" },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      description: null,
      headers: {},
      body: null,
      tags: [],
      is_active: true,
      max_retries: 3,
      retry_delay_seconds: 60,
      timeout_seconds: 30,
      success_callback_url: null,
      failure_callback_url: null,
      repeat_every: 1,
      end_type: "never",
      hours: null,
      minutes: 30,
      schedule: "30 * * * *",
    });
  });

  it("an inactive job has no next run", async () => {
    const res = await jobs.create({ ...quickStart(), is_active: false });
    expect(res.body.data).toMatchObject({ is_active: false, next_run_at: null, next_runs: [] });
  });

  it("accepts a raw cron expression as an extension", async () => {
    vi.useFakeTimers({ now: WINTER, toFake: ["Date"] });
    const res = await jobs.create({ ...quickStart(), schedule_config: { cron: "*/15 9-17 * * 1-5" } });
    expect(res.status).toBe(201);
    expect(res.body.data.schedule).toBe("*/15 9-17 * * 1-5");
    expect(res.body.data.next_run_at).toBe("2024-01-22T14:00:00Z"); // Monday 09:00 EST
  });

  it("weekly on Monday and Wednesday", async () => {
    vi.useFakeTimers({ now: WINTER, toFake: ["Date"] });
    const res = await jobs.create({
      ...quickStart(),
      schedule_config: {
        repeat_type: "weeks",
        repeat_every: 1,
        time: "08:30",
        days_of_week: ["1", "3"],
        end_type: "never",
      },
    });
    expect(res.body.data).toMatchObject({ schedule: "30 8 * * 1,3", days_of_week: ["1", "3"], hours: 8, minutes: 30 });
    expect(res.body.data.next_runs).toEqual(["2024-01-22T13:30:00Z", "2024-01-24T13:30:00Z", "2024-01-29T13:30:00Z"]);
  });
});

describe("create/update validation", () => {
  const invalid: Array<[string, Record<string, unknown>, string[]]> = [
    ["missing required fields", {}, ["endpoint_url", "method", "name", "schedule_config", "timezone"]],
    ["empty name", { name: "" }, ["name"]],
    ["name over 200 chars", { name: "x".repeat(201) }, ["name"]],
    ["relative URL", { endpoint_url: "/reports" }, ["endpoint_url"]],
    ["ftp URL", { endpoint_url: "ftp://example.com/x" }, ["endpoint_url"]],
    ["unknown method", { method: "TRACE" }, ["method"]],
    ["lowercase method", { method: "post" }, ["method"]],
    ["bad timezone", { timezone: "Mars/Olympus" }, ["timezone"]],
    ["offset as timezone", { timezone: "+05:00" }, ["timezone"]],
    ["Host header", { headers: { Host: "evil.example" } }, ["headers.Host"]],
    [
      "hop-by-hop header",
      { headers: { Connection: "close", "Transfer-Encoding": "chunked" } },
      ["headers.Connection", "headers.Transfer-Encoding"],
    ],
    ["non-string header value", { headers: { "X-N": 1 } }, ["headers.X-N"]],
    ["header with newline", { headers: { "X-A": "a\r\nX-B: b" } }, ["headers.X-A"]],
    ["body too large", { body: "x".repeat(40_000) }, ["body"]],
    ["too many tags", { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, ["tags"]],
    ["tag with comma", { tags: ["a,b"] }, ["tags.0"]],
    ["max_retries 11", { retry_config: { max_retries: 11 } }, ["retry_config.max_retries"]],
    ["timeout 601 s", { retry_config: { timeout_seconds: 601 } }, ["retry_config.timeout_seconds"]],
    ["timeout 0 s", { retry_config: { timeout_seconds: 0 } }, ["retry_config.timeout_seconds"]],
    ["bad callback URL", { callbacks: { failure_url: "not a url" } }, ["callbacks.failure_url"]],
    ["unknown top-level field", { colour: "red" }, ["colour"]],
    ["unknown nested field", { retry_config: { retries: 2 } }, ["retry_config.retries"]],
    ["bad schedule time", { schedule_config: { repeat_type: "days", time: "25:00" } }, ["schedule_config.time"]],
    [
      "weeks without days",
      { schedule_config: { repeat_type: "weeks", time: "09:00" } },
      ["schedule_config.days_of_week"],
    ],
    ["invalid cron", { schedule_config: { cron: "61 * * * *" } }, ["schedule_config.cron"]],
  ];

  it.each(invalid)("create: %s → 400 naming each field", async (_name, patch, fields) => {
    const body = Object.keys(patch).length === 0 ? {} : { ...quickStart(), ...patch };
    const res = await jobs.create(body);
    const problem = expectProblem(res, 400);
    const named = (problem.errors as Array<{ field: string; in: string }>).map((e) => e.field);
    expect([...new Set(named)].sort()).toEqual([...fields].sort());
    expect((problem.errors as Array<{ in: string }>).every((e) => e.in === "body")).toBe(true);
  });

  it("malformed JSON → 400 problem", async () => {
    const res = await jobs.send("POST", "/create", "{not json");
    expectProblem(res, 400);
  });

  it("a JSON array body → 400 problem", async () => {
    expectProblem(await jobs.create([1, 2]), 400);
  });

  it("update: unknown fields and bad values → 400, job unchanged", async () => {
    const created = (await jobs.create(quickStart())).body.data;
    const res = await jobs.update(created.id, { name: "", nope: true, retry_config: { max_retries: -1 } });
    const problem = expectProblem(res, 400);
    expect((problem.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
      "name",
      "nope",
      "retry_config.max_retries",
    ]);
    expect((await jobs.details(created.id)).body.data).toEqual(created);
  });
});

describe("GET /details, PATCH /update, DELETE /delete", () => {
  it("details returns the job; other accounts and bad ids do not see it", async () => {
    const created = (await jobs.create(quickStart())).body.data;
    expect((await jobs.details(created.id)).body).toEqual({ data: created });
    const other = jobsApi(await createAccount("Other"));
    expectProblem(await other.details(created.id), 404, `Cron job ${created.id} not found`);
    const bad = expectProblem(await jobs.details("123"), 400);
    expect(bad.errors).toEqual([{ field: "cron_job_id", in: "path", message: "must be a UUID" }]);
    expectProblem(await jobs.details(crypto.randomUUID()), 404);
  });

  it("partial update changes only the given fields", async () => {
    const created = (await jobs.create(quickStart())).body.data;
    const res = await jobs.update(created.id, { name: "Renamed", retry_config: { max_retries: 5 } });
    expect(res.status).toBe(200);
    const { name, max_retries, retry_config, updated_at, ...rest } = res.body.data;
    expect({ name, max_retries, retry_config }).toEqual({
      name: "Renamed",
      max_retries: 5,
      retry_config: {
        max_retries: 5,
        retry_delay_seconds: 60,
        timeout_seconds: 30,
        backoff: "fixed",
        retry_on_status_codes: "100-599",
        retry_on_timeout: true,
        retry_on_error: true,
      },
    });
    const { name: _n, max_retries: _m, retry_config: _r, updated_at: _u, ...before } = created;
    expect(rest).toEqual(before);
  });

  it("headers, tags and schedule_config replace the stored value whole", async () => {
    vi.useFakeTimers({ now: WINTER, toFake: ["Date"] });
    const created = (await jobs.create(quickStart())).body.data;
    const res = await jobs.update(created.id, {
      headers: { "X-Only": "1" },
      tags: ["solo"],
      schedule_config: { repeat_type: "weeks", time: "07:00", days_of_week: ["5"] },
    });
    expect(res.body.data).toMatchObject({
      headers: { "X-Only": "1" },
      tags: ["solo"],
      schedule: "0 7 * * 5",
      schedule_config: { repeat_type: "weeks", repeat_every: 1, time: "07:00", days_of_week: ["5"], end_type: "never" },
      next_run_at: "2024-01-26T12:00:00Z",
    });
  });

  it("callbacks merge; null clears a URL", async () => {
    const created = (await jobs.create(quickStart())).body.data;
    const res = await jobs.update(created.id, { callbacks: { success_url: null } });
    expect(res.body.data).toMatchObject({
      success_callback_url: null,
      failure_callback_url: "https://api.example.com/callbacks/failure",
    });
  });

  it("a new timezone recomputes next_run_at", async () => {
    vi.useFakeTimers({ now: WINTER, toFake: ["Date"] });
    const created = (await jobs.create(quickStart())).body.data;
    const res = await jobs.update(created.id, { timezone: "Europe/London" });
    expect(res.body.data.next_run_at).toBe("2024-01-21T09:00:00Z");
  });

  it("pause and resume with is_active", async () => {
    vi.useFakeTimers({ now: WINTER, toFake: ["Date"] });
    const created = (await jobs.create(quickStart())).body.data;
    const paused = (await jobs.update(created.id, { is_active: false })).body.data;
    expect(paused).toMatchObject({ is_active: false, next_run_at: null, next_runs: [] });
    const resumed = (await jobs.update(created.id, { is_active: true })).body.data;
    expect(resumed).toMatchObject({ is_active: true, next_run_at: "2024-01-20T14:00:00Z" });
  });

  it("delete → 200 with a JSON body; then details, logs, update and delete are 404", async () => {
    const created = (await jobs.create(quickStart())).body.data;
    await insertLogs(created.id, acct.accountId, [{ executedAt: Date.now() - 1000 }]);
    expect((await jobs.logs(created.id)).body.pagination.total_items).toBe(1);
    const res = await jobs.remove(created.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { id: created.id, message: "Cron job deleted" } });
    expectProblem(await jobs.details(created.id), 404);
    expectProblem(await jobs.logs(created.id), 404);
    expectProblem(await jobs.update(created.id, { name: "x" }), 404);
    expectProblem(await jobs.remove(created.id), 404);
    expect((await jobs.list("?limit=100")).body.data.map((j: { id: string }) => j.id)).not.toContain(created.id);
  });

  it("another account cannot update or delete the job", async () => {
    const created = (await jobs.create(quickStart())).body.data;
    const other = jobsApi(await createAccount("Other"));
    expectProblem(await other.update(created.id, { name: "hijack" }), 404);
    expectProblem(await other.remove(created.id), 404);
    expect((await jobs.details(created.id)).body.data.name).toBe(created.name);
  });
});

describe("GET /list", () => {
  let lister: ReturnType<typeof jobsApi>;
  const names = (res: { body: { data: Array<{ name: string }> } }) => res.body.data.map((j) => j.name);
  beforeAll(async () => {
    lister = jobsApi(await createAccount("Lister"));
    const specs = [
      { name: "Alpha report", tags: ["reports"], is_active: true },
      { name: "Beta sync", tags: ["sync", "hourly"], is_active: false },
      { name: "Gamma REPORT", tags: ["reports", "weekly"], is_active: true },
      { name: "Delta", tags: [], is_active: true },
      { name: "Epsilon 100%_off", tags: ["promo"], is_active: false },
    ];
    for (const [i, s] of specs.entries()) {
      vi.useFakeTimers({ now: WINTER + i * 1000, toFake: ["Date"] });
      expect((await lister.create({ ...quickStart(), ...s })).status).toBe(201);
    }
    vi.useRealTimers();
  });

  it("lists newest first with pagination incl. total", async () => {
    const res = await lister.list("?page=2&limit=2");
    expect(names(res)).toEqual(["Gamma REPORT", "Beta sync"]);
    expect(res.body.pagination).toEqual({ page: 2, limit: 2, total_items: 5, total_pages: 3, total: 5 });
    const past = await lister.list("?page=9&limit=2");
    expect(past.body).toEqual({
      data: [],
      pagination: { page: 9, limit: 2, total_items: 5, total_pages: 3, total: 5 },
    });
  });

  it("filters by is_active", async () => {
    expect(names(await lister.list("?is_active=false"))).toEqual(["Epsilon 100%_off", "Beta sync"]);
    expect((await lister.list("?is_active=true")).body.pagination.total).toBe(3);
  });

  it("filters by any of the tags", async () => {
    expect(names(await lister.list("?tags=weekly,sync"))).toEqual(["Gamma REPORT", "Beta sync"]);
    expect(names(await lister.list("?tags=reports&is_active=true"))).toEqual(["Gamma REPORT", "Alpha report"]);
  });

  it("searches names case-insensitively, treating % and _ literally", async () => {
    expect(names(await lister.list("?search=report"))).toEqual(["Gamma REPORT", "Alpha report"]);
    expect(names(await lister.list(`?search=${encodeURIComponent("100%_")}`))).toEqual(["Epsilon 100%_off"]);
    expect(names(await lister.list("?search=%25"))).toEqual(["Epsilon 100%_off"]);
  });

  it.each([
    ["is_active=yes", "is_active"],
    ["limit=0", "limit"],
    ["page=x", "page"],
    ["sort=name", "sort"],
  ])("%s → 400 naming %s", async (query, field) => {
    const problem = expectProblem(await lister.list(`?${query}`), 400);
    expect(problem.errors).toEqual([expect.objectContaining({ field, in: "query" })]);
  });
});

describe("active-job limit", () => {
  it("refuses the 101st active job with 409, but allows inactive ones and resuming under the limit", async () => {
    const full = await createAccount("Full");
    const api = jobsApi(full);
    for (let i = 0; i < 100; i++) await insertJob(full.accountId, { name: `job ${i}`, nextRunAt: null });
    const res = await api.create(quickStart());
    expectProblem(res, 409, /already has 100 active cron jobs/);
    const paused = await api.create({ ...quickStart(), is_active: false });
    expect(paused.status).toBe(201);
    expectProblem(await api.update(paused.body.data.id, { is_active: true }), 409);
    const one = (await api.list("?is_active=true&limit=1")).body.data[0];
    expect((await api.update(one.id, { is_active: false })).status).toBe(200);
    expect((await api.update(paused.body.data.id, { is_active: true })).status).toBe(200);
  });
});

describe("a corrupt job row", () => {
  const LEAK = "Bearer sk_live_do_not_log";
  /** Each JSON column with a value that cannot be read as it is stored (carrying a would-be secret). */
  const corruptions: Array<[column: string, value: string, problem: string]> = [
    ["headers", `{"Authorization":"${LEAK}"`, "is not valid JSON"],
    ["schedule_config", `not json ${LEAK}`, "is not valid JSON"],
    ["retry_config", `[${JSON.stringify(LEAK)}]`, "is not a JSON object"],
    ["callbacks", `{${LEAK}}`, "is not valid JSON"],
    ["tags", `{"tag":"${LEAK}"}`, "is not a JSON array"],
    ["alert_policy", `{"channels":[${LEAK}`, "is not valid JSON"],
    ["success_rules", `"${LEAK}"`, "is not a JSON object"],
  ];
  let owner: TestAccount;
  let owned: ReturnType<typeof jobsApi>;
  let broken: { id: string };
  let healthy: { id: string };
  beforeAll(async () => {
    owner = await createAccount("Corrupt row");
    owned = jobsApi(owner);
    healthy = await insertJob(owner.accountId, { name: "Healthy", headers: JSON.stringify({ "X-Plain": "1" }) });
    broken = await insertJob(owner.accountId, { name: "Broken", createdAt: Date.now() + 1 });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const corrupt = async (column: string, value: string | null) =>
    (await accountD1(owner.accountId))
      .prepare(`UPDATE cron_jobs SET ${column} = ? WHERE id = ?`)
      .bind(value, broken.id)
      .run();

  it.each(corruptions)(
    "%s: list and details answer 200; the job carries error and is logged without its value",
    async (column, value, problem) => {
      const errors = vi.spyOn(console, "error").mockImplementation(() => {});
      const original = await (await accountD1(owner.accountId))
        .prepare(`SELECT ${column} AS v FROM cron_jobs WHERE id = ?`)
        .bind(broken.id)
        .first<{ v: string | null }>();
      await corrupt(column, value);
      try {
        const error = `stored job is unreadable: ${column} ${problem}`;
        const list = await owned.list();
        expect(list.status).toBe(200);
        expect(list.body.data).toHaveLength(2);
        expect(list.body.pagination.total).toBe(2);
        const [first, second] = list.body.data;
        expect(first).toEqual({ id: broken.id, name: "Broken", error });
        expect(second).toMatchObject({ id: healthy.id, name: "Healthy", headers: { "X-Plain": "1" } });
        expect(second.error).toBeUndefined();

        const details = await owned.details(broken.id);
        expect(details.status).toBe(200);
        expect(details.body).toEqual({ data: { id: broken.id, name: "Broken", error } });
        expect((await owned.details(healthy.id)).body.data.name).toBe("Healthy");

        expect(errors).toHaveBeenCalledWith(
          "stored job is unreadable",
          expect.objectContaining({ job_id: broken.id, column }),
        );
        expect(JSON.stringify(errors.mock.calls)).not.toContain("sk_live");
        expect(JSON.stringify([list.body, details.body])).not.toContain("sk_live");
      } finally {
        await corrupt(column, original?.v ?? null);
      }
      expect((await owned.details(broken.id)).body.data.error).toBeUndefined();
    },
  );

  it("a row that fails to serialise for another reason is listed with a generic error; the exception's text is not logged", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const row = await findJob(await accountDb(owner.accountId), owner.accountId, healthy.id);
    if (!row) throw new Error("no row");
    const out = await serialiseJobSafely(row, () => {
      throw new TypeError(`cannot read ${LEAK}`);
    });
    expect(out).toEqual({
      id: healthy.id,
      name: "Healthy",
      error: "stored job is unreadable: a stored value has an unexpected form",
    });
    expect(errors).toHaveBeenCalledWith("stored job is unreadable", {
      job_id: healthy.id,
      column: null,
      problem: "TypeError",
    });
    expect(JSON.stringify(errors.mock.calls)).not.toContain("sk_live");
  });

  it("the OpenAPI document describes the error field as optional on the job object", async () => {
    const doc = (await get("/openapi.json")).body;
    expect(doc.components.schemas.CronJob.properties.error).toMatchObject({ type: "string" });
    expect(doc.components.schemas.CronJob.required).not.toContain("error");
  });
});
