/**
 * The dashboard's job form keeps every writable field: jobs generated from CreateJobSchema's shape set each field
 * to a non-default value; each runs through the form's own code (job → form state → request body,
 * src/dashboard/client/job-form-state.ts) as an edit that changes nothing and as the save of a server-side clone,
 * and GET /details is compared field by field. A schema field with no generator, or one the form leaves out of
 * its request, fails here.
 */
import type { z } from "@hono/zod-openapi";
import { beforeAll, describe, expect, it } from "vitest";
import { formToRequest, type JobFormState, jobToForm, scheduleConfig } from "../../src/dashboard/client/job-form-state";
import type { Job } from "../../src/dashboard/client/types";
import { CreateJobSchema, JobSchema, UpdateJobSchema } from "../../src/jobs/schemas";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { jobsApi } from "../helpers/jobs";

type Json = Record<string, unknown>;

/** The schema under optional / nullable / default / transform wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  const def = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
  if (def.innerType && ["optional", "nullable", "default", "readonly", "nonoptional"].includes(def.type))
    return unwrap(def.innerType);
  if (def.type === "pipe" && def.in) return unwrap(def.in);
  return schema;
}

/** Every leaf of an object schema as a dotted path: nested objects are walked; arrays, records, unions are leaves. */
function leaves(schema: z.ZodType, prefix = ""): string[] {
  const inner = unwrap(schema);
  const def = inner._zod.def as { type: string; shape?: Record<string, z.ZodType> };
  if (def.type !== "object" || !def.shape) return [prefix];
  return Object.entries(def.shape).flatMap(([key, s]) => leaves(s, prefix ? `${prefix}.${key}` : key));
}

function at(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split(".")) v = v && typeof v === "object" ? (v as Json)[key] : undefined;
  return v;
}

const isPlain = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Leaf paths → values of a request fragment (plain objects walked, arrays kept whole). */
function flatten(value: Json, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlain(v)) for (const [p, x] of flatten(v, path)) out.set(p, x);
    else out.set(path, v);
  }
  return out;
}

function merge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [key, v] of Object.entries(b)) out[key] = isPlain(v) && isPlain(out[key]) ? merge(out[key] as Json, v) : v;
  return out;
}

const BASE = {
  name: "Round-trip job",
  endpoint_url: "https://api.example.com/run",
  method: "POST",
  timezone: "UTC",
};
const BASE_SCHEDULE = { repeat_type: "days", time: "09:00" };

/** A create body from a set of generated fields: the required ones from BASE, a daily schedule unless one is set. */
function finalize(fields: Json): Json {
  const sc = (fields.schedule_config ?? {}) as Json;
  const kind = sc.cron !== undefined || sc.run_at !== undefined || sc.repeat_type !== undefined;
  return { ...BASE, ...fields, schedule_config: kind ? sc : { ...BASE_SCHEDULE, ...sc } };
}

const schedule = (sc: Json) => ({ schedule_config: sc });
const slow = { alerts: { slow_run: { threshold_ms: 1500, measure: "p95", window: 40 } } };
const slo = {
  alerts: { slo: { success_rate: 0.995, latency_ms: 800, latency_target: 0.9, window_days: 14, burn_alerts: false } },
};
const retry = (r: Json) => ({ retry_config: r });

/**
 * For each leaf of CreateJobSchema, the fields that set it to a non-default value (with what the value needs
 * beside it). Secrets are among them: a header the API always treats as secret, a named one, a secret body, a
 * secret query value, bearer channel URLs.
 */
