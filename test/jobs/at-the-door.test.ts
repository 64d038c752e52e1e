import { beforeAll, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { callWith } from "../http/app-env";

/** Issue 15, items 5, 6, 7, 9, 10, 11: bad input is refused with a 400 naming the field, before anything is stored. */

let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;

beforeAll(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});

const fields = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field);
const messageOf = (body: { errors?: Array<{ field: string; message: string }> }, field: string) =>
  body.errors?.find((e) => e.field === field)?.message;

describe("schedules that have already ended are refused (item 5)", () => {
  const ended = (end_date: string) => ({
    ...quickStart(),
    schedule_config: { repeat_type: "days", time: "09:00", end_type: "on", end_date },
  });

  it.each(["2020-01-01", "2024-06-01T00:00:00Z"])("end_date %s in the past → 400 on create", async (date) => {
    const res = await jobs.create(ended(date));
    const body = expectProblem(res, 400);
    expect(fields(body)).toEqual(["schedule_config.end_date"]);
    expect(messageOf(body, "schedule_config.end_date")).toContain(date);
  });

  it("an end_date before the first run → 400 (today, after today's 09:00 has passed in the job's zone)", async () => {
    // An end one minute from now: a daily 09:00 job cannot run before it unless it is 08:59 in New York.
    const soon = new Date(Date.now() + 60_000).toISOString().slice(0, 19);
    const res = await jobs.create({
      ...ended(`${soon}Z`),
      schedule_config: { cron: "0 0 1 1 *", end_type: "on", end_date: `${soon}Z` },
    });
    expect(fields(expectProblem(res, 400))).toEqual(["schedule_config.end_date"]);
  });

  it("is refused on update too, and the job is left as it was", async () => {
    const created = await jobs.create(quickStart());
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const res = await jobs.update(id, {
      schedule_config: { repeat_type: "days", time: "09:00", end_type: "on", end_date: "2021-03-04" },
    });
    expect(fields(expectProblem(res, 400))).toEqual(["schedule_config.end_date"]);
    const after = await jobs.details(id);
    expect(after.body.data.end_type).toBe("never");
    expect(after.body.data.is_active).toBe(true);
  });

  it("an update to a schedule whose first run comes after its end_date is refused", async () => {
    // Today 23:59 at UTC−11 is still ahead: every minute runs before it, 29 February (next in 2028) does not.
    const today = new Date().toISOString().slice(0, 10);
    const created = await jobs.create({
      ...quickStart(),
      timezone: "Pacific/Pago_Pago",
      schedule_config: { cron: "* * * * *", end_type: "on", end_date: `${today}T23:59:00-11:00` },
    });
    expect(created.status).toBe(201);
    const res = await jobs.update(created.body.data.id, {
      schedule_config: { cron: "0 0 29 2 *", end_type: "on", end_date: `${today}T23:59:00-11:00` },
    });
    expect(fields(expectProblem(res, 400))).toEqual(["schedule_config.end_date"]);
  });

  it("a future end_date is accepted", async () => {
    const res = await jobs.create(ended("2099-12-31"));
    expect(res.status).toBe(201);
    expect(res.body.data.next_run_at).not.toBeNull();
  });

  it("a raw cron string is bounded in length", async () => {
    const res = await jobs.create({ ...quickStart(), schedule_config: { cron: `0 9 * * *${" ".repeat(50_000)}` } });
    const body = expectProblem(res, 400);
    expect(messageOf(body, "schedule_config.cron")).toBe("must be at most 200 characters");
  });
});

