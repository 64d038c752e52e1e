/**
 * What a target answers never gets a job's secrets stored (README "Security"): a real loopback target, run through
 * the http executor and recorded. Credential response headers (Set-Cookie, Authorization, WWW-Authenticate,
 * Proxy-Authenticate, X-Api-Key, Cookie) stay off the log, which keeps only the allow-list
 * (src/engine/response-headers.ts); and a target that echoes the request back, in its body or in a kept header,
 * has the job's secret values replaced by their redaction tokens before anything is recorded.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { CronJobRow } from "../../src/db/schema";
import { createHttpExecutor } from "../../src/engine/executors/http";
import { KEPT_RESPONSE_HEADERS } from "../../src/engine/response-headers";
import { triggerNow } from "../../src/engine/trigger";
import { findLiveJob } from "../../src/jobs/repository";
import { redactEchoes } from "../../src/jobs/secrets";
import { MAX_RESPONSE_BODY_BYTES } from "../../src/lib/truncate";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { testDeps } from "../helpers/engine";
import { db } from "../helpers/fixtures";
import { api } from "../helpers/http";
import { jobsApi } from "../helpers/jobs";
import { captureQueue } from "../helpers/queue";
import { leaksIn, secretJob } from "../helpers/secrets";
import { shardD1 } from "../helpers/shards";
import { type StoredLog, storedLogs } from "../helpers/stored-logs";
import { callWith } from "../http/app-env";

const target = `http://127.0.0.1:${inject("targetPort")}`;
const otherOrigin = `http://127.0.0.1:${inject("otherTargetPort")}`;
const CREDENTIAL_HEADERS = [
  "set-cookie",
  "authorization",
  "www-authenticate",
  "proxy-authenticate",
  "x-api-key",
  "cookie",
];

let acct: TestAccount;
let ro: Record<string, string>;
let jobs: ReturnType<typeof jobsApi>;

beforeAll(async () => {
  acct = await createAccount("Target echoes");
  jobs = jobsApi(acct);
  const key = await api(`/v1/cron-jobs/${acct.accountId}/keys`, {
    method: "POST",
    headers: { ...acct.headers, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "contractor", scope: "read_only" }),
  });
  ro = { "X-API-Key": key.body.data.id, "X-API-Secret": key.body.data.api_secret };
});

/** A job full of secrets calling `endpoint_url`, created through the API (sealed like any other). */
async function createJob(S: ReturnType<typeof secretJob>, endpointUrl: string) {
  const res = await jobs.create(S.job({ endpoint_url: endpointUrl }));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data as { id: string; headers: Record<string, string>; endpoint_url: string; body: string };
}

/** One run of the job through the real http executor, recorded like any run. */
async function runOverHttp(jobId: string) {
  const deps = testDeps({ executor: createHttpExecutor({ allowPrivateTargets: true }) });
  const outcome = await triggerNow(deps, (await findLiveJob(db(), jobId)) as CronJobRow);
  return { outcome, sent: deps.queue.take() };
}

/** The log row as stored (decoded as the API reads it), and as the API shows it to each key and export. */
async function everyView(jobId: string) {
  const results = await storedLogs(shardD1(), [jobId]);
  expect(results).toHaveLength(1);
  const base = `/v1/cron-jobs/${acct.accountId}`;
  const shown = [];
  for (const headers of [acct.headers, ro]) {
    for (const path of [`/logs/${jobId}`, `/logs/${jobId}/export?format=csv`, `/logs/${jobId}/export?format=ndjson`]) {
      const res = await callWith({}, `${base}${path}`, { headers });
      expect(res.status).toBe(200);
      shown.push(res.text);
    }
  }
  return { row: results[0] as StoredLog, shown };
}

describe("response headers kept from a target stay on the allow-list", () => {
  it("the target does echo the job's credentials back in credential headers (so the check below means something)", async () => {
    const res = await fetch(`${target}/credential-headers`, {
      headers: { Cookie: "c=1", Authorization: "Bearer a", "X-Api-Key": "k", "X-Plain": "p" },
    });
    await res.body?.cancel();
    expect(res.headers.get("set-cookie")).toBe("c=1");
    expect(res.headers.get("authorization")).toBe("Bearer a");
    expect(res.headers.get("www-authenticate")).toContain("k");
    expect(res.headers.get("proxy-authenticate")).toContain("Bearer a");
    expect(res.headers.get("x-api-key")).toBe("k");
    expect(res.headers.get("cookie")).toBe("c=1");
    expect(res.headers.get("x-request-id")).toBe("p");
  });

  it("none of them is stored in the log or returned by the logs API or export; the allowed one is", async () => {
    const S = secretJob();
    const job = await createJob(S, `${target}/credential-headers?api_key=${S.values.query}`);
    const { outcome } = await runOverHttp(job.id);
    expect(outcome?.result).toMatchObject({ status: "success", responseCode: 200 });
    const { row, shown } = await everyView(job.id);
    const kept = JSON.parse(row.response_headers as string) as Record<string, string>;
    expect(kept).toEqual({ "content-type": "application/json", "x-request-id": "visible-header-value" });
    for (const name of Object.keys(kept)) expect(KEPT_RESPONSE_HEADERS as readonly string[]).toContain(name);
    expect(leaksIn(JSON.stringify(row), S.needles)).toEqual([]);
    for (const text of shown) {
      expect(leaksIn(text, S.needles)).toEqual([]);
      expect(text).toContain("visible-header-value");
      for (const name of CREDENTIAL_HEADERS) expect(text).not.toMatch(new RegExp(`"${name}"`, "i"));
    }
  });
});

