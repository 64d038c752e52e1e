/**
 * The job form without the DOM: API job → form state → request body. test/dashboard/job-form-roundtrip.test.ts
 * runs every writable field through both, so a dropped field fails there.
 */
import {
  type ChannelField,
  channelFields,
  channelsOf,
  type FormFieldError,
  keep,
  type StoredSecret,
} from "./channel-fields";
import { isToken } from "./tokens";
import type { Job, ScheduleConfig, ScheduleConfigInput, Weekday } from "./types";

export type { ChannelField, FormFieldError, StoredSecret } from "./channel-fields";

export type ScheduleMode = "repeat" | "cron" | "once";

export interface JobFormState {
  name: string;
  description: string;
  endpoint_url: string;
  method: string;
  /** Headers in clear, one "Name: value" per line. */
  headers: string;
  /** Headers stored as tokens: one "secret · set" row each. */
  secretHeaders: Array<{ name: string } & StoredSecret>;
  /** Comma-separated names. */
  secret_headers: string;
  secret_query_params: string;
  body_is_secret: boolean;
  /** The body in clear, or a stored secret body. */
  body: string | StoredSecret;
  request_signature: boolean;
  timezone: string;
  tags: string;
  is_active: boolean;
  /** ISO 8601 with Z or an offset; empty: paused with no end (or not paused). */
  paused_until: string;
  pause_reason: string;
  schedule: {
    mode: ScheduleMode;
    repeat_type: NonNullable<ScheduleConfig["repeat_type"]>;
    repeat_every: string;
    time: string;
    /** More times besides `time`, HH:MM, one per row. */
    additional_times: string[];
    days_of_week: Weekday[];
    day_of_month: string;
    end_type: NonNullable<ScheduleConfig["end_type"]>;
    end_date: string;
    end_occurrences: string;
    /** One expression per row. */
    cron: string[];
    /** Whether the stored `cron` is a list: one expression is then sent back as a list of one, as stored. */
    cron_list: boolean;
    run_at: string;
    start_date: string;
    /** Calendar ids whose slots are skipped; null when the stored schedule has none and none is ticked. */
    exclude_calendars: string[] | null;
  };
  jitter_seconds: string;
  overlap_policy: string;
  catchup: string;
  /** Empty: no limit (null). */
  max_lateness_seconds: string;
  /** Seconds a 2xx run may await its completion POST; empty: completion off (null). */
  completion_timeout_seconds: string;
  retry: {
    max_retries: string;
    retry_delay_seconds: string;
    timeout_seconds: string;
    backoff: string;
    retry_on_status_codes: string;
    retry_on_timeout: boolean;
    retry_on_error: boolean;
  };
  callbacks: { success_url: string; failure_url: string; notify: string };
  success_rules: { status_codes: string; body_contains: string; body_not_contains: string };
  alerts: {
    channels: ChannelField[];
    after_consecutive_failures: string;
    remind_every_minutes: string;
    on_recovery: boolean;
    /** Whether slow-run alerts are on (the API's slow_run is null when off). */
    slow_run: boolean;
    slow_threshold_ms: string;
    slow_measure: string;
    slow_window: string;
    auto_disable_after: string;
    on_missed: boolean;
    on_skipped: boolean;
    /** Empty: no late alerts (null). */
    late_after_seconds: string;
    on_dead_lettered: boolean;
    /** Whether the job has an SLO (the API's alerts.slo is null when off); empty objectives are null. */
    slo: boolean;
    slo_success_rate: string;
    slo_latency_ms: string;
    slo_latency_target: string;
    slo_window_days: string;
    slo_burn_alerts: boolean;
  };
}

/** The request body, and for each channel sent the index of its row (the API names a channel by its index). */
export interface JobRequest {
  body: Record<string, unknown>;
  channelRows: number[];
}

const text = (v: string | number | null | undefined) => (v === null || v === undefined ? "" : String(v));

