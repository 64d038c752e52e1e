/**
 * The SDK and the built CLI against the running Worker (`wrangler dev`, see support/worker.ts): jobs call this
 * test's loopback server through the real http executor, and callbacks come back to it signed.
 *   SDK: create → list with the iterator → run → logs by cursor → export (NDJSON and CSV) → callback signature → delete;
 *        a job's history, a dead letter (written into the shard: the queue gives up only after 10 deliveries),
 *        replay one and in bulk, callback deliveries and a redelivery the target receives again.
 *   CLI: every command, its --json output and its exit status; credentials stored with mode 0600.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevServer } from "../../../bench/lib/wrangler-dev.js";
import { executeStatements } from "../../../scripts/lib/d1.js";
import { shardDatabase } from "../../../scripts/lib/shards.js";
import { deadLetter } from "../../../test/e2e/seed-runs.js";
import { EXIT } from "../src/cli/exit-codes.js";
import {
  type BulkReplayItem,
  type CallbackPayload,
  type DeadLetter,
  type Delivery,
  EdgecronApiError,
  EdgecronClient,
  type ExecutionLog,
  type Job,
  type JobCreate,
  type JobUpdate,
  type RunEntry,
  verifyCallbackRequest,
  verifyCallbackSignature,
  verifyRequestSignature,
} from "../src/index.js";
import { createAccount, startTarget, startWorker, waitFor } from "./support/worker.js";

const CLI = resolve(import.meta.dirname, "../dist/cli.js");

let dev: DevServer | undefined;
let target: Awaited<ReturnType<typeof startTarget>> | undefined;
let account: ReturnType<typeof createAccount>;
let sdk: EdgecronClient;
/** A read_only key made through the SDK, used by the CLI tests for the 403 exit status. */
let readOnly: { api_key: string; api_secret: string } | undefined;
/** The history/replay/deliveries job and its seeded dead letter, shared by the SDK and CLI tests. */
let replayJob: Job | undefined;
let deadId = "";

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build -w @edgecron/client\` first`);
  target = await startTarget();
  account = createAccount(`client e2e ${new Date().toISOString()}`);
  dev = await startWorker();
  sdk = new EdgecronClient({
    baseUrl: dev.base,
    accountId: account.account_id,
    apiKey: account.api_key,
    apiSecret: account.api_secret,
  });
});

afterAll(async () => {
  await dev?.stop();
  await target?.close();
});

