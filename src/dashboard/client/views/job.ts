import { canWrite } from "../access";
import { ApiError, api } from "../api";
import { chartsGrid, statsSummary, timelineChart } from "../charts";
import { type Child, cardsTable, field, h } from "../dom";
import { grid, input } from "../form";
import {
  describeSchedule,
  num,
  plural,
  prettyBody,
  relative,
  scheduleStrings,
  stateBadge,
  statusBadge,
  timeEl,
} from "../format";
import { type LastRun, lastRun } from "../last-run";
import { logsSection } from "../logs-table";
import { instantToLocal, pauseBody } from "../pause-until";
import { hasToken, isToken, secretBadge, urlHost, urlWithSecrets } from "../secrets";
import { burnText, sloRows } from "../slo-status";
import { dailyStats } from "../stats";
import { fmt, zoneChoice, zoneName } from "../time";
import type { ExecutionLog, Job, PagePagination, SloStatus } from "../types";
import { errorText, flash, mount, navigate, showFieldErrors } from "../ui";
import { jobControls, testAlertOffer } from "../write-controls";
import { alertDeliveriesSection } from "./job-alerts";
import { runsSection } from "./job-runs";

/** POST /trigger's answer: the outcome, or (HTTP 202) `pending` while a long run continues. */
interface TriggerResult {
  execution_id: string;
  status: string;
  response_code: number | null;
  response_body: string | null;
  error_message: string | null;
  executed_at: string;
  response_time_ms: number | null;
}

/** Which job view is on screen, so a filter change only redraws the log table. */
let current: { id: string; root: HTMLElement; showLogs: (p: URLSearchParams) => void } | null = null;

