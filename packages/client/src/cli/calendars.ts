/** `edgecron calendars …` and `edgecron maintenance …` over the SDK's calendars and maintenance windows resources. */
import type { Calendar, CalendarCreate, MaintenanceWindow, MaintenanceWindowCreate } from "../calendars.js";
import { int, LIMIT_OPTION, oneOf, upToLimit } from "./args.js";
import { EXIT, UsageError } from "./exit-codes.js";
import { readJson, readText } from "./files.js";
import type { Command, Ctx } from "./main.js";
import { dash, table } from "./output.js";

/** -f <file.json> or the flags, exactly one of them. */
function fileOr<T>(ctx: Ctx, fromFlags: () => T, what: string): T {
  const file = ctx.str("file");
  const flags =
    ctx.args.length > 0 || Object.keys(ctx.values).some((k) => !["file", "json", "url", "account"].includes(k));
  if (file !== undefined && flags) throw new UsageError(`give -f <${what}.json> or the options, not both`);
  return file !== undefined ? readJson<T>(file) : fromFlags();
}

export function calendarsTable(calendars: Calendar[]): string {
  return table([
    ["ID", "NAME", "TZ", "DATES", "RANGES", "RECURRING"],
    ...calendars.map((c) => [
      c.id,
      c.name,
      c.timezone,
      String(c.dates.length),
      String(c.ranges.length),
      String(c.recurring.length),
    ]),
  ]);
}

function calendarDetails(c: Calendar): string {
  const ranges = c.ranges.map((r) => `${r.start} → ${r.end}`);
  const recurring = c.recurring.map((r) => `${r.cron} for ${r.duration_minutes} min`);
  return [
    `${c.name} (${c.id})`,
    `  timezone   ${c.timezone}`,
    `  dates      ${c.dates.length > 0 ? c.dates.join(", ") : "-"}`,
    `  ranges     ${ranges.length > 0 ? ranges.join(", ") : "-"}`,
    `  recurring  ${recurring.length > 0 ? recurring.join(", ") : "-"}`,
  ].join("\n");
}

const when = (w: MaintenanceWindow) =>
  w.recurrence
    ? `${w.recurrence.cron} ${w.timezone} for ${w.recurrence.duration_minutes} min`
    : `${dash(w.start)} → ${dash(w.end)}`;
const scope = (w: MaintenanceWindow) =>
  [
    ...w.job_ids.map((id) => `job ${id}`),
    ...w.monitor_ids.map((id) => `monitor ${id}`),
    ...w.tags.map((t) => `tag ${t}`),
  ].join(", ") || "-";

export function windowsTable(windows: MaintenanceWindow[]): string {
  return table([
    ["ID", "NAME", "ACTION", "WHEN", "SCOPE"],
    ...windows.map((w) => [w.id, dash(w.name), w.action, when(w), scope(w)]),
  ]);
}

function rm(noun: "calendars" | "maintenance", del: (ctx: Ctx, id: string) => Promise<{ id: string }>): Command {
  return {
    usage: `${noun} rm <id>`,
    summary:
      noun === "calendars" ? "delete a calendar (refused while a job excludes it)" : "delete a maintenance window",
    args: [1, 1],
    async run(ctx) {
      const res = await del(ctx, ctx.args[0] as string);
      ctx.print(res, `Deleted ${res.id}`);
      return EXIT.ok;
    },
  };
}

