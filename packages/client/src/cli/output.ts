import type { BulkReplayItem, DeadLetter, Delivery, ExecutionLog, Job, RunEntry } from "../types.js";

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: Record<string, string | undefined>;
}

/**
 * A reader that stops early (`edgecron logs … | head`) closes the pipe, and the next write fails with EPIPE: stop
 * quietly with status 0, as Unix filters do, instead of an unhandled 'error' event and a stack trace.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WritableStream, exit: (code: number) => void) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    exit(0);
  });
}

export function line(stream: NodeJS.WritableStream, text: string) {
  stream.write(`${text}\n`);
}

/** Aligned columns, two spaces apart; the last column is not padded. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  "))
    .join("\n");
}

export const dash = (v: unknown) => (v === null || v === undefined || v === "" ? "-" : String(v));

/** Every schedule of a job (`schedule` is only the first); an answer without `schedules` has just the one. */
const schedulesOf = (job: Job): string[] => (job.schedules?.length ? job.schedules : [job.schedule]);

/** The list's column stays narrow: up to two schedules, then how many more (a job may have 10). */
function scheduleCell(job: Job): string {
  const all = schedulesOf(job);
  const shown = all.slice(0, 2).join(", ");
  return all.length > 2 ? `${shown} +${all.length - 2} more` : shown;
}

/** The list's state: a pause with an end says until when (next run is "-" while paused). */
function stateCell(job: Job): string {
  return job.state === "paused" && job.paused_until ? `paused until ${job.paused_until}` : job.state;
}

/** The details' state: a pause's end and reason, a disabled job's since when and why. */
function stateDetails(job: Job): string {
  const why = (reason: string | null | undefined) => (reason ? ` (${reason})` : "");
  if (job.state === "paused") return `paused until ${job.paused_until ?? "resumed"}${why(job.pause_reason)}`;
  if (job.state === "disabled") {
    return `disabled${job.disabled_at ? ` since ${job.disabled_at}` : ""}${why(job.disabled_reason)}`;
  }
  return job.state;
}

export function jobsTable(jobs: Job[]): string {
  return table([
    ["ID", "NAME", "SCHEDULE", "TZ", "STATE", "NEXT RUN", "LAST STATUS"],
    ...jobs.map((j) => [
      j.id,
      j.name,
      scheduleCell(j),
      j.timezone,
      stateCell(j),
      dash(j.next_run_at),
      dash(j.last_run_status),
    ]),
  ]);
}

export function jobDetails(job: Job): string {
  const rows: Array<[string, unknown]> = [
    ["id", job.id],
    ["name", job.name],
    ["endpoint", `${job.method} ${job.endpoint_url}`],
    ["schedule", `${schedulesOf(job).join(", ")} (${job.timezone})`],
    ["state", stateDetails(job)],
    ["next runs", job.next_runs?.join(", ")],
    ["last run", job.last_run_at ? `${job.last_run_at} ${dash(job.last_run_status)}` : null],
    ["executions", `${job.total_executions} (${job.successful_executions} ok, ${job.failed_executions} failed)`],
    ["retries", `${job.max_retries} × ${job.retry_delay_seconds}s, timeout ${job.timeout_seconds}s`],
    ["catch-up", catchup(job)],
    ["tags", job.tags?.join(", ")],
    ["created", job.created_at],
  ];
  return table(rows.map(([k, v]) => [k, dash(v)]));
}

/** The catch-up policy and the lateness past which a slot is recorded missed instead of run. */
function catchup(job: Job): string {
  const lateness =
    job.max_lateness_seconds === null ? "no lateness limit" : `max lateness ${job.max_lateness_seconds}s`;
  return `${job.catchup} (${lateness})`;
}

/** A job's schedule history: a span of missed slots is one line, its first and last slot and how many. */
export function runsTable(rows: RunEntry[]): string {
  return table([
    ["SLOT", "TRY", "STATE", "REASON", "ORIGIN", "EXECUTION"],
    ...rows.map((r) =>
      r.kind === "span"
        ? [`${r.first_slot} … ${r.last_slot} (${r.count} slots)`, "-", r.state, dash(r.reason), r.origin, "-"]
        : [r.slot, `#${r.attempt}`, r.state, dash(r.reason), r.origin, dash(r.execution_id)],
    ),
  ]);
}

export function deadLettersTable(rows: DeadLetter[]): string {
  return table([
    ["EXECUTION", "EXECUTED AT", "JOB", "REASON", "TRY", "TRIGGER", "ERROR"],
    ...rows.map((d) => [
      d.execution_id,
      d.executed_at,
      d.cron_job_id,
      dash(d.reason),
      `#${d.attempt}`,
      d.trigger,
      dash(d.error_message),
    ]),
  ]);
}

export function bulkReplayTable(rows: BulkReplayItem[]): string {
  return table([
    ["EXECUTION", "RESULT", "REPLAY EXECUTION", "JOB", "DETAIL"],
    ...rows.map((r) => [r.execution_id, r.status, dash(r.replay_execution_id), dash(r.cron_job_id), dash(r.detail)]),
  ]);
}

export function deliveriesTable(rows: Delivery[]): string {
  return table([
    ["ID", "FIRED AT", "KIND", "EVENT", "STATE", "TRIES", "CODE", "TARGET", "LAST ERROR"],
    ...rows.map((d) => [
      d.id,
      d.fired_at,
      d.channel ? `${d.kind}/${d.channel}` : d.kind,
      d.event,
      d.state,
      String(d.attempts),
      dash(d.last_status_code),
      d.target,
      dash(d.last_error),
    ]),
  ]);
}

/** Fixed widths, so lines printed one by one (`logs --follow`) line up under the header. */
const LOG_WIDTHS = [20, 7, 4, 8, 3, 8, 36];

function logColumns(cells: string[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(LOG_WIDTHS[i] ?? 0))).join("  ");
}

export function logLine(log: ExecutionLog, withJob: boolean): string {
  return logColumns([
    log.executed_at,
    log.status,
    dash(log.response_code),
    log.response_time_ms === null ? "-" : `${log.response_time_ms}ms`,
    `#${log.retry_attempt}`,
    log.trigger,
    ...(withJob ? [log.cron_job_id] : []),
    dash(log.error_message),
  ]);
}

export function logsHeader(withJob: boolean): string {
  return logColumns(["EXECUTED AT", "STATUS", "CODE", "TIME", "TRY", "TRIGGER", ...(withJob ? ["JOB"] : []), "ERROR"]);
}
