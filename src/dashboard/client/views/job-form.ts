import { ApiError, api } from "../api";
import { field, h } from "../dom";
import { timeEl } from "../format";
import { hasToken, isToken, secretBadge, secretControl, urlHost } from "../secrets";
import { fmt, zoneName } from "../time";
import type { AlertChannel, Job, ScheduleConfig } from "../types";
import { errorText, flash, mount, navigate, showFieldErrors } from "../ui";
import { forgetJobView } from "./job";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const REPEATS: Array<[string, string]> = [
  ["hourly", "Hours"],
  ["days", "Days"],
  ["weeks", "Weeks"],
  ["months", "Months"],
  ["years", "Years"],
];
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
  timezone: "f-timezone",
  tags: "f-tags",
  is_active: "f-active",
  schedule_config: "f-mode",
  "schedule_config.repeat_type": "f-repeat",
  "schedule_config.repeat_every": "f-every",
  "schedule_config.time": "f-time",
  "schedule_config.days_of_week": "f-days",
  "schedule_config.day_of_month": "f-dom",
  "schedule_config.end_type": "f-end",
  "schedule_config.end_date": "f-end-date",
  "schedule_config.end_occurrences": "f-end-n",
  "schedule_config.cron": "f-cron",
  "schedule_config.run_at": "f-run-at",
  "schedule_config.start_date": "f-start-date",
  jitter_seconds: "f-jitter",
  overlap_policy: "f-overlap",
  retry_config: "f-retries",
  "retry_config.max_retries": "f-retries",
  "retry_config.retry_delay_seconds": "f-delay",
  "retry_config.timeout_seconds": "f-timeout",
  "retry_config.backoff": "f-backoff",
  callbacks: "f-cb-ok",
  "callbacks.success_url": "f-cb-ok",
  "callbacks.failure_url": "f-cb-fail",
  "callbacks.notify": "f-notify",
};

function select(id: string, options: Array<[string, string]>, value: string) {
  const el = h(
    "select",
    { id },
    options.map(([v, label]) => h("option", { value: v }, label)),
  );
  el.value = value;
  return el;
}

function input(
  id: string,
  type: string,
  value: string | number | null | undefined,
  extra: Record<string, string> = {},
) {
  const el = h("input", { id, type, ...extra });
  el.value = value === null || value === undefined ? "" : String(value);
  return el;
}

function headersText(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n");
}

/** "Name: value" per line → object; null and a message for the first bad line. */
function parseHeaders(text: string): { headers: Record<string, string> } | { error: string } {
  const headers: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (!line) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return { error: `line ${i + 1} must look like "Name: value"` };
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers };
}