/** The form's state for a job (edit, clone) or a new one (`job` null, in `timezone`), defaults as the API's. */
export function jobToForm(job: Job | null, timezone = "UTC"): JobFormState {
  const sc: Partial<ScheduleConfig> = job?.schedule_config ?? { repeat_type: "days", time: "09:00" };
  const headers = Object.entries(job?.headers ?? {});
  const retry = job?.retry_config;
  const alerts = job?.alerts;
  const slo = extrasOf(job).slo;
  return {
    name: job?.name ?? "",
    description: job?.description ?? "",
    endpoint_url: job?.endpoint_url ?? "",
    method: job?.method ?? "GET",
    headers: headers
      .filter(([, v]) => !isToken(v))
      .map(([k, v]) => `${k}: ${v}`)
      .join("\n"),
    secretHeaders: headers.filter(([, v]) => isToken(v)).map(([name, token]) => ({ name, ...keep(token) })),
    secret_headers: (job?.secret_headers ?? []).join(", "),
    secret_query_params: (job?.secret_query_params ?? []).join(", "),
    body_is_secret: job?.body_is_secret ?? false,
    body: job?.body && isToken(job.body) ? keep(job.body) : (job?.body ?? ""),
    request_signature: job?.request_signature ?? true,
    timezone: job?.timezone ?? timezone,
    tags: (job?.tags ?? []).join(", "),
    is_active: job?.is_active ?? true,
    paused_until: pauseOf(job).paused_until ?? "",
    pause_reason: pauseOf(job).pause_reason ?? "",
    schedule: {
      mode: sc.run_at !== undefined ? "once" : sc.cron !== undefined ? "cron" : "repeat",
      repeat_type: sc.repeat_type ?? "days",
      repeat_every: text(sc.repeat_every ?? 1),
      time: sc.time ?? "09:00",
      additional_times: sc.additional_times ?? [],
      days_of_week: sc.days_of_week ?? [],
      day_of_month: text(sc.day_of_month),
      end_type: sc.end_type ?? "never",
      end_date: sc.end_date ?? "",
      end_occurrences: text(sc.end_occurrences),
      cron: typeof sc.cron === "string" ? [sc.cron] : sc.cron?.length ? sc.cron : [""],
      cron_list: Array.isArray(sc.cron),
      run_at: sc.run_at ?? "",
      start_date: sc.start_date ?? "",
      exclude_calendars: excludedCalendars(sc),
    },
    jitter_seconds: text(job?.jitter_seconds ?? 0),
    overlap_policy: job?.overlap_policy ?? "allow",
    catchup: job?.catchup ?? "latest",
    max_lateness_seconds: text(job?.max_lateness_seconds),
    completion_timeout_seconds: text(extrasOf(job).completion?.timeout_seconds),
    retry: {
      max_retries: text(retry?.max_retries ?? job?.max_retries ?? 3),
      retry_delay_seconds: text(retry?.retry_delay_seconds ?? job?.retry_delay_seconds ?? 60),
      timeout_seconds: text(retry?.timeout_seconds ?? job?.timeout_seconds ?? 30),
      backoff: retry?.backoff ?? "fixed",
      retry_on_status_codes: retry?.retry_on_status_codes ?? "100-599",
      retry_on_timeout: retry?.retry_on_timeout ?? true,
      retry_on_error: retry?.retry_on_error ?? true,
    },
    callbacks: {
      success_url: job?.callbacks?.success_url ?? job?.success_callback_url ?? "",
      failure_url: job?.callbacks?.failure_url ?? job?.failure_callback_url ?? "",
      notify: job?.callbacks?.notify ?? "attempt",
    },
    success_rules: {
      status_codes: job?.success_rules?.status_codes ?? "200-299",
      body_contains: job?.success_rules?.body_contains ?? "",
      body_not_contains: job?.success_rules?.body_not_contains ?? "",
    },
    alerts: {
      channels: channelFields(alerts?.channels),
      // A new job alerts after the first failed run (the API's default); null (empty) sends no failure alert.
      after_consecutive_failures: alerts ? text(alerts.after_consecutive_failures) : "1",
      remind_every_minutes: text(alerts?.remind_every_minutes),
      on_recovery: alerts?.on_recovery ?? true,
      slow_run: Boolean(alerts?.slow_run),
      slow_threshold_ms: text(alerts?.slow_run?.threshold_ms),
      slow_measure: alerts?.slow_run?.measure ?? "run",
      slow_window: text(alerts?.slow_run?.window ?? 20),
      auto_disable_after: text(alerts?.auto_disable_after),
      on_missed: alerts?.on_missed ?? false,
      on_skipped: alerts?.on_skipped ?? false,
      late_after_seconds: text(alerts?.late_after_seconds),
      on_dead_lettered: alerts?.on_dead_lettered ?? false,
      slo: Boolean(slo),
      slo_success_rate: text(slo?.success_rate),
      slo_latency_ms: text(slo?.latency_ms),
      slo_latency_target: text(slo?.latency_target),
      slo_window_days: text(slo?.window_days ?? 30),
      slo_burn_alerts: slo?.burn_alerts ?? true,
    },
  };
}