export function jobView(id: string, params: URLSearchParams): void {
  if (current && current.id === id && current.root.isConnected) {
    current.showLogs(params);
    return;
  }
  const enc = encodeURIComponent(id);
  const header = h("div", { class: "panel", id: "job-header" }, h("p", { class: "loading" }, "Loading job…"));
  const runResult = h("section", { class: "panel", id: "run-result", "aria-live": "polite", hidden: true });
  const timeline = h(
    "section",
    { class: "panel", "aria-labelledby": "timeline-title", id: "timeline" },
    h("h2", { id: "timeline-title" }, "Recent executions"),
    h("p", { class: "loading" }, "Loading…"),
  );
  const charts = h(
    "section",
    { class: "panel", "aria-labelledby": "charts-title", id: "charts" },
    h("h2", { id: "charts-title" }, "Last 30 days"),
    h("p", { class: "loading" }, "Loading…"),
  );
  const slo = h(
    "section",
    { class: "panel", "aria-labelledby": "slo-title", id: "slo" },
    h("h2", { id: "slo-title" }, "Service level objective"),
    h("p", { class: "loading" }, "Loading…"),
  );
  // Outside the header, which each refresh redraws: a half-filled picker survives the auto-refresh.
  const pause = pausePicker(enc, () => loadJob());
  const logs = logsSection({ jobId: id, base: `#/jobs/${enc}` });
  const deliveries = alertDeliveriesSection(id);
  const history = runsSection(id, () => refreshAll());
  const root = h(
    "div",
    null,
    h("a", { href: "#/", class: "back" }, "← All jobs"),
    header,
    pause.el,
    runResult,
    timeline,
    charts,
    slo,
    history.el,
    logs.el,
    deliveries.el,
  );

  async function loadJob() {
    try {
      const [{ data: job }, writable] = await Promise.all([api<{ data: Job }>(`/details/${enc}`), canWrite()]);
      // last_run_* follow final outcomes only: the newest log tells whether a run is still retrying.
      const latest =
        job.total_executions > 0
          ? await api<{ data: ExecutionLog[] }>(`/logs/${enc}`, { params: { limit: 1 } }).then(
              (b) => b.data[0] ?? null,
              () => null,
            )
          : null;
      header.replaceChildren(jobHeader(job, latest, writable));
      deliveries.offer(testAlertOffer(job, writable));
      document.title = `${job.name} · edgecron dashboard`;
    } catch (e) {
      header.replaceChildren(
        h(
          "p",
          { class: "form-error" },
          e instanceof ApiError && e.status === 404
            ? "This job does not exist in this account."
            : `Could not load the job: ${errorText(e)}`,
        ),
      );
    }
  }

  async function loadInsights() {
    const timelineTitle = timeline.firstChild as Node;
    try {
      const body = await api<{ data: ExecutionLog[]; pagination: PagePagination }>(`/logs/${enc}`, {
        params: { limit: 100 },
      });
      timeline.replaceChildren(timelineTitle, timelineChart(body.data, body.pagination.total_items));
    } catch (e) {
      timeline.replaceChildren(
        timelineTitle,
        h("p", { class: "form-error" }, `Could not load executions: ${errorText(e)}`),
      );
    }
    const chartsTitle = charts.firstChild as Node;
    const sloTitle = slo.firstChild as Node;
    try {
      const stats = await dailyStats(id);
      charts.replaceChildren(
        chartsTitle,
        statsSummary(stats),
        chartsGrid(stats),
        h("p", { class: "hint" }, stats.note),
      );
      slo.replaceChildren(
        sloTitle,
        stats.slo === undefined
          ? h("p", { class: "form-error" }, "Could not load the SLO: the stats API did not answer.")
          : sloPanel(stats.slo, enc),
      );
    } catch (e) {
      charts.replaceChildren(
        chartsTitle,
        h("p", { class: "form-error" }, `Could not load statistics: ${errorText(e)}`),
      );
      slo.replaceChildren(sloTitle, h("p", { class: "form-error" }, `Could not load the SLO: ${errorText(e)}`));
    }
  }

  const refreshAll = () => {
    void loadJob();
    void loadInsights();
    logs.refresh();
    history.refresh();
    deliveries.refresh();
  };

  async function act(button: HTMLButtonElement, fn: () => Promise<void>) {
    button.disabled = true;
    try {
      await fn();
    } catch (e) {
      flash(`${button.textContent} failed: ${errorText(e)}`);
    } finally {
      button.disabled = false;
    }
  }

  function jobHeader(job: Job, latest: ExecutionLog | null, writable: boolean) {
    // A read-only key gets none of these: the API refuses it every write (write-controls.ts).
    const offered = new Set(jobControls(job, writable));
    // Pause and resume are the user's own states; a disabled job is re-enabled from its notice, a completed one
    // needs a new schedule (is_active: true alone is a 409).
    // Pause opens the picker (until when, why); Resume acts at once and clears both.
    const toggle = job.is_active ? pause.opener() : h("button", { type: "button", id: "job-toggle" }, "Resume");
    if (!job.is_active) {
      pause.close();
      toggle.addEventListener("click", () =>
        act(toggle, async () => {
          await api(`/update/${enc}`, { method: "PATCH", body: { is_active: true } });
          flash("Job resumed.");
          await loadJob();
        }),
      );
    }
    const reenable = h("button", { type: "button", class: "primary", id: "job-reenable" }, "Re-enable");
    reenable.addEventListener("click", () =>
      act(reenable, async () => {
        await api(`/update/${enc}`, { method: "PATCH", body: { is_active: true } });
        flash("Job re-enabled: its failure streak starts again from zero.");
        refreshAll();
      }),
    );
    const run = h("button", { type: "button", class: "primary", id: "job-run" }, "Run now");
    run.addEventListener("click", () =>
      act(run, async () => {
        runResult.hidden = false;
        runResult.replaceChildren(h("h2", null, "Run now"), h("p", { class: "loading" }, "Running…"));
        const { data: r } = await api<{ data: TriggerResult }>(`/trigger/${enc}`, { method: "POST" });
        if (r.status === "pending") {
          runResult.replaceChildren(
            h("h2", null, "Run now: still running"),
            h(
              "p",
              { id: "run-status" },
              "No outcome within 25 s; the run continues and its log appears below when it ends (execution ",
              h("code", null, r.execution_id),
              ").",
            ),
          );
          refreshAll();
          return;
        }
        runResult.replaceChildren(
          h("h2", null, "Run now: result"),
          h(
            "dl",
            { class: "facts" },
            h("dt", null, "Status"),
            h("dd", { id: "run-status" }, statusBadge(r.status)),
            h("dt", null, "HTTP"),
            h("dd", null, r.response_code === null ? "—" : String(r.response_code)),
            h("dt", null, "Time"),
            h("dd", null, r.response_time_ms === null ? "—" : `${num(r.response_time_ms)} ms`),
            h("dt", null, "Executed at"),
            h("dd", null, timeEl(r.executed_at)),
            ...(r.error_message ? [h("dt", null, "Error"), h("dd", { id: "run-error" }, r.error_message)] : []),
          ),
          r.response_body
            ? h("details", null, h("summary", null, "Response body"), h("pre", null, prettyBody(r.response_body)))
            : "",
        );
        refreshAll();
      }),
    );
    // The copy is made on the server: secret values never reach the browser, so only the server can copy them.
    const clone = h("button", { type: "button", id: "job-clone" }, "Clone");
    clone.addEventListener("click", () =>
      act(clone, async () => {
        const { data: copy } = await api<{ data: Job }>(`/clone/${enc}`, { method: "POST" });
        current = null;
        flash(`Cloned “${job.name}” as “${copy.name}”, paused, secrets included: rename or activate it here.`);
        navigate(`#/jobs/${encodeURIComponent(copy.id)}/edit`);
      }),
    );
    const del = h("button", { type: "button", class: "danger", id: "job-delete" }, "Delete");
    del.addEventListener("click", () =>
      act(del, async () => {
        if (!window.confirm(`Delete “${job.name}” and its execution history? This cannot be undone.`)) return;
        await api(`/delete/${enc}`, { method: "DELETE" });
        current = null;
        flash(`Deleted “${job.name}”.`);
        navigate("#/");
      }),
    );
    const facts: Array<[string, Node | string | Array<Node | string>]> = [
      ["Endpoint", [h("code", null, job.method), " ", h("span", { class: "mono" }, urlWithSecrets(job.endpoint_url))]],
      ["Headers", headersFact(job)],
      ["Body", bodyFact(job)],
      ["Schedule", scheduleFact(job)],
      [
        "Next runs",
        job.is_active && job.next_runs?.length
          ? job.next_runs.flatMap((r, i) => [i ? " · " : "", timeEl(r, fmt.short)])
          : `— (${job.state === "paused" || job.state === "disabled" ? job.state : "schedule ended"})`,
      ],
      ["Last run", h("span", { id: "job-last-run" }, lastRunText(lastRun(job, latest)))],
      [
        "Executions since created",
        `${plural(job.total_executions, "execution", "executions")} · ${num(job.successful_executions)} succeeded · ${num(job.failed_executions)} did not (all-time counters, not swept with the logs)`,
      ],
      ["Retries", `${retriesText(job)} · timeout ${job.timeout_seconds} s`],
      ["Overlapping runs", overlapFact(job)],
      ["Missed slots", h("span", { id: "job-catchup" }, catchupText(job))],
      ["Tags", job.tags.length ? job.tags.join(", ") : "—"],
    ];
    const channels = job.alerts?.channels ?? [];
    if (channels.length) facts.push(["Alert channels", channelsFact(job)]);
    return h(
      "div",
      null,
      h(
        "div",
        { class: "head" },
        h(
          "div",
          null,
          h("h1", { id: "job-title" }, job.name),
          job.description ? h("p", { class: "muted" }, job.description) : null,
          h("p", { id: "job-state" }, stateBadge(job.state), job.state === "paused" ? pauseNote(job) : null),
        ),
        h(
          "div",
          { class: "actions", id: "job-actions" },
          offered.has("run") ? run : null,
          offered.has("pause") || offered.has("resume") ? toggle : null,
          offered.has("edit") ? h("a", { class: "button", href: `#/jobs/${enc}/edit`, id: "job-edit" }, "Edit") : null,
          offered.has("clone") ? clone : null,
          offered.has("delete") ? del : null,
        ),
      ),
      stateNote(job, offered.has("reenable") ? reenable : null),
      h(
        "dl",
        { class: "facts" },
        facts.map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
      ),
    );
  }

  mount("Job", root, refreshAll);
  current = { id, root, showLogs: logs.show };
  logs.show(params);
  void loadJob();
  void loadInsights();
  history.refresh();
  deliveries.refresh();
}

