/** Metrics, the logs' code/latency filters and the text search (q), through the SDK and CLI against a stand-in API. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "../src/cli/exit-codes.js";
import { EdgecronApiError } from "../src/index.js";
import { runCli } from "./support/run-cli.js";
import { standInApi } from "./support/stand-in.js";

const ACCOUNT = "00000000-0000-4000-8000-0000000000dd";
const JOB = "22222222-2222-4222-8222-222222222222";
const PROM = '# HELP edgecron_job_up 1 unless …\n# TYPE edgecron_job_up gauge\nedgecron_job_up{job_id="j"} 1\n';
const OM = `${PROM}# EOF\n`;

const seen: Array<{ path: string; query: URLSearchParams; accept: string | undefined }> = [];

const log = (n: number) => ({
  id: `exe_${n}`,
  execution_id: `exe_${n}`,
  cron_job_id: JOB,
  executed_at: `2026-12-07T10:${String(n).padStart(2, "0")}:00Z`,
  status: "failure",
  response_code: 503,
  response_body: "upstream timeout",
  error_message: null,
  response_time_ms: 900,
  retry_attempt: 0,
  scheduled_at: null,
  response_headers: null,
  decided_by: "status_codes",
  trigger: "schedule",
});

/** The search's pages by cursor: one full, one cut short by the budget (no match), one last. */
const SEARCH: Record<string, { data: number[]; complete: boolean; next: string | null }> = {
  "": { data: [9, 8], complete: true, next: "c1" },
  c1: { data: [], complete: false, next: "c2" },
  c2: { data: [3], complete: true, next: null },
};

const { client, env } = standInApi(ACCOUNT, (req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? "/", "http://x");
  const path = url.pathname.replace(`/v1/cron-jobs/${ACCOUNT}`, "");
  seen.push({ path, query: url.searchParams, accept: req.headers.accept });
  const send = (status: number, value: unknown, type = "application/json") => {
    res.writeHead(status, { "Content-Type": type });
    res.end(typeof value === "string" ? value : JSON.stringify(value));
  };
  if (path === "/metrics") {
    const accept = req.headers.accept ?? "";
    if (accept.includes("application/json")) {
      return send(406, { title: "Not Acceptable", status: 406, detail: "no" }, "application/problem+json");
    }
    return accept.startsWith("application/openmetrics-text")
      ? send(200, OM, "application/openmetrics-text; version=1.0.0; charset=utf-8")
      : send(200, PROM, "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path === `/logs/${JOB}` && url.searchParams.has("q")) {
    const page = SEARCH[url.searchParams.get("cursor") ?? ""] as (typeof SEARCH)[string];
    const scan = { complete: page.complete, scanned: 2000, next_cursor: page.next };
    return send(200, { data: page.data.map(log), pagination: { limit: 50, next_cursor: page.next }, scan });
  }
  if (path === `/logs/${JOB}` || path === "/logs") {
    return send(200, { data: [log(1)], pagination: { limit: 50, next_cursor: null } });
  }
  if (path === `/logs/${JOB}/export`) {
    return send(200, `${JSON.stringify(log(1))}\n`, "application/x-ndjson");
  }
  send(404, { title: "Not Found", status: 404 }, "application/problem+json");
});

beforeEach(() => {
  seen.length = 0;
});

describe("metrics", () => {
  it("client.metrics() answers the exposition text, Prometheus by default, OpenMetrics on request", async () => {
    expect(await client().metrics()).toBe(PROM);
    expect(seen.at(-1)?.accept).toBe("text/plain; version=0.0.4");
    expect(await client().metrics({ format: "openmetrics" })).toBe(OM);
    expect(seen.at(-1)?.accept).toBe("application/openmetrics-text; version=1.0.0");
  });

  it("an error status is an EdgecronApiError with the problem", async () => {
    const c = client({
      fetch: (r) => {
        const req = new Request(r, { headers: { ...Object.fromEntries(r.headers), accept: "application/json" } });
        return fetch(req);
      },
    });
    const err = await c.metrics().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EdgecronApiError);
    expect((err as EdgecronApiError).status).toBe(406);
  });

  it("edgecron metrics prints the text as is; --openmetrics asks for OpenMetrics; --json wraps it", async () => {
    const prom = await runCli(["metrics"], env());
    expect(prom).toEqual({ code: EXIT.ok, out: PROM, err: "" });
    const om = await runCli(["metrics", "--openmetrics"], env());
    expect(om.out).toBe(OM);
    const json = await runCli(["metrics", "--json"], env());
    expect(JSON.parse(json.out)).toEqual({ format: "prometheus", text: PROM });
  });
});

