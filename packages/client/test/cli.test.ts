/** The CLI's argument handling and credential store, in-process (no server): usage errors and not-signed-in. */
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { credentialsPath, loadCredentials, saveCredentials } from "../src/cli/credentials.js";
import { CliError, EXIT, exitCodeFor, UsageError } from "../src/cli/exit-codes.js";
import { drained } from "../src/cli/export.js";
import { usageText } from "../src/cli/main.js";
import { endQuietlyOnClosedPipe } from "../src/cli/output.js";
import { parseSince } from "../src/cli/time.js";
import { EdgecronApiError, EdgecronNetworkError } from "../src/errors.js";
import { runCli as run } from "./support/run-cli.js";
import { standInApi } from "./support/stand-in.js";

describe("edgecron CLI arguments", () => {
  it("help prints every command and exits 0", async () => {
    const r = await run(["help"]);
    expect(r.code).toBe(EXIT.ok);
    for (const c of ["login", "jobs ls", "jobs create", "jobs rm", "logs", "export", "dead-letters", "replay"]) {
      expect(r.out).toContain(c);
    }
    for (const c of ["deliveries", "redeliver"]) expect(r.out).toContain(`edgecron ${c}`);
  });

  it.each([
    [[], "no command given"],
    [["frobnicate"], 'unknown command "frobnicate"'],
    [["jobs"], "jobs needs a subcommand"],
    [["jobs", "ls", "--bogus"], "Unknown option '--bogus'"],
    [["jobs", "ls", "--search"], "argument missing"],
    [["jobs", "get"], "usage: edgecron jobs get <job-id>"],
    [["jobs", "get", "a", "b"], "usage: edgecron jobs get <job-id>"],
    [["jobs", "ls", "--active", "--paused"], "exclude each other"],
    [["jobs", "ls", "--limit", "0"], "--limit must be an integer"],
    [["jobs", "create"], "-f <file.json> is required"],
    [["jobs", "create", "-f", "/nonexistent/job.json"], "cannot read /nonexistent/job.json: ENOENT"],
    [["logs", "--status", "retry"], "--status must be one of success, failure, error, timeout"],
    [["logs", "--since", "yesterday"], "--since must be a duration"],
    [["logs", "--follow", "--until", "1h"], "--until and --follow exclude each other"],
    [["logs", "j", "--tag", "x"], "give a job id or --tag"],
    [["export", "--format", "xml"], "--format must be ndjson or csv"],
    [["login", "--url", "http://x"], "login needs --url, --account and --key"],
    [["dead-letters", "--limit", "0"], "--limit must be an integer 1–10000"],
    [["dead-letters", "x"], "usage: edgecron dead-letters"],
    [["replay"], "replay needs execution ids or --dead-letters"],
    [["replay", "exe_1", "--dead-letters"], "give execution ids or --dead-letters, not both"],
    [["replay", "exe_1", "--limit", "5"], "--limit goes with --dead-letters"],
    [["deliveries", "--kind", "sms"], "--kind must be one of callback, alert"],
    [["deliveries", "--state", "lost"], "--state must be one of pending, delivered, failed, unconfirmed, refused"],
    [["redeliver"], "usage: edgecron redeliver <delivery-id>"],
    [["runs"], "usage: edgecron runs <job-id>"],
    [["runs", "j", "--state", "missed"], "--state must be one of queued, running, awaiting, done, skipped, dead"],
    [["runs", "j", "--since", "soon"], "--since must be a duration"],
  ])("%j → exit 2, one line naming the problem", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.out).toBe("");
    expect(r.err.split("\n")[0]).toContain(message);
    expect(r.err).not.toMatch(/\n\s+at /); // never a stack trace
  });

  it("takes the global options before the command too", async () => {
    const env = {
      EDGECRON_ACCOUNT_ID: "00000000-0000-4000-8000-000000000001",
      EDGECRON_API_KEY: "k",
      EDGECRON_API_SECRET: "s",
    };
    for (const argv of [
      ["--url", "http://127.0.0.1:1", "jobs", "ls"],
      ["--url=http://127.0.0.1:1", "--json", "jobs", "ls"],
      ["jobs", "ls", "--url", "http://127.0.0.1:1"],
    ]) {
      const r = await run(argv, env);
      expect(r.code, argv.join(" ")).toBe(EXIT.network);
      expect(r.err).toContain("127.0.0.1:1");
    }
    expect((await run(["--bogus", "jobs", "ls"])).err).toContain('unknown command "--bogus"');
  });

  it("exits 3 when not signed in, with --json as one JSON object on stderr", async () => {
    const r = await run(["jobs", "ls"]);
    expect(r.code).toBe(EXIT.auth);
    expect(r.err).toMatch(/^error: not signed in .*edgecron login/);
    const j = await run(["jobs", "ls", "--json"]);
    expect(j.code).toBe(EXIT.auth);
    expect(JSON.parse(j.err)).toMatchObject({ exit_code: EXIT.auth });
  });

  it("exits 7 when the server cannot be reached", async () => {
    const env = {
      EDGECRON_URL: "http://127.0.0.1:1",
      EDGECRON_ACCOUNT_ID: "00000000-0000-4000-8000-000000000000",
      EDGECRON_API_KEY: "ek",
      EDGECRON_API_SECRET: "es",
    };
    const r = await run(["jobs", "get", "x"], env);
    expect(r.code).toBe(EXIT.network);
    expect(r.err).toMatch(/^error: could not reach http:\/\/127\.0\.0\.1:1/);
  });
});

