import { api, download } from "./api";
import { h } from "./dom";
import { num, plural, prettyBody, statusBadge, timeEl } from "./format";
import { dayBound, zoneName } from "./time";
import { type ExecutionLog, type Job, type PagePagination, STATUSES } from "./types";
import { navigate } from "./ui";

const PAGE_SIZE = 25;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface Filters {
  status: string;
  from: string;
  to: string;
  page: number;
  job: string;
  tags: string;
}

/** The execution log with filters, pager and export, for a job or the account; filters live in the hash (linkable). */
export function logsSection(o: { jobId?: string; jobs?: Job[]; base: string }) {
  const account = o.jobId === undefined;
  const statusSel = h(
    "select",
    { id: "filter-status" },
    h("option", { value: "" }, "All statuses"),
    STATUSES.map((s) => h("option", { value: s }, s)),
  );
  const from = h("input", { type: "date", id: "filter-from" });
  const to = h("input", { type: "date", id: "filter-to" });
  const jobSel = h(
    "select",
    { id: "filter-job" },
    h("option", { value: "" }, "All jobs"),
    (o.jobs ?? []).map((j) => h("option", { value: j.id }, j.name)),
  );
  const tags = h("input", { type: "text", id: "filter-tags", placeholder: "reports,daily", size: 14 });
  const f = (id: string, text: string, input: HTMLElement) => h("div", null, h("label", { for: id }, text), input);
  const zone = zoneName();
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter executions", id: "logs-filters" },
    account ? f("filter-job", "Job", jobSel) : null,
    f("filter-status", "Status", statusSel),
    f("filter-from", `From (date, ${zone})`, from),
    f("filter-to", `To (date, ${zone})`, to),
    account ? f("filter-tags", "Tags (any of)", tags) : null,
    h("div", null, h("button", { type: "submit", class: "primary" }, "Apply")),
    h("div", null, h("button", { type: "button", onclick: () => go({}) }, "Reset")),
  );
  const summary = h("p", { class: "muted", id: "logs-summary", "aria-live": "polite" });
  const tbody = h("tbody");
  const th = (text: string, cls?: string) => h("th", { scope: "col", class: cls }, text);
  const table = h(
    "table",
    { id: "logs-table", class: "cards" },
    h("caption", { class: "sr-only" }, "Executions, most recent first"),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        th(`Executed at (${zone})`),
        account ? th("Job") : null,
        th("Status"),
        th("HTTP", "num"),
        th("Time", "num"),
        th("Attempt", "num"),
        th("Response"),
      ),
    ),
    tbody,
  );
  const prev = h("button", { type: "button", id: "logs-prev" }, "← Newer");
  const next = h("button", { type: "button", id: "logs-next" }, "Older →");
  const pageInfo = h("span", { class: "muted", id: "logs-page" });
  const exportNote = h("span", { class: "muted", id: "export-note", "aria-live": "polite" });
  const exportPath = account ? "/logs/export" : `/logs/${encodeURIComponent(o.jobId ?? "")}/export`;
  const exportBtn = (format: "csv" | "ndjson", label: string) =>
    h(
      "button",
      {
        type: "button",
        id: `export-${format}`,
        onclick: async () => {
          exportNote.textContent = "Preparing the export…";
          try {
            const name = await download(exportPath, { format, ...apiFilters(current) }, `edgecron-logs.${format}`);
            exportNote.textContent = `Downloaded ${name}.`;
          } catch (e) {
            exportNote.textContent = `Export failed: ${e instanceof Error ? e.message : e}`;
          }
        },
      },
      label,
    );
  const jobNames = new Map((o.jobs ?? []).map((j) => [j.id, j.name]));
  const el = h(
    "section",
    { class: "panel", "aria-labelledby": "logs-title", id: "logs" },
    h(
      "div",
      { class: "head" },
      h("h2", { id: "logs-title" }, account ? "Execution log (all jobs)" : "Execution log"),
      h("div", { class: "actions" }, exportBtn("csv", "Export CSV"), exportBtn("ndjson", "Export NDJSON"), exportNote),
    ),
    form,
    summary,
    table,
    h("nav", { class: "pager", "aria-label": "Execution log pages" }, prev, pageInfo, next),
  );
  let current: Filters = { status: "", from: "", to: "", page: 1, job: "", tags: "" };
  let seq = 0;

  function apiFilters(c: Filters) {
    return {
      status: c.status,
      start_date: c.from ? dayBound(c.from) : "",
      end_date: c.to ? dayBound(c.to, true) : "",
      cron_job_id: account ? c.job : "",
      tags: account ? c.tags : "",
    };
  }
  function go(p: Partial<Filters>) {
    const qs = new URLSearchParams();
    for (const key of ["job", "status", "from", "to", "tags", "page"] as const) {
      const v = p[key];
      if (v && String(v) !== "1") qs.set(key, String(v));
    }
    const s = qs.toString();
    navigate(`${o.base}${s ? `?${s}` : ""}`);
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (from.value && to.value && from.value > to.value) {
      summary.textContent = "“From” must not be after “To”.";
      return;
    }
    go({ status: statusSel.value, from: from.value, to: to.value, job: jobSel.value, tags: tags.value.trim() });
  });
  prev.addEventListener("click", () => go({ ...current, page: current.page - 1 }));
  next.addEventListener("click", () => go({ ...current, page: current.page + 1 }));

  function row(r: ExecutionLog) {
    const response: Node[] = [];
    if (r.error_message) response.push(h("span", { class: "error-msg" }, r.error_message));
    if (r.response_body) {
      const size = new TextEncoder().encode(r.response_body).length;
      response.push(
        h(
          "details",
          null,
          h("summary", null, `Response body (${num(size)} B)`),
          h("pre", null, prettyBody(r.response_body)),
        ),
      );
    } else if (!r.error_message) response.push(h("span", { class: "muted" }, "No body"));
    const headers = Object.entries(r.response_headers ?? {});
    if (headers.length > 0) {
      response.push(
        h(
          "details",
          { class: "response-headers" },
          h("summary", null, `Response headers (${headers.length})`),
          h(
            "dl",
            { class: "headers" },
            headers.flatMap(([name, value]) => [h("dt", { class: "mono" }, name), h("dd", { class: "mono" }, value)]),
          ),
        ),
      );
    }
    // Which success rule decided, when a body rule did (a status rule deciding is the usual, unremarkable case).
    if (r.decided_by === "body_contains" || r.decided_by === "body_not_contains") {
      response.push(h("span", { class: "muted decided-by" }, `decided by ${r.decided_by}`));
    }
    const cell = (label: string, cls: string | null, ...c: Array<Node | string>) =>
      h("td", { "data-label": label, class: cls }, c);
    return h(
      "tr",
      { "data-status": r.status },
      cell("Executed at", null, timeEl(r.executed_at)),
      account
        ? cell(
            "Job",
            null,
            h(
              "a",
              { href: `#/jobs/${encodeURIComponent(r.cron_job_id)}` },
              jobNames.get(r.cron_job_id) ?? r.cron_job_id,
            ),
          )
        : null,
      cell("Status", null, statusBadge(r.status)),
      cell("HTTP", "num", r.response_code === null ? "—" : String(r.response_code)),
      cell("Time", "num", r.response_time_ms === null ? "—" : `${num(r.response_time_ms)} ms`),
      cell("Attempt", "num", String(r.retry_attempt)),
      cell("Response", null, ...response),
    );
  }

  async function show(params: URLSearchParams) {
    const date = (v: string | null) => (v && DATE.test(v) ? v : "");
    const status = params.get("status") ?? "";
    current = {
      status: (STATUSES as readonly string[]).includes(status) ? status : "",
      from: date(params.get("from")),
      to: date(params.get("to")),
      page: Math.max(1, Number.parseInt(params.get("page") ?? "1", 10) || 1),
      job: params.get("job") ?? "",
      tags: params.get("tags") ?? "",
    };
    statusSel.value = current.status;
    from.value = current.from;
    to.value = current.to;
    jobSel.value = current.job;
    tags.value = current.tags;
    const mine = ++seq;
    table.setAttribute("aria-busy", "true");
    if (!tbody.childElementCount) summary.textContent = "Loading…";
    prev.disabled = true;
    next.disabled = true;
    try {
      const path = account ? "/logs" : `/logs/${encodeURIComponent(o.jobId ?? "")}`;
      const body = await api<{ data: ExecutionLog[]; pagination: PagePagination }>(path, {
        params: { page: current.page, limit: PAGE_SIZE, ...apiFilters(current) },
      });
      if (mine !== seq) return;
      tbody.replaceChildren(...body.data.map(row));
      if (!body.data.length) {
        tbody.append(
          h(
            "tr",
            null,
            h("td", { colspan: account ? "7" : "6", class: "empty" }, "No executions match these filters."),
          ),
        );
      }
      const pg = body.pagination;
      const range = current.from || current.to ? `, ${current.from || "…"} to ${current.to || "now"} (${zone})` : "";
      summary.textContent = `${plural(pg.total_items, "logged execution", "logged executions")} match${current.status ? ` (status ${current.status})` : ""}${range}. Logs are kept 30 days.`;
      pageInfo.textContent = `Page ${pg.page} of ${Math.max(1, pg.total_pages)}`;
      prev.disabled = pg.page <= 1;
      next.disabled = pg.page >= pg.total_pages;
    } catch (e) {
      if (mine !== seq) return;
      tbody.replaceChildren();
      summary.textContent = `Could not load the execution log: ${e instanceof Error ? e.message : e}`;
      pageInfo.textContent = "";
    } finally {
      if (mine === seq) table.removeAttribute("aria-busy");
    }
  }
  return { el, show, refresh: () => show(new URLSearchParams(location.hash.split("?")[1] ?? "")) };
}