function jobInput(name: string, path: string, extra: Record<string, unknown> = {}): JobCreate {
  return {
    name,
    endpoint_url: `${target?.base}${path}`,
    method: "POST",
    body: '{"hello":"edgecron"}',
    timezone: "UTC",
    schedule_config: { cron: "0 0 1 1 *" }, // once a year: only the test's own runs happen
    retry_config: { max_retries: 0, timeout_seconds: 10 },
    ...extra,
  } as JobCreate;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

describe("SDK against the Worker", () => {
  let job: Job;
  const runs: string[] = [];

  it("creates jobs and lists them with the page iterator", async () => {
    job = await sdk.createJob(
      jobInput("sdk ok", "/ok", { tags: ["sdk-e2e"], callbacks: { success_url: `${target?.base}/callback` } }),
    );
    expect(job).toMatchObject({ name: "sdk ok", is_active: true, tags: ["sdk-e2e"] });
    const others = [await sdk.createJob(jobInput("sdk two", "/ok", { tags: ["sdk-e2e"] }))];
    others.push(await sdk.createJob(jobInput("sdk three", "/ok", { tags: ["sdk-e2e"] })));
    const pages = await all(sdk.jobPages({ limit: 2, tags: "sdk-e2e" }));
    expect(pages.map((p) => p.data.length)).toEqual([2, 1]);
    const listed = await all(sdk.jobs({ limit: 2, tags: "sdk-e2e" }));
    expect(listed.map((j) => j.id).sort()).toEqual([job.id, ...others.map((o) => o.id)].sort());
    for (const o of others) await sdk.deleteJob(o.id);
  });

  it("runs the job, which calls the endpoint", async () => {
    for (let i = 0; i < 3; i++) {
      const run = await sdk.runJob(job.id);
      expect(run).toMatchObject({ status: "success", response_code: 200 });
      runs.push(run.execution_id);
    }
    const calls = target?.received.filter((r) => r.path === "/ok" && r.body === '{"hello":"edgecron"}') ?? [];
    expect(calls).toHaveLength(3);
    // Each request is signed for the job's endpoint_url, method and body, with the account's signing secret.
    for (const call of calls) {
      const header = call.headers["x-edgecron-request-signature"] as string;
      const request = { method: "POST", url: job.endpoint_url, body: call.body };
      expect(await verifyRequestSignature(request, { header, secret: account.signing_secret })).toMatchObject({
        ok: true,
      });
      expect((await verifyRequestSignature(request, { header, secret: "whsec_wrong" })).ok).toBe(false);
    }
  });

  it("an Idempotency-Key makes a retried create or run answer the first one", async () => {
    const key = randomUUID();
    const input = jobInput("sdk idempotent", "/ok", { tags: ["sdk-idem"] });
    const first = await sdk.createJob(input, { idempotencyKey: key });
    expect((await sdk.createJob(input, { idempotencyKey: key })).id).toBe(first.id);
    expect(await all(sdk.jobs({ tags: "sdk-idem" }))).toHaveLength(1);
    const runKey = randomUUID();
    const run = await sdk.runJob(first.id, { idempotencyKey: runKey });
    expect((await sdk.runJob(first.id, { idempotencyKey: runKey })).execution_id).toBe(run.execution_id);
    const reused = await sdk.createJob({ ...input, name: "another" }, { idempotencyKey: key }).catch((e: unknown) => e);
    expect((reused as EdgecronApiError).status).toBe(422);
    await sdk.deleteJob(first.id);
  });

  it("shows secrets as tokens, keeps them when a job is sent back, and clones them on the server", async () => {
    const secret = "Bearer sk_sdk_secret_value";
    const source = await sdk.createJob(
      jobInput("sdk secret", "/secret", { headers: { Authorization: secret }, tags: ["sdk-secret"] }),
    );
    expect(source.headers.Authorization).toMatch(/^\[redacted:[0-9a-f]{8}\]$/);
    expect(JSON.stringify(source)).not.toContain("sk_sdk_secret_value");
    const renamed = await sdk.updateJob(source.id, { ...source, name: "sdk secret renamed" } as JobUpdate);
    expect(renamed.headers.Authorization).toBe(source.headers.Authorization);
    const paused = await sdk.cloneJob(source.id);
    expect(paused).toMatchObject({ name: "sdk secret renamed (copy)", is_active: false });
    const copy = await sdk.cloneJob(source.id, { name: "sdk secret copy", is_active: true });
    expect(copy).toMatchObject({ name: "sdk secret copy", is_active: true });
    expect(copy.headers.Authorization).toBe(source.headers.Authorization);
    await sdk.runJob(copy.id);
    const call = target?.received.filter((r) => r.path === "/secret").at(-1);
    expect(call?.headers.authorization).toBe(secret);
    for (const id of [source.id, paused.id, copy.id]) await sdk.deleteJob(id);
  });

  it("walks the logs newest first by cursor, without a repeat or a gap", async () => {
    const pages = await all(sdk.logPages({ jobId: job.id, limit: 2 }));
    expect(pages.map((p) => p.data.length)).toEqual([2, 1]);
    expect(pages.at(-1)?.pagination.next_cursor).toBeNull();
    const logs = pages.flatMap((p) => p.data);
    expect(new Set(logs.map((l) => l.id))).toEqual(new Set(runs));
    const order = logs.map((l) => [l.executed_at, l.id].join("|"));
    expect(order).toEqual([...order].sort().reverse());
    expect(await all(sdk.logs({ tags: "sdk-e2e", limit: 1 }))).toHaveLength(3);
    expect((await sdk.logsPage({ jobId: job.id, status: "failure" })).data).toEqual([]);
  });

  it("filters logs by response code and latency (pages and exports), searches text, reads the metrics", async () => {
    expect((await sdk.logsPage({ jobId: job.id, response_code: "2xx", min_response_time_ms: 0 })).data).toHaveLength(3);
    expect((await sdk.logsPage({ jobId: job.id, response_code: "5xx" })).data).toEqual([]);
    expect(await all(sdk.exportRecords({ jobId: job.id, response_code: "5xx" }))).toEqual([]);
    const search = await sdk.logsPage({ jobId: job.id, q: "no-such-text-anywhere" });
    expect(search.data).toEqual([]);
    expect(search.scan).toMatchObject({ complete: true, next_cursor: null });
    const prom = await sdk.metrics();
    expect(prom).toContain(`edgecron_job_up{job_id="${job.id}"`);
    expect(prom).not.toContain("# EOF");
    expect(await sdk.metrics({ format: "openmetrics" })).toMatch(/# EOF\n$/);
  });

  it("calendars (an ICS file's all-day event becomes a date) and maintenance windows", async () => {
    const cal = await sdk.calendars.create({ name: "sdk holidays", timezone: "Europe/Berlin", dates: ["2027-01-01"] });
    const ics = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//edgecron//client e2e//EN",
      "BEGIN:VEVENT",
      "UID:xmas@client-e2e",
      "DTSTAMP:20261201T000000Z",
      "DTSTART;VALUE=DATE:20271225",
      "DTEND;VALUE=DATE:20271226",
      "SUMMARY:Christmas",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ].join("\r\n");
    expect((await sdk.calendars.importIcs(cal.id, ics)).dates).toEqual(["2027-01-01", "2027-12-25"]);
    expect((await all(sdk.calendars.list())).map((c) => c.id)).toContain(cal.id);
    const win = await sdk.maintenanceWindows.create({
      recurrence: { cron: "0 2 * * 0", duration_minutes: 120 },
      action: "mute",
      job_ids: [job.id],
    });
    expect((await sdk.maintenanceWindows.get(win.id)).recurrence).toEqual({ cron: "0 2 * * 0", duration_minutes: 120 });
    expect((await sdk.maintenanceWindows.delete(win.id)).id).toBe(win.id);
    expect((await sdk.calendars.delete(cal.id)).id).toBe(cal.id);
    const gone = await sdk.calendars.get(cal.id).catch((e: unknown) => e);
    expect((gone as EdgecronApiError).status).toBe(404);
  });

  it("streams the export: NDJSON records oldest first, and CSV as an attachment", async () => {
    const records: ExecutionLog[] = await all(sdk.exportRecords({ jobId: job.id }));
    expect(records.map((r) => r.id).sort()).toEqual([...runs].sort());
    const times = records.map((r) => r.executed_at);
    expect(times).toEqual([...times].sort());
    const csv = await sdk.exportLogs({ jobId: job.id, format: "csv" });
    expect(csv.contentType).toMatch(/^text\/csv/);
    expect(csv.filename).toBe(`edgecron-logs-${job.id}.csv`);
    const text = await new Response(csv.body).text();
    const rows = text.trimEnd().split("\r\n");
    expect(rows[0]?.startsWith("id,")).toBe(true);
    expect(rows).toHaveLength(4);
  });

  it("receives success callbacks whose signature verifies with the account's signing secret", async () => {
    const callback = await waitFor("a signed callback", () =>
      target?.received.find((r) => r.path === "/callback" && runs.includes(JSON.parse(r.body).execution_id)),
    );
    const header = callback.headers["x-edgecron-signature"] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}/);
    expect(await verifyCallbackSignature(callback.body, { header, secret: account.signing_secret })).toMatchObject({
      ok: true,
    });
    const verified = {
      payload: await verifyCallbackRequest(
        new Request(`${target?.base}/callback`, {
          method: "POST",
          body: callback.body,
          headers: { "X-Edgecron-Signature": header },
        }),
        { secret: account.signing_secret },
      ),
    };
    expect(await verifyCallbackSignature(callback.body, { header, secret: "whsec_wrong" })).toEqual({
      ok: false,
      reason: "mismatch",
    });
    const payload = verified.payload;
    expect(payload).toMatchObject({ cron_job_id: job.id, status: "success" });
    // The SDK's CallbackPayload type (written by hand: callbacks are not in the OpenAPI document) names exactly the
    // fields the Worker sends; this object must list every key of the type, or the typecheck fails.
    const fields: Record<keyof CallbackPayload, true> = {
      cron_job_id: true,
      cron_job_name: true,
      execution_id: true,
      status: true,
      executed_at: true,
      response_code: true,
      response_time_ms: true,
      response_body: true,
      error_message: true,
      retry_attempt: true,
      next_retry_at: true,
    };
    expect(Object.keys(payload).sort()).toEqual(Object.keys(fields).sort());
  });

  it("deletes the job; it is then a 404 problem", async () => {
    expect(await sdk.deleteJob(job.id)).toMatchObject({ id: job.id });
    const err = await sdk.getJob(job.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdgecronApiError);
    expect((err as EdgecronApiError).status).toBe(404);
    expect((err as EdgecronApiError).message).toContain(job.id);
  });

  it("previews a schedule without creating a job", async () => {
    const preview = await sdk.previewSchedule({ schedule_config: { cron: "0 9 * * 1" }, timezone: "UTC", count: 2 });
    expect(preview.next_runs).toHaveLength(2);
    expect(preview.next_runs[0]).toMatch(/T09:00:00Z$/);
  });

  it("manages API keys: a read_only key reads but is refused writes (403); a revoked key gets 401", async () => {
    const key = await sdk.createKey({ name: "sdk e2e read-only", scope: "read_only" });
    expect(key.api_secret).toBeTruthy();
    expect((await sdk.listKeys()).map((k) => k.id)).toContain(key.id);
    readOnly = { api_key: key.id, api_secret: key.api_secret };
    const reader = new EdgecronClient({ ...sdkOptions(), apiKey: key.id, apiSecret: key.api_secret });
    await expect(reader.listJobs()).resolves.toMatchObject({ data: expect.any(Array) });
    const refused = await reader.createJob(jobInput("nope", "/ok")).catch((e: unknown) => e);
    expect((refused as EdgecronApiError).status).toBe(403);
    const temp = await sdk.createKey({ name: "sdk e2e revoked" });
    expect((await sdk.revokeKey(temp.id)).status).toBe("revoked");
    const revoked = new EdgecronClient({ ...sdkOptions(), apiKey: temp.id, apiSecret: temp.api_secret });
    expect(((await revoked.listJobs().catch((e: unknown) => e)) as EdgecronApiError).status).toBe(401);
  });

  it("throws a 401 EdgecronApiError for a wrong secret", async () => {
    const bad = new EdgecronClient({ ...sdkOptions(), apiSecret: "es_wrong" });
    const err = await bad.listJobs().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdgecronApiError);
    expect((err as EdgecronApiError).status).toBe(401);
    expect((err as EdgecronApiError).problem?.status).toBe(401);
  });
});