/** Why a job that is neither active nor paused does not run, and what brings it back. */
function stateNote(job: Job, reenable: HTMLButtonElement | null): Node | null {
  if (job.state === "disabled") {
    return h(
      "div",
      { class: "state-note", id: "job-disabled", role: "status" },
      h(
        "p",
        null,
        h("strong", null, "Disabled"),
        job.disabled_at ? [" since ", timeEl(job.disabled_at)] : "",
        ": ",
        h(
          "span",
          { id: "job-disabled-reason" },
          job.disabled_reason ?? "by its alert policy (alerts.auto_disable_after)",
        ),
      ),
      h(
        "p",
        { class: "muted" },
        "It runs no scheduled slot and its pending retries are skipped. Re-enabling starts a new failure streak.",
      ),
      reenable,
    );
  }
  if (job.state === "completed") {
    return h(
      "p",
      { class: "muted", id: "job-completed" },
      "Completed: its schedule has ended. Give it a new schedule (Edit) to run it again.",
    );
  }
  return null;
}

function lastRunText(r: LastRun): Child {
  switch (r.kind) {
    case "never":
      return "never";
    case "final":
      return [timeEl(r.at), " ", statusBadge(r.status)];
    case "retrying":
      return [
        `retrying (attempt ${r.attempt} of ${r.of}`,
        r.nextAt ? [", next at ", timeEl(r.nextAt, fmt.short)] : "",
        ")",
        r.previous.kind === "final" ? [" · previous run ", lastRunText(r.previous)] : "",
      ];
    case "stopped":
      return [
        `attempt ${r.attempt} of ${r.of} failed; its retries are skipped while the job is ${r.state}`,
        r.previous.kind === "final" ? [" · previous run ", lastRunText(r.previous)] : "",
      ];
    case "running":
      return "running";
  }
}

