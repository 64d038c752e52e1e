import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { EXPORT_CHUNK, openLogExport } from "../../src/logs/export";
import { csvField } from "../../src/logs/formats";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { csvToLogs, parseCsv } from "../helpers/csv";
import { db, insertJob, insertLogs } from "../helpers/fixtures";
import { api, BASE, bodyText, expectProblem } from "../helpers/http";

const T0 = Date.UTC(2024, 0, 25, 14, 0, 0);
const MIN = 60_000;

let acct: TestAccount;
let jobId: string;

async function download(path: string, headers: Record<string, string> = acct.headers) {
  const res = await SELF.fetch(`${BASE}/v1/cron-jobs/${acct.accountId}${path}`, { headers });
  return { status: res.status, headers: res.headers, text: await bodyText(res) };
}

/** Every log of the job through the JSON API, oldest first: what an export must equal. */
async function viaJson(query = "", account = acct, job = jobId) {
  const out: unknown[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `?limit=100&cursor=${cursor}${query}` : `?limit=100${query}`;
    const res = await api(`/v1/cron-jobs/${account.accountId}/logs/${job}${q}`, { headers: account.headers });
    out.push(...res.body.data);
    cursor = res.body.pagination.next_cursor;
  } while (cursor);
  return out.reverse();
}

const ndjson = (text: string) => {
  expect(text === "" || text.endsWith("\n")).toBe(true);
  return text
    .split("\n")
    .slice(0, -1)
    .map((line) => JSON.parse(line));
};

const tricky = [
  'He said "hi"',
  "a,b,c",
  "line one\nline two",
  "crlf\r\nhere",
  "lone\rCR",
  "",
  " leading space and trailing ",
  '"',
  '{"json":"with, commas and \\"quotes\\""}',
  "unicode ✓ é 日本",
];

describe("csvField", () => {
  it.each([
    [null, ""],
    ["", '""'],
    ["plain", "plain"],
    [42, "42"],
    ['a"b', '"a""b"'],
    ["a,b", '"a,b"'],
    ["a\nb", '"a\nb"'],
    ["a\rb", '"a\rb"'],
    [" x ", " x "],
  ])("%j → %j", (value, out) => {
    expect(csvField(value)).toBe(out);
  });
});

