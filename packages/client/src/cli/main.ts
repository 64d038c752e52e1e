/**
 * `edgecron`: the customer CLI over the SDK. Arguments are parsed with node:util `parseArgs` (strict: an unknown
 * option or a missing value is a usage error, exit 2), one option table per command plus the global ones.
 * Every failure is one line on stderr (`--json`: one JSON object) and an exit status from exit-codes.ts.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { EdgecronClient } from "../client.js";
import { EdgecronApiError } from "../errors.js";
import type { ExportFormat, JobCreate, JobUpdate } from "../types.js";
import { int } from "./args.js";
import { CALENDAR_COMMANDS } from "./calendars.js";
import { type Credentials, deleteCredentials, loadCredentials, saveCredentials } from "./credentials.js";
import { EXIT, exitCodeFor, UsageError } from "./exit-codes.js";
import { exportLogs } from "./export.js";
import { readJson } from "./files.js";
import { followLogs, type LogsArgs, latestLogs } from "./logs.js";
import { MONITOR_COMMANDS } from "./monitors.js";
import { type Io, jobDetails, jobsTable, line } from "./output.js";
import { readSecret } from "./prompt.js";
import { RUN_COMMANDS } from "./runs.js";
import { parseSince } from "./time.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

const GLOBAL: Options = {
  json: { type: "boolean" },
  url: { type: "string" },
  account: { type: "string" },
  help: { type: "boolean", short: "h" },
};

export interface Ctx {
  io: Io;
  values: Values;
  args: string[];
  json: boolean;
  client(): EdgecronClient;
  str(name: string): string | undefined;
  bool(name: string): boolean;
  strs(name: string): string[];
  /** `--json`: the value as one JSON document; otherwise the human text. */
  print(value: unknown, human: string): void;
}

export interface Command {
  usage: string;
  summary: string;
  options?: Options;
  args?: [min: number, max: number];
  run(ctx: Ctx): Promise<number | undefined>;
}

const FILTERS: Options = {
  status: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  tag: { type: "string", multiple: true },
  code: { type: "string" },
  "min-ms": { type: "string" },
  "max-ms": { type: "string" },
};

function readJsonFile(path: string | undefined): unknown {
  if (!path) throw new UsageError("-f <file.json> is required (- reads standard input)");
  return readJson(path);
}

const STATUSES = ["success", "failure", "error", "timeout"] as const;