/** Comma-separated names or tags → list. */
function list(s: string): string[] {
  return s
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/** A number input's value: empty is NaN (sent as null, so the API names the field) unless the field may be null. */
function num(s: string): number {
  return s.trim() === "" ? Number.NaN : Number(s);
}
function numOrNull(s: string): number | null {
  return s.trim() === "" ? null : Number(s);
}

/** "Name: value" per line → object, or the first bad line's message. */
export function parseHeaders(lines: string): { headers: Record<string, string> } | { error: string } {
  const headers: Record<string, string> = {};
  const all = lines.split("\n");
  for (let i = 0; i < all.length; i++) {
    const line = (all[i] ?? "").trim();
    if (!line) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return { error: `line ${i + 1} must look like "Name: value"` };
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers };
}

/** schedule_config as sent: only the fields the chosen kind uses (the API refuses the others beside it). */
export function scheduleConfig(s: JobFormState["schedule"]): ScheduleConfigInput {
  // The generated types gain exclude_calendars when the client is regenerated.
  const excluded = s.exclude_calendars === null ? {} : { exclude_calendars: s.exclude_calendars };
  if (s.mode === "once") return { run_at: s.run_at.trim(), ...excluded } as ScheduleConfigInput;
  const c: ScheduleConfigInput = { ...excluded } as ScheduleConfigInput;
  if (s.start_date.trim()) c.start_date = s.start_date.trim();
  // Every row is sent, an empty one too: the API's `cron.<i>` or `additional_times.<i>` then names the row shown.
  if (s.mode === "cron") {
    const rows = s.cron.map((l) => l.trim());
    c.cron = rows.length > 1 || s.cron_list ? rows : (rows[0] ?? "");
  } else {
    c.repeat_type = s.repeat_type;
    c.repeat_every = Number(s.repeat_every || "1");
    c.time = s.time;
    if (s.additional_times.length) c.additional_times = s.additional_times.map((t) => t.trim());
    if (s.repeat_type === "weeks") c.days_of_week = s.days_of_week;
    if ((s.repeat_type === "months" || s.repeat_type === "years") && s.day_of_month.trim())
      c.day_of_month = Number(s.day_of_month);
  }
  c.end_type = s.end_type;
  if (s.end_type === "on") c.end_date = s.end_date.trim();
  if (s.end_type === "after") c.end_occurrences = num(s.end_occurrences);
  return c;
}

/**
 * The create/update body: every writable field, so a save that changes nothing leaves the job as it was. A stored
 * secret left alone is sent as its token (the API keeps the value), a replaced one as its new value, a removed one
 * not at all. Errors are the ones the API cannot name (a bad header line, an empty replacement).
 */
export function formToRequest(s: JobFormState): JobRequest | { errors: FormFieldError[]; channelRows: number[] } {
  const errors: FormFieldError[] = [];
  const parsed = parseHeaders(s.headers);
  if ("error" in parsed) errors.push({ field: "headers", message: parsed.error });
  const headers = "headers" in parsed ? parsed.headers : {};
  // A header typed in the text area replaces the stored one of the same name (names are case-insensitive).
  const typed = new Set(Object.keys(headers).map((n) => n.toLowerCase()));
  for (const { name, choice } of s.secretHeaders) {
    if (typed.has(name.toLowerCase())) continue;
    if ("keep" in choice) headers[name] = choice.keep;
    else if ("value" in choice) {
      if (choice.value.trim()) headers[name] = choice.value.trim();
      else errors.push({ field: `headers.${name}`, message: "enter the new value, or keep the stored one" });
    }
  }
  let body: string | null;
  if (typeof s.body === "string") body = s.body ? s.body : null;
  else {
    const c = s.body.choice;
    // An emptied replacement sends no body.
    body = "keep" in c ? c.keep : "value" in c && c.value ? c.value : null;
  }
  const { channels, channelRows } = channelsOf(s.alerts.channels, errors);
  if (errors.length) return { errors, channelRows };
  const a = s.alerts;
  return {
    channelRows,
    body: {
      name: s.name,
      description: s.description.trim() ? s.description : null,
      endpoint_url: s.endpoint_url.trim(),
      method: s.method,
      headers,
      body,
      secret_headers: list(s.secret_headers),
      secret_query_params: list(s.secret_query_params),
      body_is_secret: s.body_is_secret,
      request_signature: s.request_signature,
      timezone: s.timezone.trim(),
      schedule_config: scheduleConfig(s.schedule),
      tags: list(s.tags),
      ...pauseRequest(s),
      jitter_seconds: num(s.jitter_seconds),
      overlap_policy: s.overlap_policy,
      catchup: s.catchup,
      max_lateness_seconds: numOrNull(s.max_lateness_seconds),
      completion: s.completion_timeout_seconds.trim()
        ? { mode: "callback", timeout_seconds: num(s.completion_timeout_seconds) }
        : null,
      retry_config: {
        max_retries: num(s.retry.max_retries),
        retry_delay_seconds: num(s.retry.retry_delay_seconds),
        timeout_seconds: num(s.retry.timeout_seconds),
        backoff: s.retry.backoff,
        retry_on_status_codes: s.retry.retry_on_status_codes.trim(),
        retry_on_timeout: s.retry.retry_on_timeout,
        retry_on_error: s.retry.retry_on_error,
      },
      callbacks: {
        success_url: s.callbacks.success_url.trim() || null,
        failure_url: s.callbacks.failure_url.trim() || null,
        notify: s.callbacks.notify,
      },
      // Body rules are matched as typed (case and spaces count); empty clears the rule.
      success_rules: {
        status_codes: s.success_rules.status_codes.trim(),
        body_contains: s.success_rules.body_contains || null,
        body_not_contains: s.success_rules.body_not_contains || null,
      },
      alerts: {
        channels,
        after_consecutive_failures: numOrNull(a.after_consecutive_failures),
        remind_every_minutes: numOrNull(a.remind_every_minutes),
        on_recovery: a.on_recovery,
        // An empty window is left to the API's default.
        slow_run: a.slow_run
          ? {
              threshold_ms: num(a.slow_threshold_ms),
              measure: a.slow_measure,
              ...(a.slow_window.trim() ? { window: num(a.slow_window) } : {}),
            }
          : null,
        auto_disable_after: numOrNull(a.auto_disable_after),
        on_missed: a.on_missed,
        on_skipped: a.on_skipped,
        late_after_seconds: numOrNull(a.late_after_seconds),
        on_dead_lettered: a.on_dead_lettered,
        slo: a.slo
          ? {
              success_rate: numOrNull(a.slo_success_rate),
              latency_ms: numOrNull(a.slo_latency_ms),
              latency_target: numOrNull(a.slo_latency_target),
              window_days: num(a.slo_window_days),
              burn_alerts: a.slo_burn_alerts,
            }
          : null,
      },
    },
  };
}

/** The job's completion and SLO (docs/API-NOTES.md "Async completion", "SLO alerts"), read loosely like the pause. */
function extrasOf(job: Job | null | undefined): {
  completion?: { timeout_seconds: number } | null;
  slo?: {
    success_rate: number | null;
    latency_ms: number | null;
    latency_target: number | null;
    window_days: number;
    burn_alerts: boolean;
  } | null;
} {
  const j = (job ?? {}) as { completion?: { timeout_seconds: number } | null; alerts?: { slo?: unknown } };
  return { completion: j.completion, slo: (j.alerts?.slo ?? null) as ReturnType<typeof extrasOf>["slo"] };
}

/** The schedule's excluded calendars (docs/API-NOTES.md "Calendars and maintenance windows"), read loosely. */
function excludedCalendars(sc: Partial<ScheduleConfig>): string[] | null {
  const ids = (sc as { exclude_calendars?: unknown }).exclude_calendars;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : null;
}

/** The job's pause fields (docs/API-NOTES.md "Pause until"), read loosely: older generated types lack them. */
function pauseOf(job: Job | null | undefined): { paused_until?: string | null; pause_reason?: string | null } {
  return (job ?? {}) as { paused_until?: string | null; pause_reason?: string | null };
}

/** is_active, and while paused its end and reason: a "paused until" instant pauses the job whatever the box says. */
function pauseRequest(s: JobFormState): {
  is_active: boolean;
  paused_until?: string | null;
  pause_reason?: string | null;
} {
  const until = s.paused_until.trim();
  if (s.is_active && !until) return { is_active: true };
  return { is_active: false, paused_until: until || null, pause_reason: s.pause_reason.trim() || null };
}