describe("SDK: history, dead letters, replay and deliveries against the Worker", () => {
  const runs: string[] = [];

  it("lists a job's history newest first: each run with its execution id; a dead run with its reason", async () => {
    replayJob = await sdk.createJob(
      jobInput("sdk replay", "/ok", { callbacks: { success_url: `${target?.base}/callback` }, catchup: "none" }),
    );
    expect(replayJob).toMatchObject({ catchup: "none", max_lateness_seconds: null });
    for (let i = 0; i < 2; i++) runs.push((await sdk.runJob(replayJob.id)).execution_id);
    const dead = deadLetter({
      accountId: account.account_id,
      jobId: replayJob.id,
      slot: Date.now() - 60 * 60_000,
      reason: "undelivered",
      nonce: "client-e2e",
    });
    executeStatements({ remote: false }, dead.insert, shardDatabase(account.shard));
    deadId = dead.id;
    const history: RunEntry[] = await all(sdk.runs(replayJob.id, { limit: 1 }));
    expect(history.map((r) => (r.kind === "run" ? r.execution_id : null))).toEqual([...runs].reverse().concat(deadId));
    expect(history[0]).toMatchObject({ kind: "run", state: "done", origin: "manual", attempt: 0 });
    expect(history.at(-1)).toMatchObject({ kind: "run", state: "dead", reason: "undelivered" });
    const onlyDead = await sdk.runsPage(replayJob.id, { state: "dead" });
    expect(onlyDead.data.map((r) => r.state)).toEqual(["dead"]);
  });

  it("lists the dead letter account-wide; replay runs its job again, once per Idempotency-Key", async () => {
    const dead: DeadLetter[] = await all(sdk.deadLetters({ limit: 1 }));
    expect(dead).toEqual([expect.objectContaining({ execution_id: deadId, reason: "undelivered", state: "dead" })]);
    const key = randomUUID();
    const first = await sdk.replay(deadId, { idempotencyKey: key });
    expect(first).toMatchObject({ replay_of: deadId, cron_job_id: replayJob?.id, status: "success" });
    expect((await sdk.replay(deadId, { idempotencyKey: key })).execution_id).toBe(first.execution_id);
    const log = (await sdk.logsPage({ jobId: replayJob?.id ?? "", limit: 1 })).data[0];
    expect(log).toMatchObject({ id: first.execution_id, trigger: "replay" });
    const missing = await sdk.replay("exe_00000000000000000000000000").catch((e: unknown) => e);
    expect((missing as EdgecronApiError).status).toBe(404);
  });

  it("bulk replay queues each known id and says which are not found", async () => {
    const results: BulkReplayItem[] = await sdk.replayMany([deadId, "exe_00000000000000000000000000"]);
    expect(results.map((r) => [r.execution_id, r.status])).toEqual([
      [deadId, "queued"],
      ["exe_00000000000000000000000000", "not_found"],
    ]);
    const queued = results[0]?.replay_execution_id ?? "";
    await waitFor(
      "the queued replay's log",
      async () => (await sdk.logsPage({ jobId: replayJob?.id ?? "", limit: 5 })).data.find((l) => l.id === queued),
      30_000,
      1500,
    );
  });

  it("lists the callback deliveries; a redelivery reaches the target again and counts an attempt", async () => {
    const jobId = replayJob?.id ?? "";
    const callbacks = () =>
      target?.received.filter((r) => r.path === "/callback" && JSON.parse(r.body).execution_id === runs[0]) ?? [];
    await waitFor("the first run's callback at the target", () => (callbacks().length > 0 ? true : undefined));
    const delivered = await waitFor(
      "its delivery listed as delivered",
      async () => {
        const page = await sdk.deliveriesPage({ cron_job_id: jobId, kind: "callback", state: "delivered" });
        return page.data.find((d) => d.execution_id === runs[0]);
      },
      30_000,
      1500,
    );
    expect(delivered).toMatchObject({ kind: "callback", event: "success", last_status_code: 200 });
    const listed: Delivery[] = await all(sdk.deliveries({ cron_job_id: jobId, limit: 1 }));
    expect(listed.length).toBeGreaterThanOrEqual(2);
    const [received, attempts] = [callbacks().length, delivered.attempts];
    const again = await sdk.redeliver(delivered.id);
    expect(again).toMatchObject({ id: delivered.id, state: "pending" });
    await waitFor("the redelivered callback", () => (callbacks().length === received + 1 ? true : undefined));
    const after = await waitFor(
      "the redelivery recorded",
      async () => {
        const page = await sdk.deliveriesPage({ cron_job_id: jobId, kind: "callback" });
        const d = page.data.find((x) => x.id === delivered.id);
        return d?.state === "delivered" && d.attempts > attempts ? d : undefined;
      },
      30_000,
      1500,
    );
    expect(after.attempts).toBe(attempts + 1);
    const missing = await sdk.redeliver("exe_00000000000000000000000000:callback").catch((e: unknown) => e);
    expect((missing as EdgecronApiError).status).toBe(404);
  });
});