/**
 * A stand-in API on loopback for what the CLI does around the calls: bulk replay batches and keys, dead-letter
 * paging, exit statuses of a partial replay. (test/worker.test.ts drives the same commands against the Worker.)
 */
describe("runs, replay and dead letters against a stand-in API", () => {
  const ACCOUNT = "00000000-0000-4000-8000-0000000000aa";
  const dead = Array.from({ length: 150 }, (_, i) => `exe_${String(1000 - i).padStart(26, "0")}`);
  const bulk: Array<{ key: string | undefined; ids: string[] }> = [];
  const runsQueries: string[] = [];
  const { env } = standInApi(ACCOUNT, (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const path = url.pathname.replace(`/v1/cron-jobs/${ACCOUNT}`, "");
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (path === "/dead-letters") {
        const limit = Number(url.searchParams.get("limit") ?? 50);
        const cursor = url.searchParams.get("cursor");
        const from = cursor ? dead.indexOf(cursor) + 1 : 0;
        const page = dead.slice(from, from + limit);
        const more = from + limit < dead.length;
        return send(200, {
          data: page.map((id) => ({
            execution_id: id,
            cron_job_id: "j",
            state: "dead",
            reason: "undelivered",
            attempt: 0,
            trigger: "schedule",
            scheduled_at: "2026-01-01T00:00:00Z",
            executed_at: "2026-01-01T00:00:05Z",
            status: "error",
            error_message: "Not delivered",
            replay_of: null,
          })),
          pagination: { limit, next_cursor: more ? page.at(-1) : null },
        });
      }
      if (path === "/runs/j1") {
        runsQueries.push(url.searchParams.toString());
        return send(200, {
          data: [
            {
              kind: "run",
              slot: "2026-01-01T01:06:00Z",
              planned_at: "2026-01-01T01:06:00Z",
              execution_id: "exe_6",
              attempt: 0,
              state: "done",
              reason: null,
              origin: "schedule",
            },
            {
              kind: "span",
              first_slot: "2026-01-01T01:01:00Z",
              last_slot: "2026-01-01T01:05:00Z",
              count: 5,
              execution_id: null,
              attempt: 0,
              state: "skipped",
              reason: "missed",
              origin: "schedule",
            },
          ],
          pagination: { limit: 20, next_cursor: null },
        });
      }
      if (path === "/replay") {
        const ids = (JSON.parse(body) as { execution_ids: string[] }).execution_ids;
        bulk.push({ key: req.headers["idempotency-key"] as string | undefined, ids });
        return send(200, {
          data: ids.map((id) => {
            const missing = id === "exe_missing";
            return {
              execution_id: id,
              status: missing ? "not_found" : "queued",
              replay_execution_id: missing ? null : `${id}_r`,
              cron_job_id: missing ? null : "j",
              detail: missing ? `Execution ${id} not found` : null,
            };
          }),
        });
      }
      const one = /^\/replay\/(.+)$/.exec(path);
      if (one) {
        const ok = one[1] === "exe_ok";
        return send(200, {
          data: {
            execution_id: "exe_new",
            replay_of: one[1],
            cron_job_id: "j",
            status: ok ? "success" : "failure",
            response_code: ok ? 200 : 500,
            response_body: null,
            executed_at: "2026-01-01T00:00:00Z",
            response_time_ms: 12,
          },
        });
      }
      send(404, { title: "Not Found", status: 404, detail: `No route for ${path}` });
    });
  });

  it("runs prints a missed span as one line with its slots; filters go to the query", async () => {
    const r = await run(["runs", "j1", "--state", "skipped", "--since", "2026-01-01", "--until", "2026-01-02"], env());
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(runsQueries.at(-1)).toBe("state=skipped&start_date=2026-01-01&end_date=2026-01-02&limit=20");
    const lines = r.out.trim().split("\n");
    expect(lines[0]).toMatch(/^SLOT\s+TRY\s+STATE\s+REASON\s+ORIGIN\s+EXECUTION$/);
    expect(lines[1]).toMatch(/^2026-01-01T01:06:00Z\s+#0\s+done\s+-\s+schedule\s+exe_6$/);
    expect(lines[2]).toMatch(
      /^2026-01-01T01:01:00Z … 2026-01-01T01:05:00Z \(5 slots\)\s+-\s+skipped\s+missed\s+schedule\s+-$/,
    );
  });

  it("replay of one id waits for the outcome: exit 0 for success, 8 otherwise", async () => {
    const ok = await run(["replay", "exe_ok"], env());
    expect(ok.code).toBe(EXIT.ok);
    expect(ok.out).toBe("success 200 in 12 ms (execution exe_new, replay of exe_ok)\n");
    const failed = await run(["replay", "exe_bad", "--json"], env());
    expect(failed.code).toBe(EXIT.runFailed);
    expect(JSON.parse(failed.out)).toMatchObject({ replay_of: "exe_bad", status: "failure" });
  });

  it("replay --dead-letters queues every dead letter, 100 a request, each batch with its own key", async () => {
    bulk.length = 0;
    const r = await run(["replay", "--dead-letters", "--idempotency-key", "k1", "--json"], env());
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(bulk.map((b) => [b.key, b.ids.length])).toEqual([
      ["k1:1", 100],
      ["k1:2", 50],
    ]);
    expect(bulk.flatMap((b) => b.ids)).toEqual(dead);
    expect((JSON.parse(r.out) as unknown[]).length).toBe(150);
    bulk.length = 0;
    await run(["replay", "--dead-letters", "--limit", "3", "--idempotency-key", "k2"], env());
    expect(bulk).toEqual([{ key: "k2", ids: dead.slice(0, 3) }]);
  });

  it("replay of several ids is one bulk request; an id not queued makes the exit status 5", async () => {
    bulk.length = 0;
    const r = await run(["replay", "exe_a", "exe_missing", "exe_a"], env());
    expect(bulk).toEqual([{ key: undefined, ids: ["exe_a", "exe_missing"] }]);
    expect(r.code).toBe(EXIT.rejected);
    expect(r.out.split("\n")[0]).toMatch(/^EXECUTION\s+RESULT\s+REPLAY EXECUTION\s+JOB\s+DETAIL$/);
    expect(r.out).toMatch(/exe_missing\s+not_found\s+-\s+-\s+Execution exe_missing not found/);
    expect(r.out).toContain("1 of 2 queued");
  });

  it("dead-letters prints the newest --limit across pages", async () => {
    const r = await run(["dead-letters", "--limit", "120", "--json"], env());
    expect(r.code, r.err).toBe(EXIT.ok);
    expect((JSON.parse(r.out) as Array<{ execution_id: string }>).map((d) => d.execution_id)).toEqual(
      dead.slice(0, 120),
    );
    const human = await run(["dead-letters", "--limit", "2"], env());
    expect(human.out.split("\n")[0]).toMatch(/^EXECUTION\s+EXECUTED AT\s+JOB\s+REASON\s+TRY\s+TRIGGER\s+ERROR$/);
    expect(human.out.split("\n")[1]).toMatch(/^exe_0+1000 +2026-01-01T00:00:05Z +j +undelivered +#0 +schedule +Not/);
  });
});