const GENERATORS: Record<string, Json> = {
  name: { name: "Round-trip ünïcode — name" },
  description: { description: "Every field, through the form" },
  endpoint_url: { endpoint_url: "https://api.example.com/other/path?plain=1" },
  method: { method: "PUT" },
  headers: { headers: { Authorization: "Bearer rt-authz-secret", "X-Plain": "plain value", "Content-Type": "a/b" } },
  body: { body: '{"report":"daily"}' },
  secret_headers: { secret_headers: ["X-Tenant"], headers: { "X-Tenant": "rt-tenant-secret" } },
  secret_query_params: {
    secret_query_params: ["api_key"],
    endpoint_url: "https://api.example.com/run?api_key=rt-query-secret&v=2",
    callbacks: { failure_url: "https://cb.example.com/fail?api_key=rt-cb-secret" },
  },
  body_is_secret: { body_is_secret: true, body: '{"password":"rt-body-secret"}' },
  timezone: { timezone: "Asia/Kathmandu" },
  "schedule_config.repeat_type": schedule({ repeat_type: "hourly", time: "00:20" }),
  "schedule_config.repeat_every": schedule({ repeat_type: "days", repeat_every: 3, time: "09:00" }),
  "schedule_config.time": schedule({ repeat_type: "days", time: "17:05" }),
  "schedule_config.days_of_week": schedule({ repeat_type: "weeks", time: "06:45", days_of_week: ["1", "5"] }),
  "schedule_config.day_of_month": schedule({ repeat_type: "months", time: "08:00", day_of_month: 31 }),
  "schedule_config.end_type": schedule({ end_type: "after", end_occurrences: 12 }),
  "schedule_config.end_date": schedule({ end_type: "on", end_date: "2099-12-31T18:30:00Z" }),
  "schedule_config.end_occurrences": schedule({ end_type: "after", end_occurrences: 12 }),
  "schedule_config.run_at": schedule({ run_at: "2099-06-01T12:00:00+02:00" }),
  "schedule_config.start_date": schedule({ start_date: "2099-01-15" }),
  "schedule_config.cron": schedule({ cron: "*/15 9-17 * * 1-5" }),
  "schedule_config.additional_times": schedule({
    repeat_type: "days",
    time: "09:00",
    additional_times: ["12:30", "17:45"],
  }),
  tags: { tags: ["round-trip", "every field"] },
  "alerts.channels": {
    alerts: {
      channels: [
        { type: "webhook", url: "https://alerts.example.com/hooks/rt-webhook-secret" },
        { type: "slack", url: "https://hooks.slack.com/services/T0/B0/rtslacksecret" },
        { type: "discord", url: "https://discord.com/api/webhooks/42/rtdiscordsecret" },
        { type: "email", to: "ops@example.com" },
      ],
    },
  },
  "alerts.after_consecutive_failures": { alerts: { after_consecutive_failures: 3 } },
  "alerts.remind_every_minutes": { alerts: { remind_every_minutes: 30 } },
  "alerts.on_recovery": { alerts: { on_recovery: false } },
  "alerts.slow_run.threshold_ms": slow,
  "alerts.slow_run.measure": slow,
  "alerts.slow_run.window": slow,
  "alerts.auto_disable_after": { alerts: { auto_disable_after: 5 } },
  "alerts.on_missed": { alerts: { on_missed: true } },
  "alerts.on_skipped": { alerts: { on_skipped: true } },
  "alerts.late_after_seconds": { alerts: { late_after_seconds: 90 } },
  "alerts.on_dead_lettered": { alerts: { on_dead_lettered: true } },
  "alerts.slo.success_rate": slo,
  "alerts.slo.latency_ms": slo,
  "alerts.slo.latency_target": slo,
  "alerts.slo.window_days": slo,
  "alerts.slo.burn_alerts": slo,
  "completion.mode": { completion: { mode: "callback", timeout_seconds: 3600 } },
  "completion.timeout_seconds": { completion: { mode: "callback", timeout_seconds: 3600 } },
  request_signature: { request_signature: false },
  jitter_seconds: { jitter_seconds: 45 },
  overlap_policy: { overlap_policy: "queue" },
  catchup: { catchup: "none" },
  max_lateness_seconds: { max_lateness_seconds: 300 },
  is_active: { is_active: false },
  paused_until: { paused_until: "2099-12-24T00:00:00Z" },
  pause_reason: { is_active: false, pause_reason: "Holidays" },
  "retry_config.max_retries": retry({ max_retries: 7 }),
  "retry_config.retry_delay_seconds": retry({ retry_delay_seconds: 120 }),
  "retry_config.timeout_seconds": retry({ timeout_seconds: 45 }),
  "retry_config.backoff": retry({ backoff: "exponential" }),
  "retry_config.retry_on_status_codes": retry({ retry_on_status_codes: "500-599,429" }),
  "retry_config.retry_on_timeout": retry({ retry_on_timeout: false }),
  "retry_config.retry_on_error": retry({ retry_on_error: false }),
  "callbacks.success_url": { callbacks: { success_url: "https://cb.example.com/success" } },
  "callbacks.failure_url": { callbacks: { failure_url: "https://cb.example.com/failure" } },
  "callbacks.notify": { callbacks: { notify: "on_change" } },
  "success_rules.status_codes": { success_rules: { status_codes: "200-299,304" } },
  "success_rules.body_contains": { success_rules: { body_contains: '"ok":true' } },
  "success_rules.body_not_contains": { success_rules: { body_not_contains: "Error" } },
};

