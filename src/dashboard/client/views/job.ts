import { ApiError, api } from "../api";
import { chartsGrid, statsSummary, timelineChart } from "../charts";
import { h } from "../dom";
import { activeBadge, describeSchedule, num, plural, prettyBody, statusBadge, timeEl } from "../format";
import { logsSection } from "../logs-table";
import { hasToken, isToken, secretBadge, urlHost, urlWithSecrets } from "../secrets";
import { dailyStats } from "../stats";
import { fmt } from "../time";
import type { ExecutionLog, Job, PagePagination } from "../types";
import { errorText, flash, mount, navigate } from "../ui";

/** POST /trigger's answer: the outcome, or (HTTP 202) `pending` while a long run continues. */
interface TriggerResult {
  execution_id: string;
  status: string;
  response_code: number | null;
  response_body: string | null;
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
  const logs = logsSection({ jobId: id, base: `#/jobs/${enc}` });
  const root = h(
    "div",
    null,
    h("a", { href: "#/", class: "back" }, "← All jobs"),
    header,
    runResult,
    timeline,
    charts,
    logs.el,
  );

  async function loadJob() {
    try {
      const { data: job } = await api<{ data: Job }>(`/details/${enc}`);
      header.replaceChildren(jobHeader(job));
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
    try {
      const stats = await dailyStats(id);
      charts.replaceChildren(
        chartsTitle,
        statsSummary(stats),
        chartsGrid(stats),
        h("p", { class: "hint" }, stats.note),
      );
    } catch (e) {
      charts.replaceChildren(
        chartsTitle,
        h("p", { class: "form-error" }, `Could not load statistics: ${errorText(e)}`),
      );
    }
  }

  const refreshAll = () => {
    void loadJob();
    void loadInsights();
    logs.refresh();
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

  function jobHeader(job: Job) {
    const pause = h("button", { type: "button", id: "job-toggle" }, job.is_active ? "Pause" : "Resume");
    pause.addEventListener("click", () =>
      act(pause, async () => {
        await api(`/update/${enc}`, { method: "PATCH", body: { is_active: !job.is_active } });
        flash(job.is_active ? "Job paused." : "Job resumed.");
        await loadJob();
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
      ["Schedule", [describeSchedule(job), ` (in ${job.timezone}) `, h("code", null, job.schedule)]],
      [
        "Next runs",
        job.is_active && job.next_runs?.length
          ? job.next_runs.flatMap((r, i) => [i ? " · " : "", timeEl(r, fmt.short)])
          : "— (paused or ended)",
      ],
      ["Last run", job.last_run_at ? [timeEl(job.last_run_at), " ", statusBadge(job.last_run_status)] : "never"],
      [
        "Executions since created",
        `${plural(job.total_executions, "execution", "executions")} · ${num(job.successful_executions)} succeeded · ${num(job.failed_executions)} did not (all-time counters, not swept with the logs)`,
      ],
      ["Retries", `${job.max_retries} × ${job.retry_delay_seconds} s apart · timeout ${job.timeout_seconds} s`],
      ["Overlapping runs", overlapFact(job)],
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
          h("p", null, activeBadge(job.is_active)),
        ),
        h(
          "div",
          { class: "actions", id: "job-actions" },
          run,
          pause,
          h("a", { class: "button", href: `#/jobs/${enc}/edit`, id: "job-edit" }, "Edit"),
          clone,
          del,
        ),
      ),
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

/** The job's overlap policy and jitter, with the count of slots skipped (README "Scheduling"). */
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