describe("error messages name what was sent and what is allowed (item 6)", () => {
  it.each([
    ["0 0 32 * *", "day-of-month field '32': 32 is out of range, allowed 1–31"],
    ["0 0 0 * *", "day-of-month field '0': 0 is out of range, allowed 1–31"],
    ["0 0 * 13 *", "month field '13': 13 is out of range, allowed 1–12 or JAN–DEC"],
    ["60 * * * *", "minute field '60': 60 is out of range, allowed 0–59"],
    ["0 24 * * *", "hour field '24': 24 is out of range, allowed 0–23"],
    ["0 0 * * 8", "day-of-week field '8': 8 is out of range, allowed 0–7 (0 and 7 are Sunday) or SUN–SAT"],
    ["0 0 1-40 * *", "day-of-month field '1-40': 40 is out of range, allowed 1–31"],
    ["*/0 * * * *", "minute field '*/0': step 0 is out of range, allowed 1–60"],
    ["0 9 * * 1#6", "day-of-week field '1#6': '#6' is out of range, allowed #1–#5 (or #L)"],
    ["0 9 * *", "must have exactly 5 fields (minute hour day-of-month month day-of-week), got 4"],
  ])("cron %s", async (cron, message) => {
    const res = await jobs.create({ ...quickStart(), schedule_config: { cron } });
    expect(messageOf(expectProblem(res, 400), "schedule_config.cron")).toBe(message);
  });

  it("a page beyond the last is an empty page, not an error; a page too large names the value and the range", async () => {
    const far = await jobs.list("?page=1000000000");
    expect(far.status).toBe(200);
    expect(far.body.data).toEqual([]);
    const res = await jobs.list("?page=99999999999");
    expect(messageOf(expectProblem(res, 400), "page")).toBe(
      'must be an integer between 1 and 2147483647 (got "99999999999")',
    );
    const word = await jobs.list("?page=abc");
    expect(messageOf(expectProblem(word, 400), "page")).toBe('must be an integer between 1 and 2147483647 (got "abc")');
  });

  it("a repeated query parameter is told it was repeated", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs?status=success&status=failure`, {
      headers: acct.headers,
    });
    const message = messageOf(expectProblem(res, 400), "status");
    expect(message).toMatch(
      /^was given 2 times \("success", "failure"\): send one value; must be one of success, failure, error, timeout/,
    );
    // A parameter whose schema would only say "expected string, received array" says just that it was repeated.
    const code = await api(`/v1/cron-jobs/${acct.accountId}/logs?response_code=500&response_code=404`, {
      headers: acct.headers,
    });
    expect(messageOf(expectProblem(code, 400), "response_code")).toBe(
      'was given 2 times ("500", "404"): send one value',
    );
  });

  it("a date whose + offset arrived as a space gets a hint to send %2B", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs?start_date=2024-01-25T10:00:00+05:30`, {
      headers: acct.headers,
    });
    const message = messageOf(expectProblem(res, 400), "start_date") ?? "";
    expect(message).toContain('(got "2024-01-25T10:00:00 05:30")');
    expect(message).toContain("%2B");
    const ok = await api(`/v1/cron-jobs/${acct.accountId}/logs?start_date=2024-01-25T10:00:00%2B05:30`, {
      headers: acct.headers,
    });
    expect(ok.status).toBe(200);
  });
});