describe("a target echoing the request back gets tokens recorded, never the values", () => {
  it("an echoed body (headers, URL and body) is stored and shown with the job's tokens in place of its secrets", async () => {
    const S = secretJob();
    const job = await createJob(S, `${target}/echo?api_key=${S.values.query}&plain=visible`);
    const { outcome, sent } = await runOverHttp(job.id);
    expect(outcome?.result.status).toBe("success");
    const { row, shown } = await everyView(job.id);
    const body = row.response_body as string;
    // The echo is there, with the tokens the job shows in place of the values.
    expect(body).toContain(`"authorization":"${job.headers.Authorization}"`);
    expect(body).toContain(`"x-api-key":"${job.headers["X-Api-Key"]}"`);
    expect(body).toContain(job.endpoint_url.replace(/^http:\/\/[^/]+/, ""));
    expect(body).toContain("visible-header-value");
    expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(MAX_RESPONSE_BODY_BYTES);
    expect(leaksIn(JSON.stringify(row), S.needles)).toEqual([]);
    for (const text of shown) expect(leaksIn(text, S.needles)).toEqual([]);
    // The callback and alert messages carry the same recorded result.
    expect(leaksIn(JSON.stringify(sent), S.needles)).toEqual([]);
  });

  it("POST /trigger answers the redacted echo too", async () => {
    const S = secretJob();
    const job = await createJob(S, `${target}/echo?api_key=${S.values.query}`);
    const res = await callWith(
      { EXECUTOR: "http", RUNS: captureQueue() as unknown as Queue },
      `/v1/cron-jobs/${acct.accountId}/trigger/${job.id}`,
      { method: "POST", headers: acct.headers },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.response_body).toContain(`"authorization":"${job.headers.Authorization}"`);
    expect(leaksIn(res.text, S.needles)).toEqual([]);
  });

  it("a redirect that carries the secret query along is kept (Location) with the token in its place", async () => {
    const S = secretJob();
    const to = encodeURIComponent(otherOrigin);
    const job = await createJob(S, `${target}/moved?api_key=${S.values.query}&to=${to}`);
    const { outcome } = await runOverHttp(job.id);
    // A body would cross origins: the redirect is the outcome, its Location kept (README "Redirects").
    expect(outcome?.result.responseCode).toBe(307);
    const { row, shown } = await everyView(job.id);
    const kept = JSON.parse(row.response_headers as string) as Record<string, string>;
    const token = /api_key=(\[redacted:[0-9a-f]{8}\])/.exec(job.endpoint_url)?.[1];
    expect(kept.location).toBe(`${otherOrigin}/ok?api_key=${token}&to=${to}`);
    expect(leaksIn(JSON.stringify(row), S.needles)).toEqual([]);
    for (const text of shown) expect(leaksIn(text, S.needles)).toEqual([]);
  });
});

describe("redactEchoes", () => {
  const values = new Map([
    ["aaaaaaaa", "Bearer sk_live_0123456789"],
    ["bbbbbbbb", '{"password":"hunter2-hunter2"}'],
    ["cccccccc", "a%2Fb%3Dsecret-value"],
    ["dddddddd", "short"],
  ]);

  it("replaces each value as sent, JSON-escaped, percent-decoded, and the credentials after an auth scheme", () => {
    expect(redactEchoes("auth: Bearer sk_live_0123456789!", values)).toBe("auth: [redacted:aaaaaaaa]!");
    expect(redactEchoes('token "sk_live_0123456789" is revoked', values)).toBe(
      'token "[redacted:aaaaaaaa]" is revoked',
    );
    expect(redactEchoes(JSON.stringify({ body: '{"password":"hunter2-hunter2"}' }), values)).toBe(
      '{"body":"[redacted:bbbbbbbb]"}',
    );
    expect(redactEchoes("?q=a/b=secret-value&x=a%2Fb%3Dsecret-value", values)).toBe(
      "?q=[redacted:cccccccc]&x=[redacted:cccccccc]",
    );
  });

  it("replaces a value cut off at the end of the text (a capped body); leaves values too short to tell apart", () => {
    expect(redactEchoes('{"authorization":"Bearer sk_live_01', values)).toBe('{"authorization":"[redacted:aaaaaaaa]');
    expect(redactEchoes("a short reply", values)).toBe("a short reply");
    expect(redactEchoes("anything", new Map())).toBe("anything");
  });
});