const FIELDS = leaves(CreateJobSchema);
const EXCLUDE_CALENDARS = "schedule_config.exclude_calendars";

/**
 * Jobs that together carry every generator: each generator joins the first job it fits (no field set twice with
 * different values, and the whole still a valid create body), else starts a new one.
 */
function generateJobs(): Json[] {
  const jobs: Json[] = [];
  for (const leaf of FIELDS) {
    const patch = GENERATORS[leaf];
    if (!patch) continue;
    const fits = (job: Json) => {
      const have = flatten(job);
      for (const [path, v] of flatten(patch))
        if (have.has(path) && JSON.stringify(have.get(path)) !== JSON.stringify(v)) return false;
      return CreateJobSchema.safeParse(finalize(merge(job, patch))).success;
    };
    const i = jobs.findIndex(fits);
    if (i >= 0) jobs[i] = merge(jobs[i] as Json, patch);
    else jobs.push(patch);
  }
  return jobs.map(finalize);
}

/** GET /details fields a change-nothing edit may move: the update time, and next_runs (counted from now). */
const EDIT_IGNORED = new Set(["updated_at", "next_runs"]);
/** What a copy has of its own. */
const CLONE_IGNORED = new Set([
  ...EDIT_IGNORED,
  "id",
  "name",
  "is_active",
  "state",
  // A copy starts paused with no end, or active: never the source's pause.
  "paused_until",
  "pause_reason",
  "created_at",
  "next_run_at",
  "last_run_at",
  "last_run_status",
  "consecutive_failures",
  "total_executions",
  "successful_executions",
  "failed_executions",
  "skipped_runs",
]);

function expectSameFields(actual: Json, expected: Json, ignored: Set<string>, what: string) {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of keys) {
    if (!ignored.has(key)) expect(actual[key], `${what}: ${key}`).toEqual(expected[key]);
  }
}

/** The form's request for a job, as the browser sends it on Save with nothing touched. */
function formRequest(job: Json) {
  const request = formToRequest(jobToForm(job as unknown as Job));
  if ("errors" in request) throw new Error(`form refused the job: ${JSON.stringify(request.errors)}`);
  return request.body;
}

