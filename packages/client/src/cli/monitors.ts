/**
 * `edgecron monitors …` over the SDK's monitors resource, and `edgecron ping`, which pings a monitor or, given a
 * command after `--`, wraps it as Healthchecks' runitor does: start, run, then the exit status with the output's tail.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { constants } from "node:os";
import { EdgecronClient } from "../client.js";
import type { Monitor, MonitorCreate, MonitorState, PingState } from "../monitors.js";
import { pingKeyOf } from "../monitors.js";
import { int, oneOf, upToLimit } from "./args.js";
import { loadCredentials } from "./credentials.js";
import { CliError, EXIT, UsageError } from "./exit-codes.js";
import type { Command, Ctx } from "./main.js";
import { dash, line, table } from "./output.js";

/** The server keeps a ping body's first 10 KB (MAX_PING_BODY_BYTES), so the wrapper sends the last 10 KB. */
export const OUTPUT_TAIL_BYTES = 10_240;

const STATES = ["new", "up", "late", "down", "paused"] as const satisfies readonly MonitorState[];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const schedule = (m: Monitor) => (m.cron ? `${m.cron} ${m.timezone}` : `every ${m.period_seconds} s`);

export function monitorsTable(monitors: Monitor[]): string {
  return table([
    ["ID", "SLUG", "STATE", "SCHEDULE", "LAST PING", "NEXT EXPECTED"],
    ...monitors.map((m) => [m.id, m.slug, m.state, schedule(m), dash(m.last_ping_at), dash(m.next_expected_at)]),
  ]);
}

export function monitorDetails(m: Monitor): string {
  return [
    `${m.name} (${m.id})`,
    `  slug           ${m.slug}`,
    `  state          ${m.state}`,
    `  schedule       ${schedule(m)}, grace ${m.grace_seconds} s`,
    `  last ping      ${dash(m.last_ping_at)}`,
    `  next expected  ${dash(m.next_expected_at)}`,
    `  tags           ${m.tags.length > 0 ? m.tags.join(", ") : "-"}`,
    `  ping URL       ${m.ping_url}`,
  ].join("\n");
}

function act(verb: "pause" | "resume", done: string): Command {
  return {
    usage: `monitors ${verb} <monitor-id>`,
    summary: verb === "pause" ? "no deadline and no alert until resumed" : "wait for the next ping again",
    args: [1, 1],
    async run(ctx) {
      const m = await ctx.client().monitors[verb](ctx.args[0] as string);
      ctx.print(m, `${done} ${m.name} (${m.id}): ${m.state}`);
      return EXIT.ok;
    },
  };
}

const remove: Command = {
  usage: "monitors rm <monitor-id>",
  summary: "delete a monitor (its ping URLs answer 404 at once)",
  args: [1, 1],
  async run(ctx) {
    const res = await ctx.client().monitors.delete(ctx.args[0] as string);
    ctx.print(res, `Deleted ${res.id}`);
    return EXIT.ok;
  },
};

function seconds(ctx: Ctx, name: string): number | undefined {
  return int(ctx, name, 60, 31_536_000);
}