/** "No retries", or how many and how far apart (exponential backoff doubles the delay each time). */
function retriesText(job: Job): string {
  if (job.max_retries === 0) return "No retries";
  const exponential = (job.retry_config as { backoff?: unknown }).backoff === "exponential";
  const times = plural(job.max_retries, "retry", "retries");
  return exponential
    ? `${times}, ${job.retry_delay_seconds} s after the first failure, doubling each time`
    : `${times}, ${job.retry_delay_seconds} s apart`;
}

export function forgetJobView(): void {
  current = null;
}

/** Each header by name: a secret value (a redaction token) as a "secret · set" badge, never as text. */
function headersFact(job: Job): Node | string {
  const entries = Object.entries(job.headers ?? {});
  if (!entries.length) return "—";
  return h(
    "dl",
    { class: "headers", id: "job-headers" },
    entries.map(([name, value]) => [
      h("dt", null, name),
      h("dd", { "data-header": name }, isToken(value) ? secretBadge() : h("span", { class: "mono" }, value)),
    ]),
  );
}

function bodyFact(job: Job): Node | string {
  if (job.body === null || job.body === "") return "—";
  if (isToken(job.body)) return h("span", { id: "job-body" }, secretBadge());
  return h(
    "details",
    { id: "job-body" },
    h("summary", null, plural(job.body.length, "character", "characters")),
    h("pre", null, prettyBody(job.body)),
  );
}

