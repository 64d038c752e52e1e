import { canWrite } from "../access";
import { ApiError, api } from "../api";
import { channelEditor } from "../channel-editor";
import { field, h } from "../dom";
import { checkbox, fieldset, grid, groupField, input, listEditor, select, textarea } from "../form";
import { timeEl } from "../format";
import { formToRequest, type JobFormState, jobToForm, scheduleConfig } from "../job-form-state";
import { hasToken, secretBadge, secretControl } from "../secrets";
import { fmt, zoneName } from "../time";
import type { CalendarList, Job, Weekday } from "../types";
import { errorText, flash, mount, navigate, showFieldErrors } from "../ui";
import { forgetJobView } from "./job";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => [m, m] as const);
const REPEATS = [
  ["hourly", "Hours"],
  ["days", "Days"],
  ["weeks", "Weeks"],
  ["months", "Months"],
  ["years", "Years"],
] as const;
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/** Where each field of the API's problem `errors` is shown (a prefix maps a whole object, e.g. `headers`). */
const FIELD_IDS: Record<string, string> = {
  name: "f-name",
  description: "f-description",
  endpoint_url: "f-url",
  method: "f-method",
  headers: "f-headers",
  body: "f-body",
  secret_headers: "f-secret-headers",
  secret_query_params: "f-secret-params",
  body_is_secret: "f-body-secret",
  request_signature: "f-signature",
  timezone: "f-timezone",
  tags: "f-tags",
  is_active: "f-active",
  paused_until: "f-paused-until",
  pause_reason: "f-pause-reason",
  schedule_config: "f-mode",
  "schedule_config.repeat_type": "f-repeat",
  "schedule_config.repeat_every": "f-every",
  "schedule_config.time": "f-time",
  "schedule_config.additional_times": "f-more-times",
  "schedule_config.days_of_week": "f-days",
  "schedule_config.day_of_month": "f-dom",
  "schedule_config.end_type": "f-end",
  "schedule_config.end_date": "f-end-date",
  "schedule_config.end_occurrences": "f-end-n",
  "schedule_config.cron": "f-cron",
  "schedule_config.run_at": "f-run-at",
  "schedule_config.start_date": "f-start-date",
  "schedule_config.exclude_calendars": "f-exclude-calendars",
  jitter_seconds: "f-jitter",
  overlap_policy: "f-overlap",
  catchup: "f-catchup",
  max_lateness_seconds: "f-max-lateness",
  retry_config: "f-retries",
  "retry_config.max_retries": "f-retries",
  "retry_config.retry_delay_seconds": "f-delay",
  "retry_config.timeout_seconds": "f-timeout",
  "retry_config.backoff": "f-backoff",
  "retry_config.retry_on_status_codes": "f-retry-codes",
  "retry_config.retry_on_timeout": "f-retry-timeout",
  "retry_config.retry_on_error": "f-retry-error",
  callbacks: "f-cb-ok",
  "callbacks.success_url": "f-cb-ok",
  "callbacks.failure_url": "f-cb-fail",
  "callbacks.notify": "f-notify",
  success_rules: "f-ok-codes",
  "success_rules.status_codes": "f-ok-codes",
  "success_rules.body_contains": "f-ok-contains",
  "success_rules.body_not_contains": "f-ok-not-contains",
  alerts: "f-channels",
  "alerts.channels": "f-channels",
  "alerts.after_consecutive_failures": "f-alert-after",
  "alerts.remind_every_minutes": "f-alert-remind",
  "alerts.on_recovery": "f-alert-recovery",
  "alerts.auto_disable_after": "f-alert-disable",
  "alerts.slow_run": "f-slow",
  "alerts.slow_run.threshold_ms": "f-slow-threshold",
  "alerts.slow_run.measure": "f-slow-measure",
  "alerts.slow_run.window": "f-slow-window",
  "alerts.on_missed": "f-alert-missed",
  "alerts.on_skipped": "f-alert-skipped",
  "alerts.late_after_seconds": "f-alert-late",
  "alerts.on_dead_lettered": "f-alert-dead",
  "alerts.slo": "f-slo",
  "alerts.slo.success_rate": "f-slo-success",
  "alerts.slo.latency_ms": "f-slo-latency",
  "alerts.slo.latency_target": "f-slo-latency-target",
  "alerts.slo.window_days": "f-slo-window",
  "alerts.slo.burn_alerts": "f-slo-burn",
  completion: "f-completion",
  "completion.mode": "f-completion",
  "completion.timeout_seconds": "f-completion",
};