export const CALENDAR_COMMANDS: Record<string, Command> = {
  "calendars ls": {
    usage: "calendars ls [--limit <n>]",
    summary: "list calendars, newest first (default 100)",
    options: LIMIT_OPTION,
    args: [0, 0],
    async run(ctx) {
      const calendars = await upToLimit(ctx, 100, (limit) => ctx.client().calendars.list({ limit }));
      ctx.print(calendars, calendars.length === 0 ? "No calendars" : calendarsTable(calendars));
      return EXIT.ok;
    },
  },
  "calendars get": {
    usage: "calendars get <calendar-id>",
    summary: "show a calendar's dates, ranges and recurring exclusions",
    args: [1, 1],
    async run(ctx) {
      const c = await ctx.client().calendars.get(ctx.args[0] as string);
      ctx.print(c, calendarDetails(c));
      return EXIT.ok;
    },
  },
  "calendars create": {
    usage: "calendars create (<name> [--timezone tz] [--date YYYY-MM-DD]… [--ics <file.ics>] | -f <calendar.json | ->)",
    summary: "create a calendar of excluded days; --ics adds an iCalendar file's events (a holiday list)",
    options: {
      file: { type: "string", short: "f" },
      timezone: { type: "string" },
      date: { type: "string", multiple: true },
      ics: { type: "string" },
    },
    args: [0, 1],
    async run(ctx) {
      const body = fileOr<CalendarCreate>(
        ctx,
        () => {
          const name = ctx.args[0];
          if (name === undefined) throw new UsageError("give a name or -f <calendar.json>");
          const dates = ctx.strs("date");
          const ics = ctx.str("ics");
          return {
            name,
            ...(ctx.str("timezone") !== undefined ? { timezone: ctx.str("timezone") } : {}),
            ...(dates.length > 0 ? { dates } : {}),
            ...(ics !== undefined ? { ics: readText(ics) } : {}),
          } as CalendarCreate;
        },
        "calendar",
      );
      const c = await ctx.client().calendars.create(body);
      ctx.print(c, `Created ${c.name} (${c.id}): ${c.dates.length} dates, ${c.ranges.length} ranges`);
      return EXIT.ok;
    },
  },
  "calendars import": {
    usage: "calendars import <calendar-id> --ics <file.ics | -> [--replace]",
    summary: "add an iCalendar file's events to a calendar (--replace: instead of its dates and ranges)",
    options: { ics: { type: "string" }, replace: { type: "boolean" } },
    args: [1, 1],
    async run(ctx) {
      const ics = ctx.str("ics");
      if (ics === undefined) throw new UsageError("--ics <file.ics> is required (- reads standard input)");
      const text = readText(ics);
      const c = await ctx
        .client()
        .calendars.importIcs(ctx.args[0] as string, text, ctx.bool("replace") ? { replace: true } : {});
      ctx.print(c, `Imported into ${c.name} (${c.id}): ${c.dates.length} dates, ${c.ranges.length} ranges`);
      return EXIT.ok;
    },
  },
  "calendars rm": rm("calendars", (ctx, id) => ctx.client().calendars.delete(id)),
  "maintenance ls": {
    usage: "maintenance ls [--limit <n>]",
    summary: "list maintenance windows, newest first (default 100)",
    options: LIMIT_OPTION,
    args: [0, 0],
    async run(ctx) {
      const windows = await upToLimit(ctx, 100, (limit) => ctx.client().maintenanceWindows.list({ limit }));
      ctx.print(windows, windows.length === 0 ? "No maintenance windows" : windowsTable(windows));
      return EXIT.ok;
    },
  },
  "maintenance get": {
    usage: "maintenance get <window-id>",
    summary: "show a maintenance window",
    args: [1, 1],
    async run(ctx) {
      const w = await ctx.client().maintenanceWindows.get(ctx.args[0] as string);
      ctx.print(w, windowsTable([w]));
      return EXIT.ok;
    },
  },
  "maintenance create": {
    usage:
      "maintenance create ((--start <ISO> --end <ISO> | --cron <expr> --duration <min> [--timezone tz]) [--action skip|mute] [--job id]… [--monitor id]… [--tag t]… [--name n] | -f <window.json | ->)",
    summary: "create a maintenance window: skip (default) or mute the jobs and monitors in its scope",
    options: {
      file: { type: "string", short: "f" },
      name: { type: "string" },
      start: { type: "string" },
      end: { type: "string" },
      cron: { type: "string" },
      duration: { type: "string" },
      timezone: { type: "string" },
      action: { type: "string" },
      job: { type: "string", multiple: true },
      monitor: { type: "string", multiple: true },
      tag: { type: "string", multiple: true },
    },
    args: [0, 0],
    async run(ctx) {
      const body = fileOr<MaintenanceWindowCreate>(
        ctx,
        () => {
          const action = oneOf(ctx, "action", ["skip", "mute"] as const) ?? "skip";
          const cron = ctx.str("cron");
          const duration = int(ctx, "duration", 1, 10_080);
          if ((cron === undefined) !== (duration === undefined))
            throw new UsageError("--cron and --duration go together");
          if (cron === undefined && (ctx.str("start") === undefined || ctx.str("end") === undefined)) {
            throw new UsageError("give --start and --end, or --cron and --duration");
          }
          const [job_ids, monitor_ids, tags] = [ctx.strs("job"), ctx.strs("monitor"), ctx.strs("tag")];
          if (job_ids.length + monitor_ids.length + tags.length === 0) {
            throw new UsageError("name its scope: --job, --monitor or --tag");
          }
          const optional = (key: string, value: unknown) => (value === undefined ? {} : { [key]: value });
          return {
            action,
            ...optional("name", ctx.str("name")),
            ...optional("start", ctx.str("start")),
            ...optional("end", ctx.str("end")),
            ...optional("recurrence", cron === undefined ? undefined : { cron, duration_minutes: duration }),
            ...optional("timezone", ctx.str("timezone")),
            ...(job_ids.length > 0 ? { job_ids } : {}),
            ...(monitor_ids.length > 0 ? { monitor_ids } : {}),
            ...(tags.length > 0 ? { tags } : {}),
          } as MaintenanceWindowCreate;
        },
        "window",
      );
      const w = await ctx.client().maintenanceWindows.create(body);
      ctx.print(w, `Created maintenance window ${w.id}: ${w.action} ${when(w)} for ${scope(w)}`);
      return EXIT.ok;
    },
  },
  "maintenance rm": rm("maintenance", (ctx, id) => ctx.client().maintenanceWindows.delete(id)),
};