/** --status, --since, --until, --tag, --code, --min-ms, --max-ms → the logs/export filters (job: the argument). */
function logFilters(ctx: Ctx): LogsArgs {
  const status = ctx.str("status");
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(", ")}`);
  }
  const jobId = ctx.args[0];
  const tags = ctx.strs("tag");
  if (jobId && tags.length > 0) throw new UsageError("--tag selects jobs: give a job id or --tag, not both");
  const since = ctx.str("since");
  const until = ctx.str("until");
  const code = ctx.str("code");
  // The API's own rule (src/logs/schemas.ts): a status code 100–599 or a class 1xx–5xx.
  if (code !== undefined && !/^[1-5](\d\d|xx)$/i.test(code)) {
    throw new UsageError(`--code must be a status code (500) or a class (5xx), not "${code}"`);
  }
  const minMs = int(ctx, "min-ms", 0, 2_147_483_647);
  const maxMs = int(ctx, "max-ms", 0, 2_147_483_647);
  if (minMs !== undefined && maxMs !== undefined && minMs > maxMs) {
    throw new UsageError("--min-ms must not be greater than --max-ms");
  }
  return {
    jobId,
    status: status as LogsArgs["status"],
    start_date: since === undefined ? undefined : parseSince(since, "--since"),
    end_date: until === undefined ? undefined : parseSince(until, "--until"),
    tags: tags.length > 0 ? tags.join(",") : undefined,
    response_code: code,
    min_response_time_ms: minMs,
    max_response_time_ms: maxMs,
  };
}

const LOG_FILTERS_USAGE = "[--status s] [--since 1h|<ISO>] [--until …] [--code 500|5xx] [--min-ms n] [--max-ms n]";

function jobCommand(verb: string, summary: string, act: (c: EdgecronClient, id: string) => Promise<unknown>) {
  return {
    usage: `jobs ${verb} <job-id>`,
    summary,
    args: [1, 1],
    async run(ctx: Ctx) {
      const id = ctx.args[0] as string;
      const res = await act(ctx.client(), id);
      const job = res as Parameters<typeof jobDetails>[0];
      ctx.print(res, `${verb === "pause" ? "Paused" : "Resumed"} ${job.name} (${job.id})`);
      return EXIT.ok;
    },
  } satisfies Command;
}

/**
 * `--until`: when a paused job resumes by itself, as an ISO 8601 date-time with Z or an offset (the API's
 * paused_until) or a duration ahead of now (`30m`, `2h`, `7d`, `1w`).
 */
export function parseUntil(value: string, now = Date.now()): string {
  const ahead = /^(\d+)([smhdw])$/.exec(value);
  if (ahead) {
    const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
    return `${new Date(now + Number(ahead[1]) * (units[ahead[2] as string] as number)).toISOString().slice(0, 19)}Z`;
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(value)) return value;
  throw new UsageError(
    `--until must be an ISO 8601 date-time with Z or an offset (2026-12-24T00:00:00Z) or a duration ahead (30m, 2h, 7d, 1w), not "${value}"`,
  );
}

/** `jobs pause` (and its short form `pause`): no further runs, until resumed or until --until. */
function pauseCommand(name: string): Command {
  return {
    usage: `${name} <job-id> [--until <ISO | 2h>] [--reason <text>]`,
    summary: "stop scheduling a job; with --until, the first tick at or after that instant resumes it",
    options: { until: { type: "string" }, reason: { type: "string" } },
    args: [1, 1],
    async run(ctx: Ctx) {
      const until = ctx.str("until");
      const reason = ctx.str("reason");
      const job = await ctx
        .client()
        .pauseJob(ctx.args[0] as string, { until: until === undefined ? undefined : parseUntil(until), reason });
      const until_ = (job as { paused_until?: string | null }).paused_until;
      ctx.print(job, `Paused ${job.name} (${job.id})${until_ ? ` until ${until_}` : ""}`);
      return EXIT.ok;
    },
  };
}

const COMMANDS: Record<string, Command> = {
  login: {
    usage: "login --url <api> --account <account-id> --key <api-key>",
    summary: "check the credentials and store them (secret from EDGECRON_API_SECRET or standard input)",
    options: { key: { type: "string" } },
    args: [0, 0],
    async run(ctx) {
      const { env } = ctx.io;
      const url = ctx.str("url") ?? env.EDGECRON_URL;
      const account = ctx.str("account") ?? env.EDGECRON_ACCOUNT_ID;
      const key = ctx.str("key") ?? env.EDGECRON_API_KEY;
      if (!url || !account || !key) throw new UsageError("login needs --url, --account and --key");
      if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be an http(s) URL, not "${url}"`);
      const secret = env.EDGECRON_API_SECRET ?? (await readSecret(ctx.io, "API secret: "));
      if (!secret) throw new UsageError("no API secret given (EDGECRON_API_SECRET or standard input)");
      const creds: Credentials = {
        url: url.replace(/\/+$/, ""),
        account_id: account,
        api_key: key,
        api_secret: secret,
      };
      await clientFor(creds).listJobs({ limit: 1 }); // 401/403 → exit 3, nothing stored
      const path = saveCredentials(env, creds);
      ctx.print(
        { url: creds.url, account_id: account, api_key: key, credentials_file: path },
        `Signed in to ${creds.url} as account ${account}; credentials saved to ${path} (mode 0600)`,
      );
      return EXIT.ok;
    },
  },
  logout: {
    usage: "logout",
    summary: "forget the stored credentials",
    args: [0, 0],
    async run(ctx) {
      const { path, existed } = deleteCredentials(ctx.io.env);
      ctx.print({ credentials_file: path, removed: existed }, existed ? `Removed ${path}` : "Not signed in");
      return EXIT.ok;
    },
  },
  "jobs ls": {
    usage: "jobs ls [--active | --paused] [--tag <t>]… [--search <text>] [--limit <n>]",
    summary: "list jobs, newest first (every page unless --limit)",
    options: {
      active: { type: "boolean" },
      paused: { type: "boolean" },
      tag: { type: "string", multiple: true },
      search: { type: "string" },
      limit: { type: "string" },
    },
    args: [0, 0],
    async run(ctx) {
      if (ctx.bool("active") && ctx.bool("paused")) throw new UsageError("--active and --paused exclude each other");
      const max = int(ctx, "limit", 1, 100_000) ?? Number.POSITIVE_INFINITY;
      const tags = ctx.strs("tag");
      const jobs = [];
      for await (const job of ctx.client().jobs({
        limit: 100,
        ...(ctx.bool("active")
          ? { is_active: "true" as const }
          : ctx.bool("paused")
            ? { is_active: "false" as const }
            : {}),
        ...(tags.length > 0 ? { tags: tags.join(",") } : {}),
        ...(ctx.str("search") ? { search: ctx.str("search") } : {}),
      })) {
        if (jobs.length >= max) break;
        jobs.push(job);
      }
      ctx.print(jobs, jobs.length === 0 ? "No jobs" : jobsTable(jobs));
      return EXIT.ok;
    },
  },
  "jobs get": {
    usage: "jobs get <job-id>",
    summary: "show a job",
    args: [1, 1],
    async run(ctx) {
      const job = await ctx.client().getJob(ctx.args[0] as string);
      ctx.print(job, jobDetails(job));
      return EXIT.ok;
    },
  },
  "jobs create": {
    usage: "jobs create -f <job.json | -> [--idempotency-key <key>]",
    summary: "create a job from a JSON file (the body of POST …/create); a repeated key answers the first job",
    options: { file: { type: "string", short: "f" }, "idempotency-key": { type: "string" } },
    args: [0, 0],
    async run(ctx) {
      const body = readJsonFile(ctx.str("file")) as JobCreate; // a bad file is a usage error before any sign-in check
      const job = await ctx.client().createJob(body, { idempotencyKey: ctx.str("idempotency-key") });
      ctx.print(job, `Created ${job.name} (${job.id}); next run ${job.next_run_at ?? "-"}`);
      return EXIT.ok;
    },
  },
  "jobs update": {
    usage: "jobs update <job-id> -f <patch.json | ->",
    summary: "change a job (the body of PATCH …/update/{id}: only the fields to change)",
    options: { file: { type: "string", short: "f" } },
    args: [1, 1],
    async run(ctx) {
      const patch = readJsonFile(ctx.str("file")) as JobUpdate;
      const job = await ctx.client().updateJob(ctx.args[0] as string, patch);
      ctx.print(job, `Updated ${job.name} (${job.id}); next run ${job.next_run_at ?? "-"}`);
      return EXIT.ok;
    },
  },
  "jobs pause": pauseCommand("jobs pause"),
  pause: pauseCommand("pause"),
  "jobs resume": jobCommand("resume", "schedule a paused job again", (c, id) => c.resumeJob(id)),
  "jobs run": {
    usage: "jobs run <job-id> [--idempotency-key <key>]",
    summary: `run a job now; exit ${EXIT.runFailed} when the run's outcome is not success, ${EXIT.runPending} when it is still running after the server's 25 s wait`,
    options: { "idempotency-key": { type: "string" } },
    args: [1, 1],
    async run(ctx) {
      const run = await ctx.client().runJob(ctx.args[0] as string, { idempotencyKey: ctx.str("idempotency-key") });
      if (run.status === "pending") {
        ctx.print(run, `pending (execution ${run.execution_id}): still running; its log arrives when it ends`);
        return EXIT.runPending;
      }
      ctx.print(
        run,
        `${run.status} ${run.response_code ?? "-"} in ${run.response_time_ms ?? "-"} ms (execution ${run.execution_id})`,
      );
      return run.status === "success" ? EXIT.ok : EXIT.runFailed;
    },
  },
  "jobs rm": {
    usage: "jobs rm <job-id>",
    summary: "delete a job (and its history)",
    args: [1, 1],
    async run(ctx) {
      const res = await ctx.client().deleteJob(ctx.args[0] as string);
      ctx.print(res, `Deleted ${res.id}`);
      return EXIT.ok;
    },
  },
  logs: {
    usage: `logs [job-id] ${LOG_FILTERS_USAGE} [--search text] [--tag t]… [--limit n] [--cursor c] [--follow [--interval s]]`,
    summary:
      "the latest logs, oldest first (account-wide without a job id); --search finds text in one job's bodies and " +
      "errors (31 days at most; a note says when the server's scan budget ended the search); --follow keeps " +
      "printing new ones",
    options: {
      ...FILTERS,
      search: { type: "string" },
      cursor: { type: "string" },
      limit: { type: "string" },
      follow: { type: "boolean", short: "F" },
      interval: { type: "string" },
    },
    args: [0, 1],
    async run(ctx) {
      const filters: LogsArgs = { ...logFilters(ctx), q: ctx.str("search") };
      if (filters.q !== undefined && !filters.jobId) {
        throw new UsageError("--search reads one job's logs: give a job id");
      }
      const limit = int(ctx, "limit", 1, 10_000) ?? 20;
      if (!ctx.bool("follow")) {
        if (ctx.str("interval") !== undefined) throw new UsageError("--interval goes with --follow");
        await latestLogs(ctx, filters, limit, ctx.str("cursor"));
        return EXIT.ok;
      }
      if (ctx.str("cursor") !== undefined) throw new UsageError("--cursor and --follow exclude each other");
      if (filters.end_date !== undefined) throw new UsageError("--until and --follow exclude each other");
      const interval = int(ctx, "interval", 1, 3600) ?? 2;
      await followLogs(ctx, filters, limit, interval * 1000);
      return EXIT.ok;
    },
  },
  export: {
    usage: `export [job-id] [--format ndjson|csv] ${LOG_FILTERS_USAGE} [--tag t]… [-o file]`,
    summary: "stream every matching log, oldest first, to a file or standard output",
    options: { ...FILTERS, format: { type: "string" }, output: { type: "string", short: "o" } },
    args: [0, 1],
    async run(ctx) {
      const format = ctx.str("format") ?? "ndjson";
      if (format !== "ndjson" && format !== "csv") throw new UsageError("--format must be ndjson or csv");
      await exportLogs(ctx, { ...logFilters(ctx), format: format as ExportFormat }, ctx.str("output"));
      return EXIT.ok;
    },
  },
  metrics: {
    usage: "metrics [--openmetrics]",
    summary: "the account's job metrics as a Prometheus scrape sees them (Prometheus text, or OpenMetrics 1.0)",
    options: { openmetrics: { type: "boolean" } },
    args: [0, 0],
    async run(ctx) {
      const format = ctx.bool("openmetrics") ? "openmetrics" : "prometheus";
      const text = await ctx.client().metrics({ format });
      if (ctx.json) ctx.print({ format, text }, "");
      else ctx.io.stdout.write(text);
      return EXIT.ok;
    },
  },
  ...RUN_COMMANDS,
  ...MONITOR_COMMANDS,
  ...CALENDAR_COMMANDS,
};