/** Comma-separated names → list (secret_headers, secret_query_params). */
function names(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/** Under a URL field that holds a token: how a secret query value is kept or replaced. */
function urlHint(url: string | null | undefined) {
  return hasToken(url)
    ? [
        secretBadge(),
        " A secret query value shows as [redacted:…]: left in the URL, the stored value is kept; type a new value in its place to replace it.",
      ]
    : undefined;
}

/**
 * Create (`#/jobs/new`) and edit (`#/jobs/<id>/edit`). The schedule builder shows a live preview from POST
 * /schedule/preview; on a 400 each `errors` entry appears under its field. Secret values arrive as redaction
 * tokens: each is shown as "secret · set" and sent back unchanged unless replaced (secrets.ts).
 */
export async function jobFormView(jobId: string | null): Promise<void> {
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
  const sc: ScheduleConfig = job?.schedule_config ?? { repeat_type: "days", time: "09:00" };
  const cb = (job?.callbacks ?? {}) as { success_url?: string | null; failure_url?: string | null; notify?: string };

  const name = input("f-name", "text", job?.name ?? "", { required: "" });
  const description = h("textarea", { id: "f-description", rows: 2 });
  description.value = job?.description ?? "";
  const url = input("f-url", "url", job?.endpoint_url ?? "", { placeholder: "The http(s) URL to call" });
  const method = select(
    "f-method",
    METHODS.map((m) => [m, m]),
    job?.method ?? "GET",
  );
  // Stored secret header values are tokens: each gets its own "secret · set" row, never a line of the text area.
  const allHeaders = Object.entries(job?.headers ?? {});
  const headers = h("textarea", { id: "f-headers", rows: 3, placeholder: "Authorization: Bearer …" });
  headers.value = headersText(Object.fromEntries(allHeaders.filter(([, v]) => !isToken(v))));
  const secretHeaders = allHeaders
    .filter(([, v]) => isToken(v))
    .map(([headerName, token], i) => ({
      name: headerName,
      control: secretControl({
        id: `f-header-${i}`,
        label: h("code", null, headerName),
        inputLabel: `New value for ${headerName}`,
        token,
        removable: true,
      }),
    }));
  const secretHeadersInput = input("f-secret-headers", "text", job?.secret_headers.join(", ") ?? "", {
    placeholder: "X-Tenant, X-Customer-Id",
    spellcheck: "false",
  });
  const secretParams = input("f-secret-params", "text", job?.secret_query_params.join(", ") ?? "", {
    placeholder: "api_key, sig",
    spellcheck: "false",
  });
  const bodySecretBox = h("input", { id: "f-body-secret", type: "checkbox" });
  bodySecretBox.checked = job?.body_is_secret ?? false;
  // A stored secret body is a token: "secret · set" with Replace; an emptied replacement sends no body.
  const bodyToken = job?.body && isToken(job.body) ? job.body : null;
  const bodySecret = bodyToken
    ? secretControl({ id: "f-body", label: "Stored body", inputLabel: "New body", token: bodyToken, kind: "textarea" })
    : null;
  const body = bodySecret ? null : h("textarea", { id: "f-body", rows: 3 });
  if (body) body.value = job?.body ?? "";
  const channelRows = (job?.alerts?.channels ?? []).map((channel, i) => {
    if (channel.type === "email" || !hasToken(channel.url)) {
      const target = channel.type === "email" ? channel.to : channel.url;
      return { channel, control: null, el: h("div", { class: "secret-row" }, `${channel.type} · ${target}`) };
    }
    const control = secretControl({
      id: `f-channel-${i}`,
      label: `${channel.type} · ${urlHost(channel.url) || "URL"}`,
      inputLabel: `New ${channel.type} URL`,
      token: channel.url,
      kind: "url",
      removable: true,
    });
    return { channel, control, el: control.el };
  });
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const timezone = input("f-timezone", "text", job?.timezone ?? zoneName(), {
    list: "f-timezones",
    autocomplete: "off",
  });
  const zoneList = h(
    "datalist",
    { id: "f-timezones" },
    ["UTC", ...zones].map((z) => h("option", { value: z })),
  );
  const tags = input("f-tags", "text", job?.tags.join(", ") ?? "", { placeholder: "reports, daily" });
  const active = h("input", { id: "f-active", type: "checkbox" });
  active.checked = job ? job.is_active : true;

  const scheduleMode = select(
    "f-mode",
    [
      ["repeat", "Repeat every…"],
      ["cron", "Cron expression"],
      ["once", "Once, at an instant"],
    ],
    sc.run_at !== undefined ? "once" : sc.cron !== undefined ? "cron" : "repeat",
  );
  const repeat = select("f-repeat", REPEATS, sc.repeat_type ?? "days");
  const every = input("f-every", "number", sc.repeat_every ?? 1, { min: "1", max: "1000" });
  const time = input("f-time", "time", sc.time ?? "09:00");
  const dayBoxes = WEEKDAYS.map((d, i) => {
    const box = h("input", { type: "checkbox", value: String(i), id: `f-day-${i}` });
    box.checked = (sc.days_of_week ?? []).map(String).includes(String(i));
    return h("label", { class: "inline" }, box, d);
  });
  const days = h("div", { id: "f-days", class: "days", role: "group", "aria-label": "Weekdays" }, dayBoxes);
  const dom = input("f-dom", "number", sc.day_of_month ?? "", { min: "1", max: "31", placeholder: "1" });
  const end = select(
    "f-end",
    [
      ["never", "Never"],
      ["on", "On a date"],
      ["after", "After N runs"],
    ],
    sc.end_type ?? "never",
  );
  const endDate = input("f-end-date", "date", sc.end_date?.slice(0, 10) ?? "");
  const endN = input("f-end-n", "number", sc.end_occurrences ?? "", { min: "1" });
  const cron = input("f-cron", "text", sc.cron ?? "", { placeholder: "*/15 9-17 * * 1-5", spellcheck: "false" });
  // A one-off's instant and a start date as ISO 8601 text: the API takes an offset or Z, or a bare date.
  const runAt = input("f-run-at", "text", sc.run_at ?? "", {
    placeholder: "2026-12-24T18:00:00Z",
    spellcheck: "false",
  });
  const startDate = input("f-start-date", "text", sc.start_date ?? "", {
    placeholder: "2026-01-15",
    spellcheck: "false",
  });
  const jitter = input("f-jitter", "number", job?.jitter_seconds ?? 0, { min: "0", max: "3600" });
  const overlap = select(
    "f-overlap",
    [
      ["allow", "Run anyway (allow)"],
      ["skip", "Skip the slot (skip)"],
      ["queue", "Wait for it (queue)"],
    ],
    job?.overlap_policy ?? "allow",
  );

  const retry = (job?.retry_config ?? {}) as {
    max_retries?: number;
    retry_delay_seconds?: number;
    timeout_seconds?: number;
    backoff?: string;
  };
  const retries = input("f-retries", "number", retry.max_retries ?? job?.max_retries ?? 3, { min: "0", max: "10" });
  const delay = input("f-delay", "number", retry.retry_delay_seconds ?? job?.retry_delay_seconds ?? 60, {
    min: "1",
    max: "3600",
  });
  const timeout = input("f-timeout", "number", retry.timeout_seconds ?? job?.timeout_seconds ?? 30, {
    min: "1",
    max: "30",
  });
  const backoff = select(
    "f-backoff",
    [
      ["fixed", "Fixed delay"],
      ["exponential", "Doubling delay"],
    ],
    retry.backoff ?? "fixed",
  );
  const cbOkUrl = cb.success_url ?? job?.success_callback_url ?? "";
  const cbFailUrl = cb.failure_url ?? job?.failure_callback_url ?? "";
  const cbOk = input("f-cb-ok", "url", cbOkUrl);
  const cbFail = input("f-cb-fail", "url", cbFailUrl);
  const notify = select(
    "f-notify",
    [
      ["", cb.notify ? `Keep (${cb.notify})` : "Default"],
      ["attempt", "After every failed attempt and on success"],
      ["final", "Final outcome only"],
      ["on_change", "Only when healthy ↔ failing flips"],
    ],
    "",
  );

  const repeatFields = h(
    "div",
    { class: "grid" },
    field("f-repeat", "Repeat every", h("div", { class: "pair" }, every, repeat)),
    field("f-time", "At (time in the job's zone; minutes only for hours)", time),
    field("f-days", "On weekdays (weeks)", days),
    field("f-dom", "Day of month (months, years)", dom),
  );
  const cronFields = h(
    "div",
    { class: "grid" },
    field("f-cron", "Cron expression (5 fields, in the job's zone)", cron),
  );
  const onceFields = h(
    "div",
    { class: "grid" },
    field("f-run-at", "Run once at (ISO 8601 with Z or an offset)", runAt),
  );
  const timingFields = h(
    "div",
    { class: "grid" },
    field("f-start-date", "Starts (date in the job's zone, or a date-time; empty: now)", startDate),
    field("f-jitter", "Jitter (seconds, 0–3600)", jitter),
    field("f-overlap", "While the previous run is unfinished", overlap),
  );
  const endFields = h(
    "div",
    { class: "grid" },
    field("f-end", "Ends", end),
    field("f-end-date", "End date", endDate),
    field("f-end-n", "Number of runs", endN),
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
    h(
      "fieldset",
      null,
      h("legend", null, "Request"),
      h(
        "div",
        { class: "grid" },
        field("f-name", "Name", name),
        field("f-method", "Method", method),
        field("f-url", "Endpoint URL", url, urlHint(job?.endpoint_url)),
        field("f-tags", "Tags (comma-separated)", tags),
      ),
      field("f-description", "Description", description),
      secretHeaders.length
        ? h(
            "div",
            { class: "field", id: "f-secret-header-rows" },
            h("span", { class: "field-label" }, "Secret headers (stored encrypted)"),
            secretHeaders.map((s) => s.control.el),
          )
        : null,
      field(
        "f-headers",
        secretHeaders.length ? "More headers (one “Name: value” per line)" : "Headers (one “Name: value” per line)",
        headers,
        "Authorization, Cookie and names containing token, secret, key, auth, password, signature or session are stored encrypted and shown as “secret · set”.",
      ),
      h(
        "div",
        { class: "grid" },
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
      h(
        "div",
        { class: "field inline-field" },
        h("label", { class: "inline" }, bodySecretBox, "Body is secret (stored encrypted, shown as “secret · set”)"),
        h("span", { class: "field-error", id: "f-body-secret-error" }),
      ),
    ),
    h(
      "fieldset",
      null,
      h("legend", null, "Schedule"),
      h(
        "div",
        { class: "grid" },
        field("f-mode", "Kind", scheduleMode),
        field("f-timezone", "Timezone (IANA)", h("div", null, timezone, zoneList)),
      ),
      repeatFields,
      cronFields,
      onceFields,
      timingFields,
      endFields,
      preview,
    ),
    h(
      "fieldset",
      null,
      h("legend", null, "Retries and callbacks"),
      h(
        "div",
        { class: "grid" },
        field("f-retries", "Retries", retries),
        field("f-delay", "Seconds between retries", delay),
        field("f-timeout", "Timeout (seconds)", timeout),
        field("f-backoff", "Between retries", backoff),
        field("f-notify", "Callbacks are sent", notify),
        field("f-cb-ok", "Success callback URL", cbOk, urlHint(cbOkUrl)),
        field("f-cb-fail", "Failure callback URL", cbFail, urlHint(cbFailUrl)),
      ),
    ),
    channelRows.length
      ? h(
          "fieldset",
          { id: "f-alert-channels" },
          h("legend", null, "Alert channels"),
          h(
            "p",
            { class: "sub" },
            "A webhook, Slack or Discord URL is a credential: it is stored encrypted. Channels are added through the API (alerts.channels).",
          ),
          channelRows.map((r) => r.el),
        )
      : null,
    h(
      "div",
      { class: "field inline-field" },
      h("label", { class: "inline" }, active, editing ? "Active" : "Active (runs on schedule)"),
      h("span", { class: "field-error", id: "f-active-error" }),
    ),
    formError,
    h(
      "div",
      { class: "actions" },
      submit,
      h("a", { class: "button", href: job && editing ? `#/jobs/${encodeURIComponent(job.id)}` : "#/" }, "Cancel"),
    ),
  );

  function scheduleConfig(): ScheduleConfig {
    const c: ScheduleConfig = {};
    // A one-off takes none of the repeating fields (the API refuses them beside run_at).
    if (scheduleMode.value === "once") return { run_at: runAt.value.trim() };
    if (startDate.value.trim()) c.start_date = startDate.value.trim();
    if (scheduleMode.value === "cron") c.cron = cron.value.trim();
    else {
      c.repeat_type = repeat.value as ScheduleConfig["repeat_type"];
      c.repeat_every = Number(every.value || "1");
      c.time = time.value;
      if (repeat.value === "weeks") {
        c.days_of_week = dayBoxes
          .map((l) => l.querySelector("input"))
          .filter((b) => b?.checked)
          .map((b) => b?.value ?? "");
      }
      if ((repeat.value === "months" || repeat.value === "years") && dom.value) c.day_of_month = Number(dom.value);
    }
    c.end_type = end.value as ScheduleConfig["end_type"];
    if (end.value === "on") c.end_date = endDate.value;
    if (end.value === "after") c.end_occurrences = Number(endN.value);
    return c;
  }

  function syncVisibility() {
    const cronMode = scheduleMode.value === "cron";
    const once = scheduleMode.value === "once";
    repeatFields.hidden = cronMode || once;
    cronFields.hidden = !cronMode;
    onceFields.hidden = !once;
    endFields.hidden = once;
    (startDate.closest(".field") as HTMLElement).hidden = once;
    (days.closest(".field") as HTMLElement).hidden = repeat.value !== "weeks";
    (dom.closest(".field") as HTMLElement).hidden = repeat.value !== "months" && repeat.value !== "years";
    (endDate.closest(".field") as HTMLElement).hidden = end.value !== "on";
    (endN.closest(".field") as HTMLElement).hidden = end.value !== "after";
  }

  let previewSeq = 0;
  let previewTimer: ReturnType<typeof setTimeout> | undefined;
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(async () => {
      const mine = ++previewSeq;
      preview.replaceChildren(h("span", { class: "loading" }, "Previewing…"));
      try {
        const { data } = await api<{ data: { schedule: string; next_runs: string[] } }>("/schedule/preview", {
          method: "POST",
          body: { schedule_config: scheduleConfig(), timezone: timezone.value.trim(), count: 5 },
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
  for (const el of [
    scheduleMode,
    repeat,
    every,
    time,
    dom,
    end,
    endDate,
    endN,
    cron,
    runAt,
    startDate,
    timezone,
    ...dayBoxes,
  ]) {
    el.addEventListener("input", () => {
      syncVisibility();
      schedulePreview();
    });
    el.addEventListener("change", () => {
      syncVisibility();
      schedulePreview();
    });
  }

  /** Where a secret header's error is shown: its own row (the API names it `headers.<name>`). */
  const fieldIds: Record<string, string> = { ...FIELD_IDS };
  secretHeaders.forEach((s, i) => {
    fieldIds[`headers.${s.name}`] = `f-header-${i}`;
  });

  /**
   * Headers, body and alert channels as sent: a stored secret untouched is its token (the API keeps the value), a
   * replaced one its new value, a removed one left out. `channels` only when one changed (the API replaces the list).
   */
  function secretsRequest():
    | { errors: Array<{ field: string; message: string }> }
    | { headers: Record<string, string>; body: string | null; channels: AlertChannel[] | null } {
    const errors: Array<{ field: string; message: string }> = [];
    const parsed = parseHeaders(headers.value);
    if ("error" in parsed) errors.push({ field: "headers", message: parsed.error });
    const out = "headers" in parsed ? parsed.headers : {};
    // A header typed in the text area replaces the stored one of the same name (names are case-insensitive).
    const typed = new Set(Object.keys(out).map((n) => n.toLowerCase()));
    for (const { name: headerName, control } of secretHeaders) {
      if (typed.has(headerName.toLowerCase())) continue;
      const c = control.choice();
      if ("keep" in c) out[headerName] = c.keep;
      else if ("value" in c) {
        if (c.value.trim()) out[headerName] = c.value.trim();
        else errors.push({ field: `headers.${headerName}`, message: "enter the new value, or keep the stored one" });
      }
    }
    let bodyOut: string | null;
    if (bodySecret) {
      const c = bodySecret.choice();
      bodyOut = "keep" in c ? c.keep : "value" in c && c.value ? c.value : null;
    } else bodyOut = body?.value ? body.value : null;
    let changed = false;
    const channels: AlertChannel[] = [];
    for (const { channel, control } of channelRows) {
      const c = control?.choice() ?? null;
      if (c && "removed" in c) {
        changed = true;
        continue;
      }
      // The API names a channel by its index in the list as sent.
      const key = `alerts.channels.${channels.length}.url`;
      if (control) fieldIds[key] = control.input.id;
      else delete fieldIds[key];
      if (!c || "keep" in c || channel.type === "email") channels.push(channel);
      else {
        changed = true;
        const next = c.value.trim();
        if (!next) errors.push({ field: key, message: "enter the new URL, or keep the stored one" });
        channels.push({ type: channel.type, url: next });
      }
    }
    if (errors.length) return { errors };
    return { headers: out, body: bodyOut, channels: changed ? channels : null };
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    formError.textContent = "";
    const request = secretsRequest();
    if ("errors" in request) {
      showFieldErrors(form, request.errors, fieldIds);
      formError.textContent = "Fix the marked fields.";
      return;
    }
    const numOr = (el: HTMLInputElement) => (el.value === "" ? Number.NaN : Number(el.value));
    const payload: Record<string, unknown> = {
      name: name.value,
      description: description.value.trim() ? description.value : null,
      endpoint_url: url.value.trim(),
      method: method.value,
      headers: request.headers,
      body: request.body,
      secret_headers: names(secretHeadersInput.value),
      secret_query_params: names(secretParams.value),
      body_is_secret: bodySecretBox.checked,
      ...(request.channels ? { alerts: { channels: request.channels } } : {}),
      timezone: timezone.value.trim(),
      schedule_config: scheduleConfig(),
      tags: tags.value
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
      is_active: active.checked,
      jitter_seconds: numOr(jitter),
      overlap_policy: overlap.value,
      retry_config: {
        max_retries: numOr(retries),
        retry_delay_seconds: numOr(delay),
        timeout_seconds: numOr(timeout),
        backoff: backoff.value,
      },
      callbacks: {
        success_url: cbOk.value.trim() || null,
        failure_url: cbFail.value.trim() || null,
        ...(notify.value ? { notify: notify.value } : {}),
      },
    };
    submit.disabled = true;
    try {
      const path = editing && job ? `/update/${encodeURIComponent(job.id)}` : "/create";
      const { data } = await api<{ data: Job }>(path, { method: editing ? "PATCH" : "POST", body: payload });
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