describe("private, loopback and metadata targets are refused at create and update (item 7)", () => {
  const refusing = { ALLOW_PRIVATE_TARGETS: "false" } as Partial<Env>;
  const post = (path: string, method: string, body: unknown) =>
    callWith(refusing, `/v1/cron-jobs/${acct.accountId}${path}`, {
      method,
      headers: { ...acct.headers, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it.each([
    "http://169.254.169.254/",
    "http://[::1]/",
    "http://2130706433/",
    "http://127.1/",
    "http://localhost./",
    "http://192.0.0.192/",
    "http://[64:ff9b:1::a00:1]/",
    "http://[::ffff:10.0.0.1]/",
  ])("endpoint_url %s → 400 naming the field", async (url) => {
    const res = await post("/create", "POST", { ...quickStart(), endpoint_url: url });
    const body = expectProblem(res, 400);
    expect(fields(body)).toEqual(["endpoint_url"]);
    expect(messageOf(body, "endpoint_url")).toMatch(/^is not allowed: /);
  });

  it("names both callback URLs", async () => {
    const res = await post("/create", "POST", {
      ...quickStart(),
      callbacks: { success_url: "http://10.0.0.1/ok", failure_url: "http://[fe80::1]/fail" },
    });
    expect(fields(expectProblem(res, 400))).toEqual(["callbacks.success_url", "callbacks.failure_url"]);
  });

  it("is refused on update, for each field sent", async () => {
    const created = await post("/create", "POST", quickStart());
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const res = await post(`/update/${id}`, "PATCH", {
      endpoint_url: "http://127.0.0.1:8080/",
      callbacks: { failure_url: "http://metadata.google.internal/" },
    });
    expect(fields(expectProblem(res, 400))).toEqual(["endpoint_url", "callbacks.failure_url"]);
    const ok = await post(`/update/${id}`, "PATCH", { endpoint_url: "https://example.org/hook" });
    expect(ok.status).toBe(200);
  });

  // Private, loopback, link-local and metadata addresses in the spellings WHATWG URL accepts.
  const privateSpellings = [
    "http://127.0.0.1/hook",
    "http://10.0.0.1/hook",
    "http://192.168.1.20/hook",
    "http://172.16.0.1/hook",
    "http://100.64.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://[::ffff:169.254.169.254]/",
    "http://2130706433/hook",
    "http://0x7f.1/hook",
    "http://0177.0.0.1/hook",
    "http://127.1/hook",
    "http://0/hook",
    "http://localhost:8787/hook",
    "http://localhost./hook",
    "http://api.localhost/hook",
    "http://metadata.google.internal/computeMetadata/v1/",
    "https://printer.local/hook",
  ];
  const channelTypes = ["webhook", "slack", "discord"] as const;

  it.each(privateSpellings.map((url, i) => [url, channelTypes[i % 3]] as const))(
    "an alert channel URL %s (%s) → 400 naming alerts.channels.N.url on create",
    async (url, type) => {
      const channels = [
        { type: "email", to: "ops@example.com" },
        { type, url },
      ];
      const res = await post("/create", "POST", { ...quickStart(), alerts: { channels } });
      const body = expectProblem(res, 400);
      expect(fields(body)).toEqual(["alerts.channels.1.url"]);
      expect(messageOf(body, "alerts.channels.1.url")).toMatch(/^is not allowed: /);
    },
  );

  it("names each refused alert channel on update, with the other fields; public channels pass", async () => {
    const created = await post("/create", "POST", quickStart());
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const res = await post(`/update/${id}`, "PATCH", {
      endpoint_url: "http://[::1]:8080/",
      alerts: {
        channels: privateSpellings.slice(0, 5).map((url, i) => ({ type: channelTypes[i % 3], url })),
      },
    });
    expect(fields(expectProblem(res, 400))).toEqual([
      "endpoint_url",
      ...[0, 1, 2, 3, 4].map((i) => `alerts.channels.${i}.url`),
    ]);
    for (const url of privateSpellings) {
      const one = await post(`/update/${id}`, "PATCH", { alerts: { channels: [{ type: "slack", url }] } });
      expect(fields(expectProblem(one, 400))).toEqual(["alerts.channels.0.url"]);
    }
    const ok = await post(`/update/${id}`, "PATCH", {
      alerts: {
        channels: [
          { type: "webhook", url: "https://hooks.example.org/edgecron" },
          { type: "slack", url: "https://hooks.slack.com/services/T0/B0/x" },
          { type: "discord", url: "https://discord.com/api/webhooks/1/abc" },
        ],
      },
    });
    expect(ok.status).toBe(200);
  });

  it("is allowed when ALLOW_PRIVATE_TARGETS is true (local development)", async () => {
    const res = await jobs.create({ ...quickStart(), endpoint_url: "http://127.0.0.1:8787/hook" });
    expect(res.status).toBe(201);
  });

  it("ALLOW_PRIVATE_TARGETS allows loopback only: metadata, private and link-local stay refused", async () => {
    for (const url of ["http://[::1]:8787/", "http://localhost:8787/hook", "http://127.0.0.1/"]) {
      const res = await jobs.create({
        ...quickStart(),
        endpoint_url: url,
        callbacks: { failure_url: url },
        alerts: { channels: [{ type: "webhook", url }] },
      });
      expect(res.status).toBe(201);
    }
    const refused = await jobs.create({
      ...quickStart(),
      endpoint_url: "http://169.254.169.254/latest/meta-data/",
      callbacks: { success_url: "http://10.0.0.1/ok", failure_url: "http://[fe80::1]/" },
      alerts: { channels: [{ type: "slack", url: "http://192.168.1.1/" }] },
    });
    expect(fields(expectProblem(refused, 400))).toEqual([
      "endpoint_url",
      "callbacks.success_url",
      "callbacks.failure_url",
      "alerts.channels.0.url",
    ]);
    const id = (await jobs.create(quickStart())).body.data.id;
    const update = await jobs.update(id, { endpoint_url: "http://10.0.0.1/" });
    expect(fields(expectProblem(update, 400))).toEqual(["endpoint_url"]);
  });
});

describe("ill-formed Unicode is refused everywhere (item 9)", () => {
  // A lone UTF-16 surrogate, as JSON escapes can carry one (JSON.stringify would escape it the same way).
  const lone = "\\ud83d";
  const raw = (json: string) => jobs.send("POST", "/create", json);
  const base = JSON.stringify(quickStart()).slice(0, -1);

  it.each([
    ["tags", `${base},"tags":["ok","bad${lone}"]}`, "tags.1"],
    ["a header value", `${base},"headers":{"X-Trace":"a${lone}"}}`, "headers.X-Trace"],
    ["name", `${JSON.stringify({ ...quickStart(), name: "N" }).replace('"N"', `"N${lone}"`)}`, "name"],
    ["description", `${base},"description":"${lone}x"}`, "description"],
    ["body", `${base},"body":"\\udc00"}`, "body"],
    ["a key", `${base},"headers":{"X-${lone}":"v"}}`, "headers"],
  ])("%s → 400 naming the field", async (_, json, field) => {
    const res = await raw(json);
    const body = expectProblem(res, 400);
    expect(fields(body)).toContain(field);
    expect(messageOf(body, field)).toMatch(/ill-formed/);
  });

  it("a well-formed surrogate pair (an emoji) is fine", async () => {
    const res = await jobs.create({ ...quickStart(), name: "Report 😀", tags: ["😀"] });
    expect(res.status).toBe(201);
    expect(res.body.data.name).toBe("Report 😀");
  });

  it("on update too", async () => {
    const created = await jobs.create(quickStart());
    const res = await jobs.send("PATCH", `/update/${created.body.data.id}`, `{"tags":["${lone}"]}`);
    expect(fields(expectProblem(res, 400))).toEqual(["tags.0"]);
  });
});

describe("a header named __proto__ is refused, never dropped (item 10)", () => {
  it("on create", async () => {
    const json = JSON.stringify(quickStart()).replace('"Authorization"', '"__proto__"');
    const res = await jobs.send("POST", "/create", json);
    const body = expectProblem(res, 400);
    expect(fields(body)).toEqual(["headers.__proto__"]);
  });

  it("on update", async () => {
    const created = await jobs.create(quickStart());
    const res = await jobs.send("PATCH", `/update/${created.body.data.id}`, '{"headers":{"__proto__":"x"}}');
    expect(fields(expectProblem(res, 400))).toEqual(["headers.__proto__"]);
  });

  it("constructor and toString are ordinary header names", async () => {
    const res = await jobs.create({ ...quickStart(), headers: { constructor: "a", toString: "b" } });
    expect(res.status).toBe(201);
    expect(res.body.data.headers).toEqual({ constructor: "a", toString: "b" });
  });
});

describe("ids are case-insensitive (item 11)", () => {
  it("an upper-case account id in the path works, as an upper-case job id does", async () => {
    const created = await jobs.create(quickStart());
    const id: string = created.body.data.id;
    const upper = `/v1/cron-jobs/${acct.accountId.toUpperCase()}`;
    const details = await api(`${upper}/details/${id.toUpperCase()}`, { headers: acct.headers });
    expect(details.status).toBe(200);
    expect(details.body.data.id).toBe(id);
    const list = await api(`${upper}/list`, { headers: acct.headers });
    expect(list.status).toBe(200);
    const logs = await api(`${upper}/logs/${id.toUpperCase()}`, { headers: acct.headers });
    expect(logs.status).toBe(200);
  });

  it("another account's id in upper case is still 403", async () => {
    const other = await createAccount("Other");
    const res = await api(`/v1/cron-jobs/${other.accountId.toUpperCase()}/list`, { headers: acct.headers });
    expectProblem(res, 403);
  });
});