function sdkOptions() {
  return {
    baseUrl: dev?.base ?? "",
    accountId: account.account_id,
    apiKey: account.api_key,
    apiSecret: account.api_secret,
  };
}

// ── CLI ─────────────────────────────────────────────────────────────────────────────────────────────────────

describe("CLI against the Worker", () => {
  const home = mkdtempSync(join(tmpdir(), "edgecron-cli-e2e-"));
  const config = join(home, "edgecron", "credentials.json");
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, ".cfg") };
  env.EDGECRON_CONFIG = config;

  function start(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    return spawn(process.execPath, [CLI, ...args], {
      env: { ...env, ...extraEnv },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
  }

  function edgecron(args: string[], input = "", extraEnv: NodeJS.ProcessEnv = {}) {
    return new Promise<{ code: number | null; out: string; err: string }>((res, rej) => {
      const child = start(args, extraEnv);
      let out = "";
      let err = "";
      child.stdout.on("data", (c) => {
        out += c;
      });
      child.stderr.on("data", (c) => {
        err += c;
      });
      child.on("error", rej);
      child.on("close", (code) => res({ code, out, err }));
      child.stdin.end(input);
    });
  }

  const json = <T>(r: { out: string }) => JSON.parse(r.out) as T;
  const file = (name: string, value: unknown) => {
    const path = join(home, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  const login = () => [
    "login",
    "--url",
    dev?.base ?? "",
    "--account",
    account.account_id,
    "--key",
    account.cli_key.api_key,
  ];
  let id = "";
  let failing = "";

  it("login: a wrong secret exits 3 and stores nothing; the right one is stored with mode 0600", async () => {
    const wrong = await edgecron(login(), "es_wrong\n");
    expect(wrong.code).toBe(EXIT.auth);
    expect(wrong.err).toMatch(/^error: .*\(HTTP 401\)\n$/);
    expect(existsSync(config)).toBe(false);
    const ok = await edgecron([...login(), "--json"], `${account.cli_key.api_secret}\n`);
    expect(ok.code, ok.err).toBe(EXIT.ok);
    expect(json<{ credentials_file: string }>(ok).credentials_file).toBe(config);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "edgecron")).mode & 0o777).toBe(0o700);
    expect(readFileSync(config, "utf8")).toContain(account.cli_key.api_secret);
  });

  it("jobs create -f: exit 0 with the job; an invalid file's refusal exits 5 naming the field", async () => {
    const created = await edgecron([
      "jobs",
      "create",
      "-f",
      file("job.json", jobInput("cli ok", "/ok", { tags: ["cli-e2e"] })),
      "--json",
    ]);
    expect(created.code, created.err).toBe(EXIT.ok);
    id = json<Job>(created).id;
    const human = await edgecron([
      "jobs",
      "create",
      "-f",
      file("fail.json", jobInput("cli failing", "/fail", { tags: ["cli-e2e"] })),
    ]);
    expect(human.code).toBe(EXIT.ok);
    failing = /\(([0-9a-f-]{36})\)/.exec(human.out)?.[1] ?? "";
    expect(failing).not.toBe("");
    const bad = await edgecron(["jobs", "create", "-f", file("bad.json", { ...jobInput("x", "/ok"), colour: "red" })]);
    expect(bad.code).toBe(EXIT.rejected);
    expect(bad.err).toMatch(/^error: .*colour.*\(HTTP 400\)\n$/);
    const notJson = join(home, "broken.json");
    writeFileSync(notJson, "{");
    expect((await edgecron(["jobs", "create", "-f", notJson])).code).toBe(EXIT.usage);
  });

  it("jobs ls and jobs get; an unknown job exits 4", async () => {
    const ls = await edgecron(["jobs", "ls", "--tag", "cli-e2e", "--json"]);
    expect(ls.code).toBe(EXIT.ok);
    expect(
      json<Job[]>(ls)
        .map((j) => j.name)
        .sort(),
    ).toEqual(["cli failing", "cli ok"]);
    const table = await edgecron(["jobs", "ls", "--tag", "cli-e2e", "--limit", "1"]);
    expect(table.out.split("\n")[0]).toMatch(/^ID\s+NAME\s+SCHEDULE\s+TZ\s+STATE/);
    expect(table.out.split("\n")[1]).toMatch(/ UTC\s+active /);
    expect(table.out.trim().split("\n")).toHaveLength(2);
    const get = await edgecron(["jobs", "get", id, "--json"]);
    expect(json<Job>(get)).toMatchObject({ id, name: "cli ok" });
    expect((await edgecron(["jobs", "get", id])).out).toContain("POST http://127.0.0.1:");
    const missing = await edgecron(["jobs", "get", randomUUID()]);
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.err).toMatch(/^error: Cron job .* not found \(HTTP 404\)\n$/);
  });

  it("environment credentials override the file; a read_only key's write exits 3 (403)", async () => {
    const asReader = { EDGECRON_API_KEY: readOnly?.api_key, EDGECRON_API_SECRET: readOnly?.api_secret };
    const ls = await edgecron(["jobs", "ls", "--json"], "", asReader);
    expect(ls.code, ls.err).toBe(EXIT.ok);
    const write = await edgecron(["jobs", "pause", id], "", asReader);
    expect(write.code).toBe(EXIT.auth);
    expect(write.err).toMatch(/\(HTTP 403\)\n$/);
  });

  it("jobs update, pause (a paused job cannot run: exit 5), resume", async () => {
    const upd = await edgecron(["jobs", "update", id, "-f", file("patch.json", { name: "cli renamed" }), "--json"]);
    expect(upd.code).toBe(EXIT.ok);
    expect(json<Job>(upd).name).toBe("cli renamed");
    const paused = await edgecron(["jobs", "pause", id, "--json"]);
    expect(json<Job>(paused).is_active).toBe(false);
    const refused = await edgecron(["jobs", "run", id]);
    expect(refused.code).toBe(EXIT.rejected);
    expect(refused.err).toContain("not active");
    const resumed = await edgecron(["jobs", "resume", id]);
    expect(resumed.code).toBe(EXIT.ok);
    expect(resumed.out).toMatch(/^Resumed cli renamed/);
  });

  it("jobs run: exit 0 for a successful run, 8 for a failed one", async () => {
    const ok = await edgecron(["jobs", "run", id, "--json", "--idempotency-key", `cli-run-${id}`]);
    expect(ok.code).toBe(EXIT.ok);
    expect(json<{ status: string }>(ok).status).toBe("success");
    const again = await edgecron(["jobs", "run", id, "--json", "--idempotency-key", `cli-run-${id}`]);
    expect(json<{ execution_id: string }>(again).execution_id).toBe(json<{ execution_id: string }>(ok).execution_id);
    const failed = await edgecron(["jobs", "run", failing]);
    expect(failed.code).toBe(EXIT.runFailed);
    expect(failed.out).toMatch(/^failure 500 /);
  });

  it("logs: per job, filtered, account-wide by tag", async () => {
    const human = await edgecron(["logs", id]);
    expect(human.code).toBe(EXIT.ok);
    expect(human.out).toMatch(/^EXECUTED AT\s+STATUS/);
    expect(human.out).toMatch(/^EXECUTED AT\s+STATUS\s+CODE\s+TIME\s+TRY\s+TRIGGER\s+ERROR$/m);
    expect(human.out).toMatch(/Z {2}success {2}200 .* manual /);
    const lines = (await edgecron(["logs", "--tag", "cli-e2e", "--json"])).out.trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as ExecutionLog).status).sort()).toEqual(["failure", "success"]);
    expect((await edgecron(["logs", id, "--status", "failure"])).out).toBe("No logs\n");
    expect(
      (await edgecron(["logs", failing, "--since", "1h", "--status", "failure", "--json"])).out.trim().split("\n"),
    ).toHaveLength(1);
  });

  it("logs --code/--min-ms/--search and metrics", async () => {
    const failed = (await edgecron(["logs", failing, "--code", "5xx", "--min-ms", "0", "--json"])).out.trim();
    expect(failed.split("\n").map((l) => (JSON.parse(l) as ExecutionLog).response_code)).toEqual([500]);
    expect((await edgecron(["logs", id, "--code", "500"])).out).toBe("No logs\n");
    const search = await edgecron(["logs", id, "--search", "no-such-text-anywhere"]);
    expect(search).toMatchObject({ code: EXIT.ok, out: "No logs\n", err: "" });
    const metrics = await edgecron(["metrics", "--openmetrics"]);
    expect(metrics.code).toBe(EXIT.ok);
    expect(metrics.out).toContain(`edgecron_job_up{job_id="${id}"`);
    expect(metrics.out).toMatch(/# EOF\n$/);
  });

  it("calendars create/ls/rm and maintenance create/ls/rm", async () => {
    const made = await edgecron(["calendars", "create", "cli holidays", "--date", "2027-05-01", "--json"]);
    expect(made.code).toBe(EXIT.ok);
    const cal = json<{ id: string; dates: string[] }>(made);
    expect(cal.dates).toEqual(["2027-05-01"]);
    expect((await edgecron(["calendars", "ls"])).out).toContain(cal.id);
    const win = await edgecron(
      ["maintenance", "create", "--start", "2027-01-01T00:00:00Z"].concat([
        "--end",
        "2027-01-01T02:00:00Z",
        "--job",
        id,
        "--json",
      ]),
    );
    expect(win.code).toBe(EXIT.ok);
    const winId = json<{ id: string }>(win).id;
    expect((await edgecron(["maintenance", "ls"])).out).toContain(winId);
    expect((await edgecron(["maintenance", "rm", winId])).code).toBe(EXIT.ok);
    expect((await edgecron(["calendars", "rm", cal.id])).code).toBe(EXIT.ok);
    expect((await edgecron(["calendars", "get", cal.id])).code).toBe(EXIT.notFound);
  });

  it("logs --follow prints new runs as they are recorded and exits 0 on SIGINT", async () => {
    const child: ChildProcess = start(["logs", id, "--follow", "--interval", "1", "--json"]);
    child.stdin?.end();
    let out = "";
    child.stdout?.on("data", (c) => {
      out += c;
    });
    const exited = new Promise<number | null>((res) => child.on("close", (code) => res(code)));
    try {
      await waitFor("the initial logs", () =>
        out.trim().split("\n").length >= 1 && out.length > 0 ? true : undefined,
      );
      const before = out.trim().split("\n").length;
      const run = await sdk.raw.POST("/v1/cron-jobs/{accountId}/trigger/{cron_job_id}", {
        params: { path: { accountId: account.account_id, cron_job_id: id } },
      });
      const execution = run.data?.data.execution_id ?? "";
      await waitFor("the new run in the follow output", () => (out.includes(execution) ? true : undefined), 20_000);
      expect(out.trim().split("\n")).toHaveLength(before + 1);
    } finally {
      if (child.pid) process.kill(-child.pid, "SIGINT");
    }
    expect(await exited).toBe(EXIT.ok);
  });

  it("export: CSV to a file, NDJSON to standard output", async () => {
    const out = join(home, "logs.csv");
    const csv = await edgecron(["export", id, "--format", "csv", "-o", out, "--json"]);
    expect(csv.code, csv.err).toBe(EXIT.ok);
    expect(json<{ records: number }>(csv).records).toBe(2);
    const rows = readFileSync(out, "utf8").trimEnd().split("\r\n");
    expect(rows).toHaveLength(3); // CRLF ends a record; the bodies' own line breaks are LF inside quotes
    expect(rows[1]).toContain('\n ""ok"": true,\n'); // a quoted field across lines, its quotes doubled
    expect(rows[0]).toMatch(/^id,/);
    const nd = await edgecron(["export", id]);
    expect(nd.code).toBe(EXIT.ok);
    expect(
      nd.out
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as ExecutionLog).cron_job_id),
    ).toEqual([id, id]);
  });

  it("runs: the job's history as a table and as JSON; an unknown job exits 4", async () => {
    const human = await edgecron(["runs", id]);
    expect(human.code, human.err).toBe(EXIT.ok);
    expect(human.out).toMatch(/^SLOT\s+TRY\s+STATE\s+REASON\s+ORIGIN\s+EXECUTION\n/);
    expect(human.out).toMatch(/Z\s+#0\s+done\s+-\s+manual\s+exe_\w+\n/);
    const rows = await edgecron(["runs", id, "--json", "--limit", "2"]);
    expect(json<RunEntry[]>(rows).map((r) => r.kind)).toEqual(["run", "run"]);
    expect((await edgecron(["runs", randomUUID()])).code).toBe(EXIT.notFound);
  });

  it("dead-letters and replay: one id waits for the outcome; several are queued, an unknown one exits 5", async () => {
    const dead = await edgecron(["dead-letters", "--json"]);
    expect(json<DeadLetter[]>(dead).map((d) => d.execution_id)).toEqual([deadId]);
    const table = await edgecron(["dead-letters"]);
    expect(table.out).toMatch(
      new RegExp(`^${deadId}\\s+\\S+Z\\s+${replayJob?.id}\\s+undelivered\\s+#0\\s+schedule`, "m"),
    );
    const one = await edgecron(["replay", deadId]);
    expect(one.code, one.err).toBe(EXIT.ok);
    expect(one.out).toMatch(new RegExp(`^success 200 in \\d+ ms \\(execution exe_\\w+, replay of ${deadId}\\)\\n$`));
    const bulk = await edgecron(["replay", deadId, "exe_00000000000000000000000000", "--json"]);
    expect(bulk.code).toBe(EXIT.rejected);
    expect(json<BulkReplayItem[]>(bulk).map((r) => r.status)).toEqual(["queued", "not_found"]);
    const every = await edgecron(["replay", "--dead-letters", "--idempotency-key", `cli-${deadId}`]);
    expect(every.code, every.err).toBe(EXIT.ok);
    expect(every.out).toContain("1 of 1 queued");
  });

  it("deliveries and redeliver; a read-only key lists but cannot replay or redeliver (exit 3)", async () => {
    const filters = ["--job", replayJob?.id ?? "", "--kind", "callback", "--state", "delivered"];
    const listed = json<Delivery[]>(await edgecron(["deliveries", ...filters, "--json"]));
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((d) => d.kind === "callback" && d.state === "delivered")).toBe(true);
    const table = await edgecron(["deliveries", ...filters, "--limit", "1"]);
    expect(table.out.split("\n")[0]).toMatch(
      /^ID\s+FIRED AT\s+KIND\s+EVENT\s+STATE\s+TRIES\s+CODE\s+TARGET\s+LAST ERROR$/,
    );
    expect(table.out.trim().split("\n")).toHaveLength(2);
    const id = listed[0]?.id ?? "";
    const again = await edgecron(["redeliver", id]);
    expect(again.code, again.err).toBe(EXIT.ok);
    expect(again.out).toMatch(/^Queued \S+ again: pending \(callback to http:\/\/127\.0\.0\.1:\d+\/callback, /);
    expect((await edgecron(["redeliver", "nope:callback"])).code).toBe(EXIT.notFound);
    const asReader = { EDGECRON_API_KEY: readOnly?.api_key, EDGECRON_API_SECRET: readOnly?.api_secret };
    expect((await edgecron(["dead-letters"], "", asReader)).code).toBe(EXIT.ok);
    expect((await edgecron(["replay", deadId], "", asReader)).code).toBe(EXIT.auth);
    expect((await edgecron(["redeliver", id], "", asReader)).code).toBe(EXIT.auth);
  });

  it("jobs rm: exit 0, then 4; logout forgets the credentials (then exit 3)", async () => {
    const rm = await edgecron(["jobs", "rm", id, "--json"]);
    expect(rm.code).toBe(EXIT.ok);
    expect(json<{ id: string }>(rm).id).toBe(id);
    expect((await edgecron(["jobs", "rm", id])).code).toBe(EXIT.notFound);
    expect((await edgecron(["jobs", "rm", failing])).code).toBe(EXIT.ok);
    expect((await edgecron(["logout"])).out).toBe(`Removed ${config}\n`);
    expect(existsSync(config)).toBe(false);
    expect((await edgecron(["jobs", "ls"])).code).toBe(EXIT.auth);
  });
});