export function usageText(): string {
  return [
    "usage: edgecron <command> [options]",
    "",
    ...Object.values(COMMANDS).flatMap((c) => [`  edgecron ${c.usage}`, `      ${c.summary}`]),
    "",
    "global options: --json (machine-readable output), --url <api> and --account <id> (override the stored ones),",
    "                -h/--help (one command's usage)",
    "exit status: 0 ok, 1 failure, 2 usage, 3 not signed in / 401 / 403, 4 not found, 5 refused (400/409),",
    "             6 rate limited, 7 server unreachable, 8 `jobs run`/`replay`: the run failed, 9 … still running",
  ].join("\n");
}

function clientFor(creds: Credentials): EdgecronClient {
  return new EdgecronClient({
    baseUrl: creds.url,
    accountId: creds.account_id,
    apiKey: creds.api_key,
    apiSecret: creds.api_secret,
    headers: { "User-Agent": "edgecron-cli" },
  });
}

/**
 * Global options may also come before the command (`edgecron --url U jobs ls`, as `help` says they are global):
 * they are moved behind it, where parseArgs reads them with the command's own options.
 */
function hoistGlobalOptions(argv: string[]): string[] {
  const lead: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i] as string;
    const name = /^--([a-z-]+)(=|$)/.exec(token)?.[1];
    const option = name === undefined || name === "help" ? undefined : GLOBAL[name];
    if (!option) break;
    lead.push(token);
    if (option.type === "string" && !token.includes("=") && i + 1 < argv.length) lead.push(argv[++i] as string);
  }
  return [...argv.slice(i), ...lead];
}

