import { beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADER_VALUE_BYTES } from "../../src/http/limits";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, BASE, expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { shardD1 } from "../helpers/shards";
import { callWith } from "./app-env";

let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;
const jobCount = async () =>
  (
    await shardD1().prepare("SELECT count(*) AS n FROM cron_jobs WHERE account_id = ?").bind(acct.accountId).first<{
      n: number;
    }>()
  )?.n;

/** A create body padded (in `description`, which the schema then refuses) to exactly `bytes`. */
function paddedBody(bytes: number): string {
  const base = JSON.stringify({ ...quickStart(), description: "" });
  return base.replace('"description":""', `"description":"${"x".repeat(bytes - base.length)}"`);
}

beforeAll(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});

describe("request body size", () => {
  it(`a body over ${MAX_BODY_BYTES} bytes → 413 problem, nothing stored`, async () => {
    const before = await jobCount();
    const body = paddedBody(MAX_BODY_BYTES + 1);
    expect(new TextEncoder().encode(body).byteLength).toBe(MAX_BODY_BYTES + 1);
    const res = await jobs.send("POST", "/create", body);
    expectProblem(res, 413, `The request body is larger than ${MAX_BODY_BYTES} bytes`);
    expect(res.body.type).toBe("https://edgecron.dev/problems/payload-too-large");
    expect(await jobCount()).toBe(before);
  });

  it("a body of exactly the limit is read and validated (here: 400 for the long description)", async () => {
    const res = await jobs.send("POST", "/create", paddedBody(MAX_BODY_BYTES));
    expect(expectProblem(res, 400).errors).toEqual([expect.objectContaining({ field: "description" })]);
  });

  it("multi-byte characters count as bytes, not characters", async () => {
    const res = await jobs.create({ ...quickStart(), body: "€".repeat(22_000) }); // 22,000 chars, 66,000 bytes
    expectProblem(res, 413);
  });

  it("a streamed body without Content-Length is counted as it is read → 413", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled === 8) return controller.close();
        pulled++;
        controller.enqueue(chunk);
      },
    });
    const init = { method: "POST", headers: { ...acct.headers, "Content-Type": "application/json" }, body };
    expect(new Request(BASE, init).headers.get("content-length")).toBeNull();
    const res = await callWith({}, `/v1/cron-jobs/${acct.accountId}/create`, init);
    expectProblem(res, 413);
    expect(pulled).toBeLessThan(8); // it stopped reading once past the limit
  });

  it("an oversized body is refused before authentication", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/create`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: paddedBody(MAX_BODY_BYTES * 2),
    });
    expectProblem(res, 413);
  });
});

describe("Content-Type of JSON bodies", () => {
  it.each([
    ["text/plain", "text/plain"],
    ["form", "application/x-www-form-urlencoded"],
    ["multipart", "multipart/form-data; boundary=x"],
    ["xml", "application/xml"],
    ["json-ish prefix", "application/jsonp"],
  ])("create with %s → 415 problem, nothing stored", async (_name, type) => {
    const before = await jobCount();
    const res = await api(`/v1/cron-jobs/${acct.accountId}/create`, {
      method: "POST",
      headers: { ...acct.headers, "Content-Type": type },
      body: JSON.stringify(quickStart()),
    });
    expectProblem(res, 415, "Content-Type must be application/json");
    expect(res.body.type).toBe("https://edgecron.dev/problems/unsupported-media-type");
    expect(await jobCount()).toBe(before);
  });

  it("a body without any Content-Type → 415", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/create`, {
      method: "POST",
      headers: acct.headers,
      body: new TextEncoder().encode(JSON.stringify(quickStart())),
    });
    expectProblem(res, 415);
  });

  it("update with text/plain → 415, job unchanged", async () => {
    const created = (await jobs.create(quickStart())).body.data;
    const res = await api(`/v1/cron-jobs/${acct.accountId}/update/${created.id}`, {
      method: "PATCH",
      headers: { ...acct.headers, "Content-Type": "text/plain" },
      body: JSON.stringify({ name: "Renamed" }),
    });
    expectProblem(res, 415);
    expect((await jobs.details(created.id)).body.data.name).toBe(created.name);
  });

  it.each(["application/json; charset=utf-8", "APPLICATION/JSON", "application/merge-patch+json"])(
    "%s is accepted",
    async (type) => {
      const res = await api(`/v1/cron-jobs/${acct.accountId}/create`, {
        method: "POST",
        headers: { ...acct.headers, "Content-Type": type },
        body: JSON.stringify(quickStart()),
      });
      expect(res.status).toBe(201);
    },
  );
});

describe("Content-Encoding of bodies", () => {
  it.each(["gzip", "br", "deflate", "GZIP", "x-unknown"])(
    "a %s body → 415 with Accept-Encoding: identity",
    async (coding) => {
      const before = await jobCount();
      const res = await api(`/v1/cron-jobs/${acct.accountId}/create`, {
        method: "POST",
        headers: { ...acct.headers, "Content-Type": "application/json", "Content-Encoding": coding },
        body: JSON.stringify(quickStart()),
      });
      expectProblem(res, 415, /Compressed request bodies are not supported/);
      expect(res.headers.get("accept-encoding")).toBe("identity");
      expect(await jobCount()).toBe(before);
    },
  );

  it("identity is fine, and so is a Content-Encoding on a request without a body", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/create`, {
      method: "POST",
      headers: { ...acct.headers, "Content-Type": "application/json", "Content-Encoding": "identity" },
      body: JSON.stringify(quickStart()),
    });
    expect(res.status).toBe(201);
    const list = await api(`/v1/cron-jobs/${acct.accountId}/list`, {
      headers: { ...acct.headers, "Content-Encoding": "gzip" },
    });
    expect(list.status).toBe(200);
  });
});

describe("request header size", () => {
  it(`a header value over ${MAX_HEADER_VALUE_BYTES} bytes → 431 problem`, async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/list`, {
      headers: { ...acct.headers, "X-Big": "a".repeat(MAX_HEADER_VALUE_BYTES + 1) },
    });
    expectProblem(res, 431, `The x-big header is larger than ${MAX_HEADER_VALUE_BYTES} bytes`);
    expect(res.body.title).toBe("Request Header Fields Too Large");
  });

  it(`headers over ${MAX_HEADER_BYTES} bytes in total → 431, on every route`, async () => {
    const headers: Record<string, string> = { ...acct.headers };
    for (let i = 0; i < 5; i++) headers[`X-Part-${i}`] = "b".repeat(MAX_HEADER_VALUE_BYTES - 1);
    expectProblem(await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers }), 431, /in total/);
    expectProblem(await api("/health", { headers }), 431);
  });

  it("headers just under the caps pass", async () => {
    const headers: Record<string, string> = { ...acct.headers };
    for (let i = 0; i < 3; i++) headers[`X-Part-${i}`] = "b".repeat(MAX_HEADER_VALUE_BYTES);
    expect((await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers })).status).toBe(200);
  });
});