describe("credential store", () => {
  it("writes the file with mode 0600 in a 0700 directory, also over a looser existing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgecron-creds-"));
    const env = { XDG_CONFIG_HOME: dir };
    const path = credentialsPath(env);
    expect(path).toBe(join(dir, "edgecron", "credentials.json"));
    const creds = { url: "http://h", account_id: "a", api_key: "k", api_secret: "s" };
    saveCredentials(env, creds);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "edgecron")).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(creds);
    expect(loadCredentials(env)).toEqual(creds);
    expect(loadCredentials({ ...env, EDGECRON_API_SECRET: "from-env" }).api_secret).toBe("from-env");
  });
});

describe("--since", () => {
  it("takes durations back from now and passes ISO dates through", () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    expect(parseSince("90s", "--since", now)).toBe("2026-11-30T11:58:30Z");
    expect(parseSince("2h", "--since", now)).toBe("2026-11-30T10:00:00Z");
    expect(parseSince("1w", "--since", now)).toBe("2026-11-23T12:00:00Z");
    expect(parseSince("2026-11-01", "--since", now)).toBe("2026-11-01");
    expect(parseSince("2026-11-01T09:00:00+05:30", "--since", now)).toBe("2026-11-01T09:00:00+05:30");
    expect(() => parseSince("2026-11-01T09:00:00", "--since", now)).toThrow("--since must be");
  });
});