/** Alert channels: a webhook, Slack or Discord URL is a credential, shown by its host and a badge. */
function channelsFact(job: Job): Node {
  return h(
    "ul",
    { class: "plain", id: "job-channels" },
    (job.alerts?.channels ?? []).map((c) =>
      h(
        "li",
        null,
        `${c.type} · `,
        c.type === "email"
          ? c.to
          : hasToken(c.url)
            ? [urlHost(c.url) || "URL", " ", secretBadge()]
            : h("span", { class: "mono" }, c.url),
      ),
    ),
  );
}

/** The catch-up policy (docs/API-NOTES.md "Scheduling: …") and the lateness past which a slot is recorded missed. */
function catchupText(job: Job): string {
  const policy =
    job.catchup === "none"
      ? "after an outage nothing runs until the next slot"
      : "after an outage the newest missed slot runs once";
  const lateness =
    job.max_lateness_seconds === null
      ? "no lateness limit"
      : `a slot more than ${job.max_lateness_seconds} s late is recorded missed`;
  return `${policy} (${job.catchup}); ${lateness}`;
}

/** The job's overlap policy and jitter, with the count of slots skipped (docs/API-NOTES.md "Scheduling"). */
function overlapFact(job: Job): Node {
  const policy = job.overlap_policy ?? "allow";
  const text = {
    allow: "allowed (a slot runs even while the previous run is unfinished)",
    skip: "skipped while the previous run is unfinished",
    queue: "queued after the previous run",
  }[policy];
  const jitter = job.jitter_seconds ? ` · jitter up to ${job.jitter_seconds} s` : "";
  const skipped = job.skipped_runs ?? 0;
  return h(
    "span",
    { id: "job-overlap" },
    `${text}${jitter}`,
    policy === "skip" || skipped > 0
      ? [" · ", h("strong", { id: "job-skipped-runs" }, plural(skipped, "slot", "slots")), " skipped"]
      : "",
  );
}

/** Every schedule: the words, the zone, then each cron string once (docs/API-NOTES.md "Several schedules"). */
function scheduleFact(job: Job): Node {
  const crons = scheduleStrings(job);
  return h(
    "span",
    { id: "job-schedule" },
    describeSchedule(job),
    ` (in ${job.timezone}) `,
    crons.map((c, i) => [i ? ", " : "", h("code", { class: "schedule" }, c)]),
  );
}

/** "until 24 Dec 2026, 00:00 UTC (in 3 days) · Holidays", or "until resumed" for a pause with no end. */
function pauseNote(job: Job): Child {
  const until = job.paused_until;
  return [
    " ",
    h(
      "span",
      { id: "job-paused-until" },
      until
        ? ["until ", timeEl(until, fmt.short), ` (${relative(Date.parse(until) - Date.now())})`]
        : "until resumed by hand",
    ),
    job.pause_reason ? [" · ", h("span", { id: "job-pause-reason" }, job.pause_reason)] : null,
  ];
}

/**
 * The pause picker: until a date and time in the dashboard's zone (empty: until resumed) and a reason, sent as
 * `paused_until` (an instant with Z) and `pause_reason`; the API's 400 shows under its field.
 */