describe("the job form round-trips every writable field", () => {
  let acct: TestAccount;
  let jobs: ReturnType<typeof jobsApi>;
  /** A job created with the required fields only: every other field at its default. */
  let minimal: Json;

  beforeAll(async () => {
    acct = await createAccount("Form round-trip");
    jobs = jobsApi(acct);
    // Excluded calendars must be the account's own: the generator names one made here.
    if (FIELDS.includes(EXCLUDE_CALENDARS)) {
      const cal = await jobs.send("POST", "/calendars", { name: "Round-trip holidays", dates: ["2099-12-25"] });
      expect(cal.status, JSON.stringify(cal.body)).toBe(201);
      GENERATORS[EXCLUDE_CALENDARS] = schedule({ exclude_calendars: [cal.body.data.id] });
    }
    const res = await jobs.create(finalize({}));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    minimal = (await jobs.details(res.body.data.id)).body.data;
  });

  it("has a generator for every field of CreateJobSchema, and no generator for a field it lacks", () => {
    expect(FIELDS.length).toBeGreaterThan(40);
    expect(FIELDS.filter((f) => !GENERATORS[f])).toEqual([]);
    expect(Object.keys(GENERATORS).filter((g) => !FIELDS.includes(g))).toEqual([]);
    // The PATCH body writes the same fields; its other fields are the job object's read-only ones.
    const extra = Object.keys(UpdateJobSchema.shape).filter((k) => !(k in CreateJobSchema.shape));
    expect(extra.filter((k) => !(k in JobSchema.shape))).toEqual([]);
  });

  it("generates jobs that together set every field to a non-default value", async () => {
    const generated = generateJobs();
    // cron, run_at and the repeat kinds exclude each other.
    expect(generated.length).toBeGreaterThan(3);
    const shown: Json[] = [];
    for (const body of generated) {
      const res = await jobs.create(body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      shown.push(res.body.data);
    }
    const unset = FIELDS.filter(
      (f) => !shown.some((job) => JSON.stringify(at(job, f)) !== JSON.stringify(at(minimal, f))),
    );
    expect(unset).toEqual([]);
  });

  it("edit without changes: the form's PATCH names every set field and leaves GET /details as it was", async () => {
    for (const body of generateJobs()) {
      const created = await jobs.create(body);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.data.id as string;
      const before = (await jobs.details(id)).body.data as Json;
      const request = formRequest(before);
      // A field the form leaves out would be kept by PATCH: so every field this job sets must be in the request.
      const missing = FIELDS.filter(
        (f) =>
          at(before, f) !== undefined &&
          JSON.stringify(at(before, f)) !== JSON.stringify(at(minimal, f)) &&
          at(request, f) === undefined,
      );
      expect(missing, `fields the form does not send (job ${JSON.stringify(body)})`).toEqual([]);
      const res = await jobs.update(id, request);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const after = (await jobs.details(id)).body.data as Json;
      expectSameFields(after, before, EDIT_IGNORED, `edit of ${JSON.stringify(body)}`);
    }
  });

  it("clone: the server's copy saved through the form equals its source field by field", async () => {
    for (const body of generateJobs()) {
      const created = await jobs.create(body);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const source = (await jobs.details(created.body.data.id)).body.data as Json;
      const cloned = await jobs.send("POST", `/clone/${source.id}`);
      expect(cloned.status, JSON.stringify(cloned.body)).toBe(201);
      const copyId = cloned.body.data.id as string;
      // The dashboard opens the copy's edit form; Save sends the form's request.
      const opened = (await jobs.details(copyId)).body.data as Json;
      const res = await jobs.update(copyId, formRequest(opened));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const copy = (await jobs.details(copyId)).body.data as Json;
      expectSameFields(copy, source, CLONE_IGNORED, `clone of ${JSON.stringify(body)}`);
      expect(copy.name).toBe(`${source.name} (copy)`);
      expect(copy.is_active).toBe(false);
    }
  });

  it("a new job's form, filled with the required fields only, creates the API's default job", async () => {
    const state: JobFormState = jobToForm(null, BASE.timezone);
    Object.assign(state, { name: BASE.name, endpoint_url: BASE.endpoint_url, method: BASE.method });
    const request = formToRequest(state);
    if ("errors" in request) throw new Error(JSON.stringify(request.errors));
    const res = await jobs.create(request.body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const job = (await jobs.details(res.body.data.id)).body.data as Json;
    expectSameFields(job, minimal, new Set([...CLONE_IGNORED].filter((k) => k !== "is_active" && k !== "name")), "new");
  });
});

describe("the job form's own checks", () => {
  const job = (over: Partial<JobFormState>) => ({
    ...jobToForm(null),
    name: "x",
    endpoint_url: "https://e.test",
    ...over,
  });

  it("names a bad header line, an empty replacement and an empty new channel by the API's field names", () => {
    const base = jobToForm(null);
    const request = formToRequest(
      job({
        headers: "X-Ok: 1\nnot a header",
        secretHeaders: [{ name: "Authorization", token: "[redacted:0a1b2c3d]", choice: { value: " " } }],
        alerts: {
          ...base.alerts,
          channels: [
            { type: "slack", token: "https://hooks.slack.com/…[redacted:0a1b2c3d]", choice: { removed: true } },
            { type: "email", target: "ops@example.com" },
            { type: "webhook", target: "  " },
          ],
        },
      }),
    );
    expect("errors" in request && request.errors.map((e) => e.field)).toEqual([
      "headers",
      "headers.Authorization",
      "alerts.channels.1",
    ]);
    // The removed channel is not sent: the API's index 1 is the form's third row.
    expect(request.channelRows).toEqual([1, 2]);
  });

  it("sends a stored secret as its token, a replacement as its value, a removed one not at all", () => {
    const base = jobToForm(null);
    const request = formToRequest(
      job({
        headers: "X-Plain: 1",
        secretHeaders: [
          { name: "Authorization", token: "[redacted:0a1b2c3d]", choice: { keep: "[redacted:0a1b2c3d]" } },
          { name: "X-Api-Key", token: "[redacted:1a1b2c3d]", choice: { value: "new-key" } },
          { name: "Cookie", token: "[redacted:2a1b2c3d]", choice: { removed: true } },
        ],
        body: { token: "[redacted:3a1b2c3d]", choice: { keep: "[redacted:3a1b2c3d]" } },
        alerts: {
          ...base.alerts,
          channels: [
            {
              type: "discord",
              token: "https://discord.com/…[redacted:4a1b2c3d]",
              choice: { value: "https://d.test/x" },
            },
          ],
        },
      }),
    );
    if ("errors" in request) throw new Error(JSON.stringify(request.errors));
    expect(request.body.headers).toEqual({
      "X-Plain": "1",
      Authorization: "[redacted:0a1b2c3d]",
      "X-Api-Key": "new-key",
    });
    expect(request.body.body).toBe("[redacted:3a1b2c3d]");
    expect((request.body.alerts as Json).channels).toEqual([{ type: "discord", url: "https://d.test/x" }]);
  });
});

describe("the job form's excluded calendars", () => {
  it("sends them when ticked or stored, and leaves a schedule without them as it was", () => {
    const state = jobToForm(null);
    expect(state.schedule.exclude_calendars).toBeNull();
    expect(scheduleConfig(state.schedule)).not.toHaveProperty("exclude_calendars");
    const ids = ["550e8400-e29b-41d4-a716-446655440000"];
    expect(scheduleConfig({ ...state.schedule, exclude_calendars: ids })).toMatchObject({ exclude_calendars: ids });
    // Unticking every calendar of a job that had some clears them.
    expect(scheduleConfig({ ...state.schedule, exclude_calendars: [] })).toMatchObject({ exclude_calendars: [] });
    const stored = jobToForm({
      schedule_config: { repeat_type: "days", time: "09:00", exclude_calendars: ids },
    } as unknown as Job);
    expect(stored.schedule.exclude_calendars).toEqual(ids);
  });
});

describe("the job form's several schedules", () => {
  let jobs: ReturnType<typeof jobsApi>;
  beforeAll(async () => {
    jobs = jobsApi(await createAccount("Form schedules"));
  });

  it("keeps several cron expressions, and a stored list of one as a list, through an edit that changes nothing", async () => {
    for (const cron of [["0 9 * * 1-5", "30 17 * * 0"], ["*/20 * * * *"], "15 3 * * *"]) {
      const created = await jobs.create(finalize({ schedule_config: { cron } }));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const before = (await jobs.details(created.body.data.id)).body.data as Json;
      expect(jobToForm(before as unknown as Job).schedule.cron).toEqual(typeof cron === "string" ? [cron] : cron);
      const res = await jobs.update(created.body.data.id, formRequest(before));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const after = (await jobs.details(created.body.data.id)).body.data as Json;
      expect(after.schedule_config).toEqual(before.schedule_config);
      expect(after.schedules).toEqual(typeof cron === "string" ? [cron] : cron);
    }
  });

  it("sends each row added in the form: two expressions, or a preset's time and more times", async () => {
    const state = jobToForm(null, "UTC");
    Object.assign(state, { name: "Two times", endpoint_url: BASE.endpoint_url });
    state.schedule = { ...state.schedule, mode: "cron", cron: ["0 9 * * *", "30 18 * * *"] };
    const cronRequest = formToRequest(state);
    if ("errors" in cronRequest) throw new Error(JSON.stringify(cronRequest.errors));
    const cronJob = await jobs.create(cronRequest.body);
    expect(cronJob.status, JSON.stringify(cronJob.body)).toBe(201);
    expect(cronJob.body.data.schedules).toEqual(["0 9 * * *", "30 18 * * *"]);

    state.schedule = { ...state.schedule, mode: "repeat", time: "09:00", additional_times: ["12:30", "17:45"] };
    const timesRequest = formToRequest(state);
    if ("errors" in timesRequest) throw new Error(JSON.stringify(timesRequest.errors));
    const timesJob = await jobs.create(timesRequest.body);
    expect(timesJob.status, JSON.stringify(timesJob.body)).toBe(201);
    expect(timesJob.body.data.schedules).toHaveLength(3);
    expect(timesJob.body.data.schedule_config.additional_times).toEqual(["12:30", "17:45"]);
  });

  it("sends an empty row too, so the API's error names the row by its index", async () => {
    const state = jobToForm(null, "UTC");
    Object.assign(state, { name: "Empty row", endpoint_url: BASE.endpoint_url });
    state.schedule = { ...state.schedule, mode: "cron", cron: ["0 9 * * *", " "] };
    const request = formToRequest(state);
    if ("errors" in request) throw new Error(JSON.stringify(request.errors));
    expect((request.body.schedule_config as Json).cron).toEqual(["0 9 * * *", ""]);
    const res = await jobs.create(request.body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(["schedule_config.cron.1"]);
  });
});
