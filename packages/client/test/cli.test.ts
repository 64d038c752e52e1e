/** The CLI's argument handling and credential store, in-process (no server): usage errors and not-signed-in. */
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { credentialsPath, loadCredentials, saveCredentials } from "../src/cli/credentials.js";
import { CliError, EXIT, exitCodeFor, UsageError } from "../src/cli/exit-codes.js";
import { main, usageText } from "../src/cli/main.js";
import { endQuietlyOnClosedPipe } from "../src/cli/output.js";
import { parseSince } from "../src/cli/time.js";
import { EdgecronApiError, EdgecronNetworkError } from "../src/errors.js";

async function run(argv: string[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "edgecron-cli-unit-"));
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => {
    out += c;
  });
  stderr.on("data", (c) => {
    err += c;
  });
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(argv, { stdout, stderr, stdin, env: { EDGECRON_CONFIG: join(dir, "c.json"), ...env } });
  return { code, out, err };
}

describe("edgecron CLI arguments", () => {
  it("help prints every command and exits 0", async () => {
    const r = await run(["help"]);
    expect(r.code).toBe(EXIT.ok);
    for (const c of ["login", "jobs ls", "jobs create", "jobs rm", "logs", "export"]) expect(r.out).toContain(c);
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