/** Under a URL field that holds a token: how a secret query value is kept or replaced. */
function urlHint(url: string) {
  return hasToken(url)
    ? [
        secretBadge(),
        " A secret query value shows as [redacted:…]: left in the URL, the stored value is kept; type a new value in its place to replace it.",
      ]
    : undefined;
}

/**
 * Create (`#/jobs/new`) and edit (`#/jobs/<id>/edit`; a clone opens here too). Every writable field has a control;
 * job-form-state.ts turns the job into the controls' values and them into the request. The schedule builder
 * shows a live preview from POST /schedule/preview; on a 400 each `errors` entry appears under its field. Secret
 * values arrive as redaction tokens: each is shown as "secret · set" and sent back unchanged unless replaced.
 */
export async function jobFormView(jobId: string | null): Promise<void> {
  // A read-only key could save nothing (403): it gets no form, only the way back.
  if (!(await canWrite())) {
    mount(
      "Job",
      h(
        "p",
        { class: "form-error", id: "job-form-read-only" },
        "This API key is read-only: it cannot create or change jobs. ",
        h("a", { href: jobId ? `#/jobs/${encodeURIComponent(jobId)}` : "#/" }, "Back"),
      ),
    );
    return;
  }
  // The account's calendars, for exclude_calendars (at most 100 listed; null when the list failed).
  const calendarsLoad = api<CalendarList>("/calendars", { params: { limit: 100 } }).then(
    (b) => b.data,
    () => null,
  );
  let job: Job | null = null;
  if (jobId) {
    try {
      job = (await api<{ data: Job }>(`/details/${encodeURIComponent(jobId)}`)).data;
    } catch (e) {
      mount("Job", h("p", { class: "form-error" }, `Could not load the job: ${errorText(e)}`));
      return;
    }
  }
  const editing = job !== null;
  const s = jobToForm(job, zoneName());
  const sc = s.schedule;
  const calendarList = await calendarsLoad;

  // Request
  const name = input("f-name", "text", s.name, { required: "" });
  const description = textarea("f-description", s.description, { rows: 2 });
  const url = input("f-url", "url", s.endpoint_url, { placeholder: "The http(s) URL to call" });
  const method = select("f-method", METHODS, s.method);
  // Stored secret header values are tokens: each gets its own "secret · set" row, never a line of the text area.
  const headers = textarea("f-headers", s.headers, { rows: 3, placeholder: "Authorization: Bearer …" });
  const secretHeaders = s.secretHeaders.map((stored, i) => ({
    ...stored,
    control: secretControl({
      id: `f-header-${i}`,
      label: h("code", null, stored.name),
      inputLabel: `New value for ${stored.name}`,
      token: stored.token,
      removable: true,
    }),
  }));
  const secretHeadersInput = input("f-secret-headers", "text", s.secret_headers, {
    placeholder: "X-Tenant, X-Customer-Id",
    spellcheck: "false",
  });
  const secretParams = input("f-secret-params", "text", s.secret_query_params, {
    placeholder: "api_key, sig",
    spellcheck: "false",
  });
  const bodyIsSecret = checkbox(
    "f-body-secret",
    "Body is secret (stored encrypted, shown as “secret · set”)",
    s.body_is_secret,
  );
  // A stored secret body is a token: "secret · set" with Replace; an emptied replacement sends no body.
  const storedBody = typeof s.body === "string" ? null : s.body;
  const bodySecret = storedBody
    ? secretControl({
        id: "f-body",
        label: "Stored body",
        inputLabel: "New body",
        token: storedBody.token,
        kind: "textarea",
      })
    : null;
  const body = typeof s.body === "string" ? textarea("f-body", s.body, { rows: 3 }) : null;
  const signature = checkbox(
    "f-signature",
    "Sign requests to the endpoint (X-Edgecron-Request-Signature)",
    s.request_signature,
  );
  const tags = input("f-tags", "text", s.tags, { placeholder: "reports, daily" });
  const active = checkbox("f-active", editing ? "Active" : "Active (runs on schedule)", s.is_active);
  // Pause until: an instant (ISO 8601 with Z or an offset) pauses the job; the first tick at or after it resumes it.
  const pausedUntil = input("f-paused-until", "text", s.paused_until, {
    placeholder: "2026-12-24T00:00:00Z",
    spellcheck: "false",
  });
  const pauseReason = input("f-pause-reason", "text", s.pause_reason, { maxlength: "200", placeholder: "Holidays" });

  // Schedule
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const timezone = input("f-timezone", "text", s.timezone, { list: "f-timezones", autocomplete: "off" });
  const zoneList = h(
    "datalist",
    { id: "f-timezones" },
    ["UTC", ...zones].map((z) => h("option", { value: z })),
  );
  const scheduleMode = select(
    "f-mode",
    [
      ["repeat", "Repeat every…"],
      ["cron", "Cron expression"],
      ["once", "Once, at an instant"],
    ],
    sc.mode,
  );
  const repeat = select("f-repeat", REPEATS, sc.repeat_type);
  const every = input("f-every", "number", sc.repeat_every, { min: "1", max: "1000" });
  const time = input("f-time", "time", sc.time);
  const dayBoxes = WEEKDAYS.map((d, i) => {
    const box = h("input", { type: "checkbox", value: String(i), id: `f-day-${i}` });
    box.checked = sc.days_of_week.some((day) => day === box.value);
    return { box, el: h("label", { class: "inline" }, box, d) };
  });
  const days = h(
    "div",
    { id: "f-days", class: "days", role: "group", "aria-label": "Weekdays" },
    dayBoxes.map((d) => d.el),
  );
  const dom = input("f-dom", "number", sc.day_of_month, { min: "1", max: "31", placeholder: "1" });
  const end = select(
    "f-end",
    [
      ["never", "Never"],
      ["on", "On a date"],
      ["after", "After N runs"],
    ],
    sc.end_type,
  );
  // Dates and instants as ISO 8601 text: the API takes a bare date (in the job's zone) or a date-time with a zone.
  const endDate = input("f-end-date", "text", sc.end_date, { placeholder: "2026-12-31", spellcheck: "false" });
  const endN = input("f-end-n", "number", sc.end_occurrences, { min: "1" });
  const scheduleChanged = () => {
    syncVisibility();
    schedulePreview();
  };
  // Several schedules (docs/API-NOTES.md "Several schedules"): up to 10 expressions, or `time` and 9 more times.
  const cron = listEditor({
    id: "f-cron",
    type: "text",
    values: sc.cron,
    min: 1,
    max: 10,
    itemLabel: "Cron expression",
    addLabel: "Add an expression",
    attrs: { placeholder: "*/15 9-17 * * 1-5", spellcheck: "false" },
    onChange: scheduleChanged,
  });
  const moreTimes = listEditor({
    id: "f-more-times",
    type: "time",
    values: sc.additional_times,
    min: 0,
    max: 9,
    itemLabel: "Also at",
    addLabel: "Add a time",
    onChange: scheduleChanged,
  });
  // A stored id the list lacks (deleted since, or the list failed) stays ticked, shown by its id.
  const storedExcluded = sc.exclude_calendars ?? [];
  const listed = new Set((calendarList ?? []).map((c) => c.id));
  const calendarBoxes = [
    ...(calendarList ?? []).map((c) => [c.id, c.name] as const),
    ...storedExcluded.filter((id) => !listed.has(id)).map((id) => [id, id] as const),
  ].map(([id, label], i) => {
    const box = h("input", { type: "checkbox", id: `f-cal-${i}`, value: id });
    box.checked = storedExcluded.includes(id);
    return { box, el: h("label", { class: "inline" }, box, label) };
  });
  const excludeCalendars = h(
    "div",
    { id: "f-exclude-calendars", class: "days" },
    calendarBoxes.length
      ? calendarBoxes.map((b) => b.el)
      : h(
          "span",
          { class: "muted" },
          calendarList === null
            ? "Could not load the calendars."
            : ["No calendars yet: ", h("a", { href: "#/calendars" }, "create one"), "."],
        ),
  );
  const runAt = input("f-run-at", "text", sc.run_at, { placeholder: "2026-12-24T18:00:00Z", spellcheck: "false" });
  const startDate = input("f-start-date", "text", sc.start_date, { placeholder: "2026-01-15", spellcheck: "false" });
  const jitter = input("f-jitter", "number", s.jitter_seconds, { min: "0", max: "3600" });
  const overlap = select(
    "f-overlap",
    [
      ["allow", "Run anyway (allow)"],
      ["skip", "Skip the slot (skip)"],
      ["queue", "Wait for it (queue)"],
    ],
    s.overlap_policy,
  );
  const catchup = select(
    "f-catchup",
    [
      ["latest", "Run the newest missed slot once (latest)"],
      ["none", "Run nothing until the next slot (none)"],
    ],
    s.catchup,
  );
  const maxLateness = input("f-max-lateness", "number", s.max_lateness_seconds, {
    min: "60",
    max: "31622400",
    placeholder: "No limit",
  });

  // Retries, success rules, callbacks
  const retries = input("f-retries", "number", s.retry.max_retries, { min: "0", max: "10" });
  const delay = input("f-delay", "number", s.retry.retry_delay_seconds, { min: "1", max: "3600" });
  const timeout = input("f-timeout", "number", s.retry.timeout_seconds, { min: "1", max: "600" });
  const backoff = select(
    "f-backoff",
    [
      ["fixed", "Fixed delay"],
      ["exponential", "Doubling delay"],
    ],
    s.retry.backoff,
  );
  const retryCodes = input("f-retry-codes", "text", s.retry.retry_on_status_codes, {
    placeholder: "500-599,429",
    spellcheck: "false",
  });
  const retryTimeout = checkbox("f-retry-timeout", "Retry a timeout", s.retry.retry_on_timeout);
  const retryError = checkbox(
    "f-retry-error",
    "Retry an error (no response: connection, DNS, refused target)",
    s.retry.retry_on_error,
  );
  const okCodes = input("f-ok-codes", "text", s.success_rules.status_codes, {
    placeholder: "200-299,304",
    spellcheck: "false",
  });
  const okContains = input("f-ok-contains", "text", s.success_rules.body_contains, { spellcheck: "false" });
  const okNotContains = input("f-ok-not-contains", "text", s.success_rules.body_not_contains, { spellcheck: "false" });
  const cbOk = input("f-cb-ok", "url", s.callbacks.success_url);
  const cbFail = input("f-cb-fail", "url", s.callbacks.failure_url);
  const notify = select(
    "f-notify",
    [
      ["attempt", "After every failed attempt and on success"],
      ["final", "Final outcome only"],
      ["on_change", "Only when healthy ↔ failing flips"],
    ],
    s.callbacks.notify,
  );

  // Alerts
  const a = s.alerts;
  const channels = channelEditor("f-channel", a.channels);
  const alertAfter = input("f-alert-after", "number", a.after_consecutive_failures, { min: "1", max: "1000" });
  const alertRemind = input("f-alert-remind", "number", a.remind_every_minutes, { min: "5", max: "10080" });
  const alertDisable = input("f-alert-disable", "number", a.auto_disable_after, { min: "1", max: "1000" });
  const alertRecovery = checkbox("f-alert-recovery", "Alert when a success ends an alerted streak", a.on_recovery);
  const slow = checkbox("f-slow", "Alert when runs are slow", a.slow_run);
  const slowThreshold = input("f-slow-threshold", "number", a.slow_threshold_ms, { min: "1", max: "600000" });
  const slowMeasure = select(
    "f-slow-measure",
    [
      ["run", "One run's response time"],
      ["p95", "95th percentile of recent runs"],
    ],
    a.slow_measure,
  );
  const slowWindow = input("f-slow-window", "number", a.slow_window, { min: "5", max: "100" });
  const alertMissed = checkbox("f-alert-missed", "Alert when slots are missed (an outage, max lateness)", a.on_missed);
  const alertSkipped = checkbox("f-alert-skipped", "Alert when a slot is skipped (overlap policy skip)", a.on_skipped);
  const alertDead = checkbox("f-alert-dead", "Alert when a run is dead-lettered (no outcome)", a.on_dead_lettered);
  const alertLate = input("f-alert-late", "number", a.late_after_seconds, { min: "1", max: "86400" });
  const slo = checkbox("f-slo", "Service level objective (SLO)", a.slo);
  const ratio = { min: "0", max: "0.9999", step: "0.0001" };
  const sloSuccess = input("f-slo-success", "number", a.slo_success_rate, { ...ratio, placeholder: "e.g. 0.99" });
  const sloLatency = input("f-slo-latency", "number", a.slo_latency_ms, { min: "1", placeholder: "e.g. 500" });
  const sloLatencyTarget = input("f-slo-latency-target", "number", a.slo_latency_target, ratio);
  const sloWindow = input("f-slo-window", "number", a.slo_window_days, { min: "1", max: "30" });
  const sloBurn = checkbox(
    "f-slo-burn",
    "Alert when the error budget burns fast (slo_burn, slo_ok)",
    a.slo_burn_alerts,
  );
  const completion = input("f-completion", "number", s.completion_timeout_seconds, {
    min: "1",
    max: "86400",
    placeholder: "Off",
  });

  const repeatFields = grid(
    field("f-repeat", "Repeat every", h("div", { class: "pair" }, every, repeat)),
    field("f-time", "At (time in the job's zone; minutes only for hours)", time),
    groupField("f-more-times", "Also at (more times of day)", moreTimes.el, "The job runs at every listed time"),
    field("f-days", "On weekdays (weeks)", days),
    field("f-dom", "Day of month (months, years)", dom),
  );
  const cronFields = grid(
    groupField(
      "f-cron",
      "Cron expressions (5 fields, in the job's zone)",
      cron.el,
      "Up to 10: the job runs at each one's times (an instant two share runs once)",
    ),
  );
  const onceFields = grid(field("f-run-at", "Run once at (ISO 8601 with Z or an offset)", runAt));
  const timingFields = grid(
    field("f-start-date", "Starts (date in the job's zone, or a date-time; empty: now)", startDate),
    field("f-jitter", "Jitter (seconds, 0–3600)", jitter),
    field("f-overlap", "While the previous run is unfinished", overlap),
    field("f-catchup", "After missed ticks (an outage)", catchup, "The other missed slots are recorded as missed"),
    field(
      "f-max-lateness",
      "Max lateness (seconds)",
      maxLateness,
      "A slot claimed later than this is recorded missed instead of run. Empty: no limit",
    ),
    field(
      "f-completion",
      "Await a completion POST for up to (seconds)",
      completion,
      "A 2xx answer parks the run until its X-Edgecron-Completion-Url is called. Empty: off",
    ),
  );
  const endFields = grid(
    field("f-end", "Ends", end),
    field("f-end-date", "End date (in the job's zone, or a date-time)", endDate),
    field("f-end-n", "Number of runs", endN),
  );
  const sloFields = h(
    "div",
    null,
    grid(
      field("f-slo-success", "Success rate objective (0–1)", sloSuccess, "Empty: none"),
      field("f-slo-latency", "Latency objective: at most (milliseconds)", sloLatency, "Empty: none"),
      field("f-slo-latency-target", "…for this fraction of successful runs (0–1)", sloLatencyTarget),
      field("f-slo-window", "Over the last (days, 1–30)", sloWindow),
    ),
    sloBurn.el,
  );
  const slowFields = grid(
    field("f-slow-threshold", "Slow above (milliseconds)", slowThreshold),
    field("f-slow-measure", "Measured as", slowMeasure),
    field("f-slow-window", "Runs in the percentile window (5–100)", slowWindow),
  );
  const preview = h("div", { id: "schedule-preview", class: "preview", "aria-live": "polite" });
  const formError = h("p", { class: "form-error", id: "form-error", role: "alert" });
  const submit = h(
    "button",
    { type: "submit", class: "primary", id: "job-save" },
    editing ? "Save changes" : "Create job",
  );

  const form = h(
    "form",
    { id: "job-form", class: "job-form", novalidate: true },
    fieldset(
      "Request",
      null,
      grid(
        field("f-name", "Name", name),
        field("f-method", "Method", method),
        field("f-url", "Endpoint URL", url, urlHint(s.endpoint_url)),
        field("f-tags", "Tags (comma-separated)", tags),
      ),
      field("f-description", "Description", description),
      secretHeaders.length
        ? h(
            "div",
            { class: "field", id: "f-secret-header-rows" },
            h("span", { class: "field-label" }, "Secret headers (stored encrypted)"),
            secretHeaders.map((x) => x.control.el),
          )
        : null,
      field(
        "f-headers",
        secretHeaders.length ? "More headers (one “Name: value” per line)" : "Headers (one “Name: value” per line)",
        headers,
        "Authorization, Cookie and names containing token, secret, key, auth, password, signature or session are stored encrypted and shown as “secret · set”.",
      ),
      grid(
        field("f-secret-headers", "More secret headers (comma-separated names)", secretHeadersInput),
        field("f-secret-params", "Secret query parameters (comma-separated names)", secretParams),
      ),
      bodySecret
        ? h(
            "div",
            { class: "field", "data-field-for": "f-body" },
            h("span", { class: "field-label" }, "Body"),
            bodySecret.el,
          )
        : field("f-body", "Body", body as HTMLTextAreaElement),
      bodyIsSecret.el,
      signature.el,
    ),
    fieldset(
      "Schedule",
      null,
      grid(
        field("f-mode", "Kind", scheduleMode),
        field("f-timezone", "Timezone (IANA)", h("div", null, timezone, zoneList)),
      ),
      repeatFields,
      cronFields,
      onceFields,
      timingFields,
      groupField(
        "f-exclude-calendars",
        "Skip slots inside these calendars",
        excludeCalendars,
        "Each skipped slot is recorded in the history with reason calendar",
      ),
      endFields,
      preview,
    ),
    fieldset(
      "Retries",
      null,
      grid(
        field("f-retries", "Retries", retries),
        field("f-delay", "Seconds between retries", delay),
        field("f-timeout", "Timeout (seconds)", timeout),
        field("f-backoff", "Between retries", backoff),
        field("f-retry-codes", "Retry only these status codes", retryCodes, "Codes and ranges; 100-599: every failure"),
      ),
      retryTimeout.el,
      retryError.el,
    ),
    fieldset(
      "Success rules",
      { id: "f-success-rules" },
      grid(
        field("f-ok-codes", "Status codes that count as success", okCodes),
        field("f-ok-contains", "Success needs this text in the body", okContains, "Case-sensitive; empty: no rule"),
        field("f-ok-not-contains", "Failure when the body has this text", okNotContains, "Empty: no rule"),
      ),
    ),
    fieldset(
      "Callbacks",
      null,
      grid(
        field("f-notify", "Callbacks are sent", notify),
        field("f-cb-ok", "Success callback URL", cbOk, urlHint(s.callbacks.success_url)),
        field("f-cb-fail", "Failure callback URL", cbFail, urlHint(s.callbacks.failure_url)),
      ),
    ),
    fieldset(
      "Alerts",
      { id: "f-alerts" },
      channels.el,
      grid(
        field("f-alert-after", "Alert after this many failed runs in a row", alertAfter, "Empty: no failure alerts"),
        field("f-alert-remind", "Remind every (minutes, at least 5)", alertRemind, "Empty: no reminders"),
        field("f-alert-disable", "Disable the job after this many failed runs", alertDisable, "Empty: never"),
        field("f-alert-late", "Alert when a run starts late by more than (seconds)", alertLate, "Empty: never"),
      ),
      alertRecovery.el,
      alertMissed.el,
      alertSkipped.el,
      alertDead.el,
      slow.el,
      slowFields,
      slo.el,
      sloFields,
    ),
    active.el,
    grid(
      field(
        "f-paused-until",
        "Paused until (ISO 8601 with Z or an offset)",
        pausedUntil,
        "Resumes by itself then; empty: until resumed",
      ),
      field("f-pause-reason", "Pause reason", pauseReason),
    ),
    formError,
    h(
      "div",
      { class: "actions" },
      submit,
      h("a", { class: "button", href: job && editing ? `#/jobs/${encodeURIComponent(job.id)}` : "#/" }, "Cancel"),
    ),
  );

  /** The ticked calendars; null while none is ticked and the stored schedule had none (sent as before). */
  function checkedCalendars(): string[] | null {
    const ids = calendarBoxes.filter((b) => b.box.checked).map((b) => b.box.value);
    return ids.length || sc.exclude_calendars !== null ? ids : null;
  }

  /** The controls' values as the form state (job-form-state.ts turns it into the request). */
  function readState(): JobFormState {
    return {
      name: name.value,
      description: description.value,
      endpoint_url: url.value,
      method: method.value,
      headers: headers.value,
      secretHeaders: secretHeaders.map((x) => ({ name: x.name, token: x.token, choice: x.control.choice() })),
      secret_headers: secretHeadersInput.value,
      secret_query_params: secretParams.value,
      body_is_secret: bodyIsSecret.box.checked,
      body: storedBody && bodySecret ? { token: storedBody.token, choice: bodySecret.choice() } : (body?.value ?? ""),
      request_signature: signature.box.checked,
      timezone: timezone.value,
      tags: tags.value,
      is_active: active.box.checked,
      paused_until: pausedUntil.value,
      pause_reason: pauseReason.value,
      schedule: {
        mode: scheduleMode.value as JobFormState["schedule"]["mode"],
        repeat_type: repeat.value as JobFormState["schedule"]["repeat_type"],
        repeat_every: every.value,
        time: time.value,
        additional_times: moreTimes.values(),
        days_of_week: dayBoxes.filter((d) => d.box.checked).map((d) => d.box.value as Weekday),
        day_of_month: dom.value,
        end_type: end.value as JobFormState["schedule"]["end_type"],
        end_date: endDate.value,
        end_occurrences: endN.value,
        cron: cron.values(),
        cron_list: sc.cron_list,
        run_at: runAt.value,
        start_date: startDate.value,
        exclude_calendars: checkedCalendars(),
      },
      jitter_seconds: jitter.value,
      overlap_policy: overlap.value,
      catchup: catchup.value,
      max_lateness_seconds: maxLateness.value,
      completion_timeout_seconds: completion.value,
      retry: {
        max_retries: retries.value,
        retry_delay_seconds: delay.value,
        timeout_seconds: timeout.value,
        backoff: backoff.value,
        retry_on_status_codes: retryCodes.value,
        retry_on_timeout: retryTimeout.box.checked,
        retry_on_error: retryError.box.checked,
      },
      callbacks: { success_url: cbOk.value, failure_url: cbFail.value, notify: notify.value },
      success_rules: {
        status_codes: okCodes.value,
        body_contains: okContains.value,
        body_not_contains: okNotContains.value,
      },
      alerts: {
        channels: channels.read(),
        after_consecutive_failures: alertAfter.value,
        remind_every_minutes: alertRemind.value,
        on_recovery: alertRecovery.box.checked,
        slow_run: slow.box.checked,
        slow_threshold_ms: slowThreshold.value,
        slow_measure: slowMeasure.value,
        slow_window: slowWindow.value,
        auto_disable_after: alertDisable.value,
        on_missed: alertMissed.box.checked,
        on_skipped: alertSkipped.box.checked,
        late_after_seconds: alertLate.value,
        on_dead_lettered: alertDead.box.checked,
        slo: slo.box.checked,
        slo_success_rate: sloSuccess.value,
        slo_latency_ms: sloLatency.value,
        slo_latency_target: sloLatencyTarget.value,
        slo_window_days: sloWindow.value,
        slo_burn_alerts: sloBurn.box.checked,
      },
    };
  }

  const hide = (el: HTMLElement, hidden: boolean) => {
    (el.closest(".field") as HTMLElement).hidden = hidden;
  };
  function syncVisibility() {
    const cronMode = scheduleMode.value === "cron";
    const once = scheduleMode.value === "once";
    repeatFields.hidden = cronMode || once;
    cronFields.hidden = !cronMode;
    onceFields.hidden = !once;
    endFields.hidden = once;
    hide(startDate, once);
    hide(days, repeat.value !== "weeks");
    hide(dom, repeat.value !== "months" && repeat.value !== "years");
    hide(endDate, end.value !== "on");
    hide(endN, end.value !== "after");
    slowFields.hidden = !slow.box.checked;
    sloFields.hidden = !slo.box.checked;
    hide(slowWindow, slowMeasure.value !== "p95");
  }

  let previewSeq = 0;
  let previewTimer: ReturnType<typeof setTimeout> | undefined;
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(async () => {
      const mine = ++previewSeq;
      preview.replaceChildren(h("span", { class: "loading" }, "Previewing…"));
      const state = readState();
      try {
        const { data } = await api<{ data: { schedule: string; next_runs: string[] } }>("/schedule/preview", {
          method: "POST",
          body: { schedule_config: scheduleConfig(state.schedule), timezone: state.timezone.trim(), count: 5 },
        });
        if (mine !== previewSeq) return;
        preview.replaceChildren(
          h("strong", null, `Next runs (shown in ${zoneName()}) · cron `, h("code", null, data.schedule)),
          data.next_runs.length
            ? h(
                "ol",
                { id: "preview-runs" },
                data.next_runs.map((r) => h("li", null, timeEl(r, fmt.dateTime))),
              )
            : h("p", { class: "muted" }, "No future runs: the schedule has ended."),
        );
      } catch (e) {
        if (mine !== previewSeq) return;
        const details =
          e instanceof ApiError && e.errors.length
            ? e.errors.map((x) => `${x.field}: ${x.message}`).join("; ")
            : errorText(e);
        preview.replaceChildren(h("p", { class: "form-error", id: "preview-error" }, `No preview: ${details}`));
      }
    }, 300);
  }
  const scheduleControls = [scheduleMode, repeat, every, time, dom, end, endDate, endN, runAt, startDate];
  for (const el of [...scheduleControls, timezone, ...dayBoxes.map((d) => d.box)]) {
    for (const type of ["input", "change"]) el.addEventListener(type, scheduleChanged);
  }
  for (const el of [slow.box, slowMeasure, slo.box]) el.addEventListener("change", syncVisibility);

  /** Field ids for this submission: secret header rows, and each channel by its index in the list as sent. */
  function fieldIdsFor(channelIndexes: number[]): Record<string, string> {
    const ids: Record<string, string> = { ...FIELD_IDS };
    secretHeaders.forEach((x, i) => {
      ids[`headers.${x.name}`] = `f-header-${i}`;
    });
    cron.rowIds().forEach((id, i) => {
      ids[`schedule_config.cron.${i}`] = id;
    });
    moreTimes.rowIds().forEach((id, i) => {
      ids[`schedule_config.additional_times.${i}`] = id;
    });
    return { ...ids, ...channels.fieldIds(channelIndexes) };
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    formError.textContent = "";
    const request = formToRequest(readState());
    const fieldIds = fieldIdsFor(request.channelRows);
    if ("errors" in request) {
      showFieldErrors(form, request.errors, fieldIds);
      formError.textContent = "Fix the marked fields.";
      return;
    }
    submit.disabled = true;
    try {
      const path = editing && job ? `/update/${encodeURIComponent(job.id)}` : "/create";
      const { data } = await api<{ data: Job }>(path, { method: editing ? "PATCH" : "POST", body: request.body });
      forgetJobView();
      flash(editing ? `Saved “${data.name}”.` : `Created “${data.name}”.`);
      navigate(`#/jobs/${encodeURIComponent(data.id)}`);
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) {
        const unplaced = showFieldErrors(form, e.errors, fieldIds);
        formError.textContent = `Fix the marked fields.${unplaced.length ? ` ${unplaced.join("; ")}` : ""}`;
        const first = form.querySelector("[aria-invalid]");
        if (first instanceof HTMLElement) first.focus();
      } else {
        formError.textContent = errorText(e);
      }
    } finally {
      submit.disabled = false;
    }
  });

  const title = editing ? `Edit “${job?.name}”` : "New job";
  mount(
    title,
    h(
      "div",
      null,
      h("a", { href: "#/", class: "back" }, "← All jobs"),
      h("section", { class: "panel" }, h("h1", null, title), form),
    ),
  );
  syncVisibility();
  schedulePreview();
  name.focus();
}
