/**
 * The execution log's filters (src/dashboard/client/logs-filters.ts): the hash they live in reads back the same, they
 * become the logs API's query, and every field a 400 names has an input to mark (docs/API-NOTES.md "Search: response
 * code, latency and text").
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  apiQuery,
  FILTER_FIELD_IDS,
  filtersHash,
  type LogFilters,
  type LogsApiQuery,
  NO_FILTERS,
  readFilters,
} from "../../src/dashboard/client/logs-filters";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { jobsApi, quickStart } from "../helpers/jobs";

const bound = (date: string, end: boolean) => `${date}${end ? "T23:59:59Z" : "T00:00:00Z"}`;
const hashParams = (hash: string) => new URLSearchParams(hash.split("?")[1] ?? "");
/** As api.ts `query` sends it: empty values left out. */
const toQuery = (q: LogsApiQuery) =>
  `?${new URLSearchParams(Object.entries(q).flatMap(([k, v]) => (v === "" || v === undefined ? [] : [[k, String(v)]])))}`;

describe("the filters' hash", () => {
  it("writes code and latency bounds as code, min_ms and max_ms, and reads them back", () => {
    const f: LogFilters = { ...NO_FILTERS, status: "failure", code: "5xx", minMs: "500", maxMs: "2000", page: 3 };
    const hash = filtersHash("#/logs", f);
    expect(hash).toBe("#/logs?status=failure&code=5xx&min_ms=500&max_ms=2000&page=3");
    expect(readFilters(hashParams(hash), true)).toEqual(f);
    expect(filtersHash("#/logs", NO_FILTERS)).toBe("#/logs");
  });

  it("keeps a text search and its cursor on the job page, without a page number", () => {
    const f: LogFilters = { ...NO_FILTERS, q: "deadlock", cursor: "v1.abc", code: "503" };
    const hash = filtersHash("#/jobs/j1", f);
    expect(hash).toBe("#/jobs/j1?code=503&q=deadlock&cursor=v1.abc");
    expect(readFilters(hashParams(hash), false)).toEqual(f);
    expect(readFilters(hashParams("#/jobs/j1?q=x&page=4"), false).page).toBe(1);
  });

  it("drops a status or date the form could not have produced, keeps a bound as typed for the API to judge", () => {
    const f = readFilters(hashParams("#/logs?min_ms=fast&max_ms=-1&q=x&cursor=c&status=nope&from=yesterday"), true);
    expect(f).toEqual({ ...NO_FILTERS, minMs: "fast", maxMs: "-1" });
    expect(readFilters(hashParams("#/jobs/j?job=a&tags=b"), false)).toEqual(NO_FILTERS);
  });
});

describe("the API query", () => {
  const f: LogFilters = { ...NO_FILTERS, from: "2026-01-02", code: "5XX", minMs: "10", maxMs: "20", page: 2 };

  it("sends response_code and the latency bounds, with the page number", () => {
    expect(apiQuery(f, { account: true, paging: true, bound })).toEqual({
      status: "",
      start_date: "2026-01-02T00:00:00Z",
      end_date: "",
      response_code: "5XX",
      min_response_time_ms: "10",
      max_response_time_ms: "20",
      cron_job_id: "",
      tags: "",
      page: 2,
    });
  });

  it("pages a text search by cursor only, and leaves it out of an export", () => {
    const s = { ...f, q: "deadlock", cursor: "v1.c" };
    const paged = apiQuery(s, { account: false, paging: true, bound });
    expect(paged).toMatchObject({ q: "deadlock", cursor: "v1.c", response_code: "5XX" });
    expect(paged).not.toHaveProperty("page");
    expect(paged).not.toHaveProperty("cron_job_id");
    const exported = apiQuery(s, { account: false, paging: false, bound });
    expect(Object.keys(exported)).not.toEqual(expect.arrayContaining(["q"]));
    expect(exported).not.toHaveProperty("cursor");
  });
});

describe("against the logs API", () => {
  let acct: TestAccount;
  let jobId: string;
  beforeAll(async () => {
    acct = await createAccount("Log filters");
    const res = await jobsApi(acct).create(quickStart());
    jobId = res.body.data.id;
  });
  const get = (path: string, q: LogsApiQuery) => jobsApi(acct).send("GET", `${path}${toQuery(q)}`);

  it("accepts the query the dashboard sends on both routes", async () => {
    const f: LogFilters = { ...NO_FILTERS, code: "5xx", minMs: "0", maxMs: "900" };
    const account = await get("/logs", apiQuery(f, { account: true, paging: true, bound }));
    expect(account.status).toBe(200);
    const job = await get(`/logs/${jobId}`, apiQuery({ ...f, q: "deadlock" }, { account: false, paging: true, bound }));
    expect(job.status).toBe(200);
    expect(job.body.pagination).not.toHaveProperty("total_items");
    expect(job.body.scan.complete).toBe(true);
  });

  it("names in a 400 the field the filters mark, for each bad filter", async () => {
    const cases: Array<[Partial<LogFilters>, string]> = [
      [{ code: "6xx" }, "response_code"],
      [{ minMs: "50", maxMs: "10" }, "min_response_time_ms"],
      [{ maxMs: "fast" }, "max_response_time_ms"],
      [{ q: "x".repeat(49) }, "q"],
      [{ q: "x", from: "2026-01-01", to: "2026-03-01" }, "start_date"],
    ];
    for (const [bad, field] of cases) {
      const res = await get(
        `/logs/${jobId}`,
        apiQuery({ ...NO_FILTERS, ...bad }, { account: false, paging: true, bound }),
      );
      expect(res.status, field).toBe(400);
      const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
      expect(fields, field).toContain(field);
      for (const f of fields) expect(FILTER_FIELD_IDS, f).toHaveProperty(f);
    }
  });
});