describe("exit statuses", () => {
  const api = (status: number) => new EdgecronApiError(status, null, new Response(null, { status }));
  it.each([
    [401, EXIT.auth],
    [403, EXIT.auth],
    [404, EXIT.notFound],
    [400, EXIT.rejected],
    [409, EXIT.rejected],
    [413, EXIT.rejected],
    [415, EXIT.rejected],
    [431, EXIT.rejected],
    [429, EXIT.rateLimited],
    [500, EXIT.failure],
    [503, EXIT.failure],
  ])("HTTP %i → exit %i", (status, code) => {
    expect(exitCodeFor(api(status))).toBe(code);
  });

  it("maps usage, network and other failures", () => {
    expect(exitCodeFor(new UsageError("x"))).toBe(EXIT.usage);
    expect(exitCodeFor(new EdgecronNetworkError("http://h", { cause: new TypeError("fetch failed") }))).toBe(
      EXIT.network,
    );
    expect(exitCodeFor(new CliError("x", EXIT.runFailed))).toBe(EXIT.runFailed);
    expect(exitCodeFor(new Error("boom"))).toBe(EXIT.failure);
  });

  it("help and both READMEs list exactly the exit statuses the CLI has", () => {
    const codes = Object.values(EXIT).sort((a, b) => a - b);
    const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");
    // The help's legend: "exit status: 0 ok, 1 failure, …" over two lines.
    const legend = usageText().slice(usageText().indexOf("exit status:"));
    expect([...legend.matchAll(/(?:[:,]\s+)(\d+) /g)].map((m) => Number(m[1]))).toEqual(codes);
    // packages/client/README.md: one table row per status.
    const rows = [...read("../README.md").matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
    expect(rows).toEqual(codes);
    // README.md: "exit statuses 0–N (1 failure, 2 usage, …)".
    const root = read("../../../README.md").match(/exit statuses 0–(\d+) \(([^)]*)\)/);
    expect(Number(root?.[1])).toBe(codes.at(-1));
    const listed = (root?.[2] ?? "").split(/,\s+/).map((item) => Number.parseInt(item, 10));
    expect([0, ...listed]).toEqual(codes);
  });
});

describe("a closed output pipe (edgecron logs … | head)", () => {
  it("ends quietly with status 0 on EPIPE; any other stream error still throws", () => {
    const stdout = new PassThrough();
    const codes: number[] = [];
    endQuietlyOnClosedPipe(stdout, (code) => codes.push(code));
    stdout.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    expect(codes).toEqual([0]);
    expect(() => stdout.emit("error", Object.assign(new Error("boom"), { code: "EIO" }))).toThrow("boom");
  });
});

describe("export's backpressure wait", () => {
  it("leaves no listener behind however often the sink is full", async () => {
    const sink = new PassThrough({ highWaterMark: 1 });
    const errorListeners = sink.listenerCount("error");
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      for (let i = 0; i < 30; i++) {
        expect(sink.write(Buffer.from("chunk\n"))).toBe(false);
        const wait = drained(sink);
        sink.read();
        await wait;
      }
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", onWarning);
    }
    expect(sink.listenerCount("error")).toBe(errorListeners);
    expect(sink.listenerCount("drain")).toBe(0);
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });
});