describe("GET /logs/{cron_job_id}/export", () => {
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
    await insertLogs(
      jobId,
      acct.accountId,
      tricky.map((body, i) => ({
        executedAt: T0 + i * MIN,
        status: i % 2 ? ("failure" as const) : ("success" as const),
        responseCode: i === 3 ? null : 200 + i,
        responseBody: body,
        errorMessage: i === 1 ? 'Endpoint said "no", twice' : null,
        responseTimeMs: i === 4 ? null : 10 * i,
        retryAttempt: i % 3,
      })),
    );
    await insertLogs(jobId, acct.accountId, [
      { id: "exe_tie_b", executedAt: T0 + 3 * MIN, responseBody: null },
      { id: "exe_tie_a", executedAt: T0 + 3 * MIN, responseBody: null },
    ]);
  });

  it("ndjson: every log, oldest first, equal to the JSON objects, as an attachment", async () => {
    const res = await download(`/logs/${jobId}/export?format=ndjson`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="edgecron-logs-${jobId}.ndjson"`);
    const lines = ndjson(res.text);
    expect(lines).toEqual(await viaJson());
    expect(lines).toHaveLength(12);
    expect(lines.map((l) => l.id).slice(3, 6)).toEqual([expect.stringMatching(/^exe_/), "exe_tie_a", "exe_tie_b"]);
    expect(lines[2]).toMatchObject({ response_body: "line one\nline two" });
  });

  it("ndjson is the default format", async () => {
    const res = await download(`/logs/${jobId}/export`);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    expect(ndjson(res.text)).toHaveLength(12);
  });

  it("csv: RFC 4180 with a header row and CRLF; parsed back it equals the JSON objects", async () => {
    const res = await download(`/logs/${jobId}/export?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="edgecron-logs-${jobId}.csv"`);
    expect(
      res.text.startsWith(
        "id,execution_id,cron_job_id,executed_at,status,response_code,response_body,error_message,response_time_ms,retry_attempt,scheduled_at,trigger,response_headers,decided_by\r\n",
      ),
    ).toBe(true);
    expect(csvToLogs(res.text)).toEqual(await viaJson());
    const records = parseCsv(res.text);
    expect(records).toHaveLength(13);
    // Quoting: exactly the fields that need it (and the empty string, to tell it from null).
    const bodies = records.slice(1).map((r) => r[6]);
    expect(bodies[0]).toEqual({ value: 'He said "hi"', quoted: true });
    expect(bodies[5]).toEqual({ value: "", quoted: false }); // a tie: null body
    expect(bodies[7]).toEqual({ value: "", quoted: true }); // the empty string
    expect(bodies[8]).toEqual({ value: " leading space and trailing ", quoted: false });
    expect(res.text).toContain(`,"line one\nline two",`);
    expect(res.text).toContain(`,"crlf\r\nhere",`);
    expect(res.text).toContain(`,"Endpoint said ""no"", twice",`);
  });

  it("filters by status and dates", async () => {
    const q = "&status=failure&start_date=2024-01-25T14:02:00Z&end_date=2024-01-25T14:07:00Z";
    const res = await download(`/logs/${jobId}/export?format=csv${q}`);
    const logs = csvToLogs(res.text);
    expect(logs.map((l) => l.executed_at)).toEqual([
      "2024-01-25T14:03:00Z",
      "2024-01-25T14:05:00Z",
      "2024-01-25T14:07:00Z",
    ]);
    expect(logs).toEqual(await viaJson(q));
  });

  it("nothing to export: the header alone, or an empty body", async () => {
    const q = "?start_date=2020-01-01&end_date=2020-01-02";
    const csv = await download(`/logs/${jobId}/export${q}&format=csv`);
    expect(csv.text).toBe(
      "id,execution_id,cron_job_id,executed_at,status,response_code,response_body,error_message,response_time_ms,retry_attempt,scheduled_at,trigger,response_headers,decided_by\r\n",
    );
    const nd = await download(`/logs/${jobId}/export${q}`);
    expect(nd.status).toBe(200);
    expect(nd.text).toBe("");
  });

  it("stops at the request's start: logs stamped later are not exported", async () => {
    const account = await createAccount();
    const job = (await insertJob(account.accountId)).id;
    await insertLogs(job, account.accountId, [
      { id: "exe_past", executedAt: Date.now() - 1000 },
      { id: "exe_future", executedAt: Date.now() + 3_600_000 },
    ]);
    const res = await SELF.fetch(`${BASE}/v1/cron-jobs/${account.accountId}/logs/${job}/export`, {
      headers: account.headers,
    });
    expect(ndjson(await bodyText(res)).map((l) => l.id)).toEqual(["exe_past"]);
  });

  it("isolation: another account's key → 403, its job → 404, a deleted job → 404", async () => {
    const other = await createAccount("Other");
    expectProblem(await api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId}/export`, { headers: other.headers }), 403);
    const theirs = await insertJob(other.accountId);
    await insertLogs(theirs.id, other.accountId, [{ executedAt: T0 }]);
    expectProblem(
      await api(`/v1/cron-jobs/${acct.accountId}/logs/${theirs.id}/export`, { headers: acct.headers }),
      404,
      `Cron job ${theirs.id} not found`,
    );
    const gone = await insertJob(acct.accountId, { deletedAt: Date.now() });
    expectProblem(await api(`/v1/cron-jobs/${acct.accountId}/logs/${gone.id}/export`, { headers: acct.headers }), 404);
  });

  it.each([
    ["format=xml", "format"],
    ["status=nope", "status"],
    ["page=1", "page"],
    ["cursor=x", "cursor"],
    ["end_date=2024-01-25T10:00:00", "end_date"],
  ])("%s → 400 naming %s", async (query, field) => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId}/export?${query}`, { headers: acct.headers });
    expect(expectProblem(res, 400).errors).toEqual([expect.objectContaining({ field, in: "query" })]);
  });
});

describe("exports of more than one chunk", () => {
  const N = EXPORT_CHUNK * 2 + 345;
  let account: TestAccount;
  let job: string;
  beforeAll(async () => {
    account = await createAccount();
    job = (await insertJob(account.accountId)).id;
    // Pairs of ties so chunk boundaries fall inside equal executed_at values.
    await insertLogs(
      job,
      account.accountId,
      Array.from({ length: N }, (_, i) => ({
        id: `exe_${String(i).padStart(5, "0")}`,
        executedAt: T0 + Math.floor(i / 2) * 1000,
        status: i % 7 === 0 ? ("failure" as const) : ("success" as const),
      })),
    );
  });

  it("ndjson and csv hold every log once, oldest first", async () => {
    const expected = Array.from({ length: N }, (_, i) => `exe_${String(i).padStart(5, "0")}`);
    const url = `${BASE}/v1/cron-jobs/${account.accountId}/logs/${job}/export`;
    const nd = ndjson(await bodyText(await SELF.fetch(url, { headers: account.headers })));
    expect(nd.map((l) => l.id)).toEqual(expected);
    const csv = csvToLogs(await bodyText(await SELF.fetch(`${url}?format=csv`, { headers: account.headers })));
    expect(csv).toEqual(nd);
    const failures = ndjson(await bodyText(await SELF.fetch(`${url}?status=failure`, { headers: account.headers })));
    expect(failures.map((l) => l.id)).toEqual(expected.filter((_, i) => i % 7 === 0));
  });

  it("reads in chunks after the previous chunk's last row", async () => {
    const chunks = await openLogExport(
      db(),
      { kind: "job", accountId: account.accountId, cronJobId: job },
      {},
      { asOf: Date.now(), chunk: 7 },
    );
    expect(chunks).not.toBeNull();
    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const rows of chunks as AsyncGenerator<{ id: string }[]>) {
      sizes.push(rows.length);
      seen.push(...rows.map((r) => r.id));
    }
    expect(sizes.slice(0, -1).every((s) => s === 7)).toBe(true);
    expect(sizes.length).toBe(Math.ceil(N / 7));
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => `exe_${String(i).padStart(5, "0")}`));
  });

  it("chunks after a position respect start_date and end_date", async () => {
    const start = T0 + 100_000; // i = 200
    const end = T0 + 1_000_999; // i = 2001
    const chunks = await openLogExport(
      db(),
      { kind: "job", accountId: account.accountId, cronJobId: job },
      { status: "success", start: { start, end: start }, end: { start: end, end } },
      { asOf: Date.now(), chunk: 13 },
    );
    const seen: string[] = [];
    for await (const rows of chunks as AsyncGenerator<{ id: string }[]>) seen.push(...rows.map((r) => r.id));
    const expected = Array.from({ length: N }, (_, i) => i)
      .filter((i) => i >= 200 && i <= 2001 && i % 7 !== 0)
      .map((i) => `exe_${String(i).padStart(5, "0")}`);
    expect(seen).toEqual(expected);
  });
});

describe("GET /v1/cron-jobs/{accountId}/logs/export", () => {
  let other: TestAccount;
  const jobs: Record<string, string> = {};
  beforeAll(async () => {
    acct = await createAccount();
    other = await createAccount("Other");
    jobs.reports = (await insertJob(acct.accountId, { tags: JSON.stringify(["reports"]) })).id;
    jobs.plain = (await insertJob(acct.accountId)).id;
    jobs.deleted = (await insertJob(acct.accountId, { tags: JSON.stringify(["reports"]), deletedAt: T0 })).id;
    jobs.theirs = (await insertJob(other.accountId)).id;
    await insertLogs(jobs.reports, acct.accountId, [
      { id: "exe_r1", executedAt: T0 + MIN },
      { id: "exe_r2", executedAt: T0 + 4 * MIN, status: "failure", responseBody: 'x,"y"\r\nz' },
    ]);
    await insertLogs(jobs.plain, acct.accountId, [{ id: "exe_p1", executedAt: T0 + 2 * MIN }]);
    await insertLogs(jobs.deleted, acct.accountId, [{ id: "exe_d1", executedAt: T0 + 3 * MIN }]);
    await insertLogs(jobs.theirs, other.accountId, [{ id: "exe_t1", executedAt: T0 + 3 * MIN }]);
  });

  it("is not taken for /logs/{cron_job_id}: exports the account's live jobs, oldest first", async () => {
    const res = await download("/logs/export");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="edgecron-logs-${acct.accountId}.ndjson"`,
    );
    const lines = ndjson(res.text);
    expect(lines.map((l) => l.id)).toEqual(["exe_r1", "exe_p1", "exe_r2"]);
    const json = await api(`/v1/cron-jobs/${acct.accountId}/logs?limit=100`, { headers: acct.headers });
    expect(lines).toEqual([...json.body.data].reverse());
  });

  it("csv, and the tags, cron_job_id, status and date filters", async () => {
    const csv = await download("/logs/export?format=csv&tags=reports");
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csvToLogs(csv.text).map((l) => [l.id, l.response_body])).toEqual([
      ["exe_r1", '{"n":0}'],
      ["exe_r2", 'x,"y"\r\nz'],
    ]);
    const job = await download(`/logs/export?cron_job_id=${jobs.plain}`);
    expect(job.headers.get("content-disposition")).toBe(`attachment; filename="edgecron-logs-${jobs.plain}.ndjson"`);
    expect(ndjson(job.text).map((l) => l.id)).toEqual(["exe_p1"]);
    expect(ndjson((await download("/logs/export?status=failure")).text).map((l) => l.id)).toEqual(["exe_r2"]);
    const dated = await download("/logs/export?start_date=2024-01-25T14:02:00Z&end_date=2024-01-25T14:03:00Z");
    expect(ndjson(dated.text).map((l) => l.id)).toEqual(["exe_p1"]);
  });

  it("isolation: another account's key → 403, its job or a deleted one → 404", async () => {
    expectProblem(await api(`/v1/cron-jobs/${acct.accountId}/logs/export`, { headers: other.headers }), 403);
    for (const id of [jobs.theirs, jobs.deleted]) {
      const res = await api(`/v1/cron-jobs/${acct.accountId}/logs/export?cron_job_id=${id}`, { headers: acct.headers });
      expectProblem(res, 404, `Cron job ${id} not found`);
    }
    const bad = await api(`/v1/cron-jobs/${acct.accountId}/logs/export?cron_job_id=x&format=pdf`, {
      headers: acct.headers,
    });
    const errors = expectProblem(bad, 400).errors as { field: string }[];
    expect(errors.map((e) => e.field).sort()).toEqual(["cron_job_id", "format"]);
  });
});