/** Splits argv into the command's name (one or two words) and the rest. */
function findCommand(argv: string[]): { name: string; rest: string[] } | null {
  const [first, second] = argv;
  if (first === undefined) return null;
  if (["jobs", "monitors", "calendars", "maintenance"].includes(first)) {
    if (second === undefined || second.startsWith("-")) return { name: first, rest: argv.slice(1) };
    return { name: `${first} ${second}`, rest: argv.slice(2) };
  }
  return { name: first, rest: argv.slice(1) };
}

/** Runs one command line and answers its exit status (never throws, never calls process.exit). */
export async function main(given: string[], io: Io): Promise<number> {
  const argv = hoistGlobalOptions(given);
  const json = argv.includes("--json");
  try {
    if (argv.length === 0) throw new UsageError("no command given");
    if (argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
      line(io.stdout, usageText());
      return EXIT.ok;
    }
    const found = findCommand(argv);
    const command = found ? COMMANDS[found.name] : undefined;
    if (!found || !command) {
      const name = found?.name ?? "";
      throw new UsageError(
        name === "jobs"
          ? "jobs needs a subcommand: ls, get, create, update, pause, resume, run, rm"
          : name === "monitors"
            ? "monitors needs a subcommand: ls, get, create, pause, resume, rm"
            : name === "calendars"
              ? "calendars needs a subcommand: ls, get, create, import, rm"
              : name === "maintenance"
                ? "maintenance needs a subcommand: ls, get, create, rm"
                : `unknown command "${name}"`,
      );
    }
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({
        args: found.rest,
        options: { ...GLOBAL, ...command.options },
        allowPositionals: true,
        strict: true,
      }) as { values: Values; positionals: string[] };
    } catch (e) {
      // parseArgs' first line, and for a value starting with "-" (such as -1) its hint to write --name=value.
      const lines = (e as Error).message.split("\n");
      const hint = lines.find((l) => l.startsWith("To specify an option argument"));
      throw new UsageError([lines[0], hint].filter(Boolean).join(" "));
    }
    if (parsed.values.help) {
      line(io.stdout, `usage: edgecron ${command.usage}\n  ${command.summary}`);
      return EXIT.ok;
    }
    const [min, max] = command.args ?? [0, 0];
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(`usage: edgecron ${command.usage}`);
    }
    const values = parsed.values;
    let client: EdgecronClient | undefined;
    const ctx: Ctx = {
      io,
      values,
      args: parsed.positionals,
      json: values.json === true,
      client: () => {
        client ??= clientFor(
          loadCredentials(io.env, {
            url: values.url as string | undefined,
            account: values.account as string | undefined,
          }),
        );
        return client;
      },
      str: (name) => (typeof values[name] === "string" ? (values[name] as string) : undefined),
      bool: (name) => values[name] === true,
      strs: (name) => (Array.isArray(values[name]) ? (values[name] as string[]) : []),
      print: (value, human) => line(io.stdout, values.json === true ? JSON.stringify(value, null, 2) : human),
    };
    return (await command.run(ctx)) ?? EXIT.ok;
  } catch (error) {
    const code = exitCodeFor(error);
    reportError(io, error, code, json);
    return code;
  }
}

function reportError(io: Io, error: unknown, code: number, json: boolean) {
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    const problem = error instanceof EdgecronApiError ? error.problem : null;
    line(
      io.stderr,
      JSON.stringify({ error: message, exit_code: code, status: (error as EdgecronApiError).status, problem }),
    );
    return;
  }
  const status = error instanceof EdgecronApiError ? ` (HTTP ${error.status})` : "";
  const retry = error instanceof EdgecronApiError ? error.response.headers.get("Retry-After") : null;
  line(io.stderr, `error: ${message}${status}${retry ? `; retry after ${retry} s` : ""}`);
  if (code === EXIT.usage && !message.startsWith("usage:")) line(io.stderr, "run `edgecron help` for the commands");
}