export const MONITOR_COMMANDS: Record<string, Command> = {
  "monitors ls": {
    usage: "monitors ls [--state new|up|late|down|paused] [--tag <t>]… [--limit <n>]",
    summary: "list monitors, newest first (default 100)",
    options: { state: { type: "string" }, tag: { type: "string", multiple: true }, limit: { type: "string" } },
    args: [0, 0],
    async run(ctx) {
      const state = oneOf(ctx, "state", STATES);
      const tags = ctx.strs("tag");
      const monitors = await upToLimit(ctx, 100, (limit) =>
        ctx.client().monitors.list({
          limit,
          ...(state ? { state } : {}),
          ...(tags.length > 0 ? { tags: tags.join(",") } : {}),
        }),
      );
      ctx.print(monitors, monitors.length === 0 ? "No monitors" : monitorsTable(monitors));
      return EXIT.ok;
    },
  },
  get "monitors list"() {
    return { ...MONITOR_COMMANDS["monitors ls"], usage: "monitors list (same as monitors ls)" } as Command;
  },
  "monitors get": {
    usage: "monitors get <monitor-id>",
    summary: "show a monitor and its ping URL",
    args: [1, 1],
    async run(ctx) {
      const m = await ctx.client().monitors.get(ctx.args[0] as string);
      ctx.print(m, monitorDetails(m));
      return EXIT.ok;
    },
  },
  "monitors create": {
    usage:
      "monitors create (<name> [--slug s] [--period secs | --cron expr [--timezone tz]] [--grace secs] [--tag t]… | -f <monitor.json | ->)",
    summary: "create a monitor (defaults: a daily ping, an hour's grace); prints its ping URL",
    options: {
      file: { type: "string", short: "f" },
      slug: { type: "string" },
      period: { type: "string" },
      cron: { type: "string" },
      timezone: { type: "string" },
      grace: { type: "string" },
      tag: { type: "string", multiple: true },
    },
    args: [0, 1],
    async run(ctx) {
      const file = ctx.str("file");
      const name = ctx.args[0];
      if ((file === undefined) === (name === undefined)) throw new UsageError("give a name or -f <monitor.json>, one");
      let body: MonitorCreate;
      if (file !== undefined) {
        try {
          body = JSON.parse(readFileSync(file === "-" ? 0 : file, "utf8")) as MonitorCreate;
        } catch (e) {
          throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      } else {
        const tags = ctx.strs("tag");
        const period = seconds(ctx, "period");
        const grace = seconds(ctx, "grace");
        body = {
          name: name as string,
          ...(ctx.str("slug") !== undefined ? { slug: ctx.str("slug") } : {}),
          ...(period !== undefined ? { period_seconds: period } : {}),
          ...(ctx.str("cron") !== undefined ? { cron: ctx.str("cron") } : {}),
          ...(ctx.str("timezone") !== undefined ? { timezone: ctx.str("timezone") } : {}),
          ...(grace !== undefined ? { grace_seconds: grace } : {}),
          ...(tags.length > 0 ? { tags } : {}),
        } as MonitorCreate;
      }
      const m = await ctx.client().monitors.create(body);
      ctx.print(m, `Created ${m.name} (${m.id}); ping ${m.ping_url}`);
      return EXIT.ok;
    },
  },
  "monitors pause": act("pause", "Paused"),
  "monitors resume": act("resume", "Resumed"),
  "monitors rm": remove,
  "monitors delete": { ...remove, usage: "monitors delete <monitor-id>" },
  ping: {
    usage:
      "ping <slug | monitor-id> [--start | --fail | --exit <0-255> | --log] [--rid <uuid>] [--create] [--ping-key <k>] [-- <command> [args…]]",
    summary:
      "ping a monitor (success by default); with a command: start, run it, then its exit status and the last 10 KB of its output",
    options: {
      start: { type: "boolean" },
      fail: { type: "boolean" },
      exit: { type: "string" },
      log: { type: "boolean" },
      rid: { type: "string" },
      create: { type: "boolean" },
      "ping-key": { type: "string" },
    },
    args: [1, Number.POSITIVE_INFINITY],
    async run(ctx) {
      const [target, ...command] = ctx.args as [string, ...string[]];
      const exit = int(ctx, "exit", 0, 255);
      const chosen = [ctx.bool("start"), ctx.bool("fail"), exit !== undefined, ctx.bool("log")].filter(Boolean);
      if (chosen.length > 1) throw new UsageError("--start, --fail, --exit and --log exclude each other");
      const rid = ctx.str("rid");
      if (rid !== undefined && !UUID.test(rid)) throw new UsageError("--rid must be a UUID");
      const client = await pingClient(ctx, target);
      const create = ctx.bool("create");
      if (command.length === 0) {
        const state: PingState | undefined = ctx.bool("start")
          ? "start"
          : ctx.bool("fail")
            ? "fail"
            : ctx.bool("log")
              ? "log"
              : exit;
        const res = await client.ping(target, { state, rid, create });
        ctx.print({ target, state: state ?? "success", status: res.status }, res.created ? "Created" : "OK");
        return EXIT.ok;
      }
      if (chosen.length > 0)
        throw new UsageError("a wrapped command's exit status is the ping: drop --start/--fail/--exit/--log");
      return wrap(ctx, client, target, command, { rid: rid ?? randomUUID(), create });
    },
  },
};

/**
 * A client for the ping: the ping key from --ping-key, EDGECRON_PING_KEY or (signed in) any monitor's ping_url; a
 * monitor id needs none. The URL from --url, EDGECRON_URL or the stored credentials.
 */
async function pingClient(ctx: Ctx, target: string): Promise<EdgecronClient> {
  const given = ctx.str("ping-key") ?? ctx.io.env.EDGECRON_PING_KEY;
  const url = ctx.str("url") ?? ctx.io.env.EDGECRON_URL;
  const options = { headers: { "User-Agent": "edgecron-cli" } };
  if ((given || UUID.test(target)) && url) {
    return new EdgecronClient({ baseUrl: url, accountId: "-", apiKey: "", apiSecret: "", pingKey: given, ...options });
  }
  if (given || UUID.test(target)) {
    const creds = loadCredentials(ctx.io.env, { url });
    return new EdgecronClient({
      baseUrl: creds.url,
      accountId: "-",
      apiKey: "",
      apiSecret: "",
      pingKey: given,
      ...options,
    });
  }
  const api = ctx.client();
  const first = (await api.monitors.page({ limit: 1 })).data[0];
  const key = first ? pingKeyOf(first.ping_url) : null;
  if (!key) {
    throw new CliError(
      "no ping key: pass --ping-key or set EDGECRON_PING_KEY (a full-scope key sees it in a monitor's ping_url)",
      EXIT.usage,
    );
  }
  return new EdgecronClient({
    baseUrl: api.baseUrl,
    accountId: api.accountId,
    apiKey: "",
    apiSecret: "",
    pingKey: key,
    ...options,
  });
}

/** The last `max` bytes pushed: a window over the combined output. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  push(chunk: Buffer) {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - (this.chunks[0] as Buffer).length >= this.max) {
      this.size -= (this.chunks.shift() as Buffer).length;
    }
  }
  bytes(): Buffer {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max));
  }
}

/** A failed ping must not stop or fail the job it reports on: warn and carry on (runitor does the same). */
async function tryPing(ctx: Ctx, send: () => Promise<unknown>) {
  try {
    await send();
  } catch (e) {
    line(ctx.io.stderr, `edgecron: ping failed: ${(e as Error).message}`);
  }
}

async function wrap(
  ctx: Ctx,
  client: EdgecronClient,
  target: string,
  command: string[],
  options: { rid: string; create: boolean },
): Promise<number> {
  const { rid, create } = options;
  await tryPing(ctx, () => client.ping(target, { state: "start", rid, create }));
  const tail = new Tail(OUTPUT_TAIL_BYTES);
  const status = await new Promise<number>((resolve) => {
    const child = spawn(command[0] as string, command.slice(1), { stdio: ["inherit", "pipe", "pipe"] });
    child.stdout.on("data", (c: Buffer) => {
      tail.push(c);
      ctx.io.stdout.write(c);
    });
    child.stderr.on("data", (c: Buffer) => {
      tail.push(c);
      ctx.io.stderr.write(c);
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      tail.push(Buffer.from(`edgecron: cannot run ${command[0]}: ${e.message}\n`));
      resolve(e.code === "ENOENT" ? 127 : 126); // the shell's statuses for not found / not executable
    });
    child.on("close", (code, signal) => {
      // A signal's death is 128 + its number, as the shell reports it.
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
  const body = new Uint8Array(tail.bytes());
  await tryPing(ctx, () => client.ping(target, { state: Math.min(status, 255), rid, body }));
  if (ctx.json) ctx.print({ target, rid, exit_status: status }, "");
  return status;
}