describe("logs filters and text search", () => {
  it("the SDK sends response_code, the latency bounds and q as given", async () => {
    await client().logsPage({
      jobId: JOB,
      response_code: "5xx",
      min_response_time_ms: 500,
      max_response_time_ms: 2000,
    });
    expect(Object.fromEntries(seen.at(-1)?.query ?? [])).toEqual({
      response_code: "5xx",
      min_response_time_ms: "500",
      max_response_time_ms: "2000",
    });
    const page = await client().logsPage({ jobId: JOB, q: "timeout" });
    expect(page.scan).toEqual({ complete: true, scanned: 2000, next_cursor: "c1" });
  });

  it("client.logs() walks on through a page the scan budget cut short, even an empty one", async () => {
    const ids = [];
    for await (const l of client().logs({ jobId: JOB, q: "timeout" })) ids.push(l.id);
    expect(ids).toEqual(["exe_9", "exe_8", "exe_3"]);
    expect(seen.map((s) => s.query.get("cursor"))).toEqual([null, "c1", "c2"]);
  });

  it("exports send the code and latency filters too", async () => {
    const exp = await client().exportLogs({ jobId: JOB, response_code: "503", min_response_time_ms: 10 });
    await new Response(exp.body).text();
    expect(Object.fromEntries(seen.at(-1)?.query ?? [])).toEqual({
      format: "ndjson",
      response_code: "503",
      min_response_time_ms: "10",
    });
  });

  it("edgecron logs --code --min-ms --max-ms become the query; export takes them too", async () => {
    const r = await runCli(["logs", JOB, "--code", "5xx", "--min-ms", "500", "--max-ms", "900"], env());
    expect(r.code).toBe(EXIT.ok);
    expect(Object.fromEntries(seen[0]?.query ?? [])).toEqual({
      limit: "20",
      response_code: "5xx",
      min_response_time_ms: "500",
      max_response_time_ms: "900",
    });
    const acct = await runCli(["logs", "--code", "404", "--tag", "a"], env());
    expect(acct.code).toBe(EXIT.ok);
    expect(seen.at(-1)?.path).toBe("/logs");
    expect(seen.at(-1)?.query.get("response_code")).toBe("404");
    const exp = await runCli(["export", JOB, "--code", "503", "--max-ms", "100"], env());
    expect(exp.code).toBe(EXIT.ok);
    expect(Object.fromEntries(seen.at(-1)?.query ?? [])).toEqual({
      format: "ndjson",
      response_code: "503",
      max_response_time_ms: "100",
    });
  });

  it("edgecron logs --search stops where the scan budget ended and says how to go on", async () => {
    const r = await runCli(["logs", JOB, "--search", "timeout", "--limit", "5"], env());
    expect(r.code).toBe(EXIT.ok);
    expect(r.out.trim().split("\n").slice(1)).toHaveLength(2); // header, then the two logs found
    expect(seen.map((s) => [s.query.get("q"), s.query.get("cursor")])).toEqual([
      ["timeout", null],
      ["timeout", "c1"],
    ]);
    expect(r.err).toMatch(/^note: the search's scan budget ended after 4000 logs, before 5 matches/);
    expect(r.err).toContain("--cursor c2");
    const more = await runCli(["logs", JOB, "--search", "timeout", "--cursor", "c2", "--json"], env());
    expect(more.err).toBe("");
    expect(
      more.out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).id),
    ).toEqual(["exe_3"]);
  });

  it("a search that fills its page prints no note", async () => {
    const r = await runCli(["logs", JOB, "--search", "timeout", "--limit", "2"], env());
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toBe("");
    expect(seen).toHaveLength(1);
  });

  it.each([
    [["logs", "--code", "6xx"], '--code must be a status code (500) or a class (5xx), not "6xx"'],
    [["logs", "--code", "50"], "--code must be a status code"],
    [["logs", "--min-ms=-1"], "--min-ms must be an integer"],
    [["export", "--min-ms", "10", "--max-ms", "5"], "--min-ms must not be greater than --max-ms"],
    [["logs", "--min-ms", "-1"], "To specify an option argument starting with a dash use '--min-ms=-XYZ'"],
    [["logs", "--search", "x"], "--search reads one job's logs: give a job id"],
    [["export", JOB, "--search", "x"], "Unknown option '--search'"],
    [["logs", JOB, "--cursor", "c", "--follow"], "--cursor and --follow exclude each other"],
    [["metrics", "x"], "usage: edgecron metrics [--openmetrics]"],
  ])("%j → exit 2 naming the problem, nothing sent", async (argv, message) => {
    const r = await runCli(argv, env());
    expect(r.code).toBe(EXIT.usage);
    expect(r.err.split("\n")[0]).toContain(message);
    expect(seen).toHaveLength(0);
  });

  it("help lists metrics and the new logs options", async () => {
    const r = await runCli(["help"]);
    expect(r.out).toContain("edgecron metrics [--openmetrics]");
    for (const o of ["--code 500|5xx", "--min-ms n", "--max-ms n", "--search text", "--cursor c"]) {
      expect(r.out).toContain(o);
    }
  });
});