function pausePicker(enc: string, onPaused: () => Promise<void>) {
  const zone = zoneChoice();
  const until = input("pause-until", "datetime-local", "", { min: instantToLocal(Date.now(), zone) });
  const reason = input("pause-reason", "text", "", { maxlength: "200", placeholder: "Holidays" });
  const error = h("p", { class: "form-error", id: "pause-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary", id: "pause-submit" }, "Pause job");
  const cancel = h("button", { type: "button", id: "pause-cancel" }, "Cancel");
  const form = h(
    "form",
    { id: "pause-form", class: "pause-form", "aria-labelledby": "pause-title", novalidate: true, hidden: true },
    h("h2", { id: "pause-title" }, "Pause the job"),
    grid(
      field(
        "pause-until",
        `Pause until (${zoneName()})`,
        until,
        "It resumes by itself then; the slots in between are skipped. Empty: until resumed by hand",
      ),
      field("pause-reason", "Reason (optional)", reason),
    ),
    error,
    h("div", { class: "actions" }, submit, cancel),
  );
  let opener: HTMLButtonElement | null = null;
  const setOpen = (open: boolean) => {
    form.hidden = !open;
    opener?.setAttribute("aria-expanded", String(open));
  };
  cancel.addEventListener("click", () => {
    setOpen(false);
    opener?.focus();
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = "";
    const ids = { paused_until: "pause-until", pause_reason: "pause-reason" };
    const request = pauseBody(until.value, reason.value, zone);
    if ("errors" in request) {
      showFieldErrors(form, request.errors, ids);
      return;
    }
    showFieldErrors(form, [], ids);
    submit.disabled = true;
    try {
      await api(`/update/${enc}`, { method: "PATCH", body: request.body });
      setOpen(false);
      until.value = "";
      reason.value = "";
      flash(request.body.paused_until ? "Job paused until the chosen time." : "Job paused until resumed.");
      await onPaused();
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) {
        const unplaced = showFieldErrors(form, e.errors, ids);
        error.textContent = unplaced.join("; ");
      } else error.textContent = `Pause failed: ${errorText(e)}`;
    } finally {
      submit.disabled = false;
    }
  });
  return {
    el: form,
    /** The header's Pause button (drawn anew on each refresh), opening the picker. */
    opener(): HTMLButtonElement {
      opener = h(
        "button",
        { type: "button", id: "job-toggle", "aria-controls": "pause-form", "aria-expanded": String(!form.hidden) },
        "Pause",
      );
      opener.addEventListener("click", () => {
        setOpen(form.hidden);
        if (!form.hidden) until.focus();
      });
      return opener;
    },
    close: () => setOpen(false),
  };
}

/** The job's SLO now: each objective, its current value and error budget left, the window; or how to set one. */
function sloPanel(slo: SloStatus, enc: string): Node {
  if (!slo) {
    return h(
      "p",
      { class: "empty", id: "slo-empty" },
      "This job has no SLO. ",
      h("a", { href: `#/jobs/${enc}/edit` }, "Set objectives"),
      " under Alerts in its form to see the error budget here and, if you choose, get burn alerts.",
    );
  }
  const rows = sloRows(slo);
  return h(
    "div",
    null,
    cardsTable(
      { id: "slo-table", class: "slo cards" },
      "The job's objectives, their current values and error budgets left",
      ["Objective", `Current (last ${plural(slo.window_days, "day", "days")})`, "Error budget left"],
      h(
        "tbody",
        null,
        rows.map((r) =>
          h(
            "tr",
            { "data-objective": r.key, "data-budget": r.budgetState },
            h("td", { "data-label": "Objective" }, r.objective),
            h("td", { "data-label": "Current" }, r.current),
            h(
              "td",
              { "data-label": "Error budget left" },
              h("meter", {
                min: 0,
                max: 1,
                low: 0.25,
                optimum: 1,
                value: Math.max(0, Math.min(1, r.budget)),
                "aria-label": `Error budget left: ${r.budgetText}`,
              }),
              h("span", { class: r.budgetState === "spent" ? "budget-spent" : undefined }, r.budgetText),
            ),
          ),
        ),
      ),
    ),
    h(
      "dl",
      { class: "facts", id: "slo-facts" },
      h("dt", null, "Window"),
      h(
        "dd",
        { id: "slo-window" },
        `${plural(slo.window_days, "day", "days")}, rolling: `,
        timeEl(slo.window_start, fmt.short),
        " – ",
        timeEl(slo.window_end, fmt.short),
      ),
      h("dt", null, "Burn alerts"),
      h(
        "dd",
        { id: "slo-burn" },
        burnText(slo),
        slo.burning_since ? [" since ", timeEl(slo.burning_since, fmt.short)] : null,
      ),
    ),
  );
}
