import { ApiError, api, download } from "./api";
import { h } from "./dom";
import { num, plural, prettyBody, statusBadge, timeEl } from "./format";
import { apiQuery, FILTER_FIELD_IDS, filtersHash, type LogFilters, NO_FILTERS, readFilters } from "./logs-filters";
import { dayBound, zoneName } from "./time";
import { type ExecutionLog, type Job, type LogsPage, STATUSES } from "./types";
import { errorText, navigate, showFieldErrors } from "./ui";

const PAGE_SIZE = 25;

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
  const code = h("input", { type: "text", id: "filter-code", placeholder: "500 or 5xx", size: 8 });
  const ms = (id: string) => h("input", { type: "number", id, min: "0", step: "1", inputmode: "numeric" });
  const minMs = ms("filter-min-ms");
  const maxMs = ms("filter-max-ms");
  const q = h("input", { type: "search", id: "filter-q", placeholder: "deadlock", size: 14 });
  const f = (id: string, text: string, input: HTMLElement) =>
    h(
      "div",
      null,
      h("label", { for: id }, text),
      input,
      h("span", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }),
    );
  const zone = zoneName();
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter executions", id: "logs-filters" },
    account ? f("filter-job", "Job", jobSel) : null,
    f("filter-status", "Status", statusSel),
    f("filter-from", `From (date, ${zone})`, from),
    f("filter-to", `To (date, ${zone})`, to),
    account ? f("filter-tags", "Tags (any of)", tags) : null,
    f("filter-code", "Response code", code),
    f("filter-min-ms", "Min ms", minMs),
    f("filter-max-ms", "Max ms", maxMs),
    account ? null : f("filter-q", "Search text", q),
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
  // A text search stops when its scan budget is spent; going on is the user's call (docs/API-NOTES.md).
  const scanText = h("span", null);
  const scanMore = h("button", { type: "button", id: "logs-scan-continue", class: "small" }, "Continue scanning");
  const scanNote = h("p", { class: "muted", id: "logs-scan", hidden: "" }, scanText, " ", scanMore);
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
            const name = await download(exportPath, { format, ...query(current, false) }, `edgecron-logs.${format}`);
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
    scanNote,
    h("nav", { class: "pager", "aria-label": "Execution log pages" }, prev, pageInfo, next),
  );
  let current: LogFilters = NO_FILTERS;
  let nextCursor: string | null = null;
  let seq = 0;

  const query = (c: LogFilters, paging: boolean) => apiQuery(c, { account, paging, bound: dayBound });
  const go = (p: Partial<LogFilters>) => navigate(filtersHash(o.base, p));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (from.value && to.value && from.value > to.value) {
      summary.textContent = "“From” must not be after “To”.";
      return;
    }
    go({
      status: statusSel.value,
      from: from.value,
      to: to.value,
      job: jobSel.value,
      tags: tags.value.trim(),
      code: code.value.trim(),
      minMs: minMs.value,
      maxMs: maxMs.value,
      q: q.value.trim(),
    });
  });
  prev.addEventListener("click", () => go({ ...current, page: current.page - 1 }));
  // With a text search the next page is a cursor, kept in the hash so Back returns to the newer one.
  const older = () =>
    current.q ? go({ ...current, cursor: nextCursor ?? "" }) : go({ ...current, page: current.page + 1 });
  next.addEventListener("click", older);
  scanMore.addEventListener("click", older);

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
    current = readFilters(params, account);
    statusSel.value = current.status;
    from.value = current.from;
    to.value = current.to;
    jobSel.value = current.job;
    tags.value = current.tags;
    code.value = current.code;
    minMs.value = current.minMs;
    maxMs.value = current.maxMs;
    q.value = current.q;
    const searching = current.q !== "";
    // Exports stream every match and take no text search (the schema's export routes have no `q`).
    for (const b of el.querySelectorAll<HTMLButtonElement>("button[id^=export-]")) b.disabled = searching;
    const mine = ++seq;
    table.setAttribute("aria-busy", "true");
    if (!tbody.childElementCount) summary.textContent = "Loading…";
    prev.disabled = true;
    next.disabled = true;
    try {
      const path = account ? "/logs" : `/logs/${encodeURIComponent(o.jobId ?? "")}`;
      const body = await api<LogsPage>(path, { params: { limit: PAGE_SIZE, ...query(current, true) } });
      if (mine !== seq) return;
      showFieldErrors(form, [], {});
      const stopped = body.scan?.complete === false;
      tbody.replaceChildren(...body.data.map(row));
      if (!body.data.length) {
        const text = stopped ? "No matches in the logs read so far." : "No executions match these filters.";
        tbody.append(h("tr", null, h("td", { colspan: account ? "7" : "6", class: "empty" }, text)));
      }
      const pg = body.pagination;
      nextCursor = pg.next_cursor;
      const range = current.from || current.to ? `, ${current.from || "…"} to ${current.to || "now"} (${zone})` : "";
      const described = [
        current.status && `status ${current.status}`,
        current.code && `response code ${current.code}`,
        current.minMs && `at least ${current.minMs} ms`,
        current.maxMs && `at most ${current.maxMs} ms`,
      ].filter(Boolean);
      const matching = `${described.length ? ` (${described.join(", ")})` : ""}${range}`;
      scanNote.hidden = !stopped;
      scanText.textContent = stopped
        ? `The search read ${plural(body.scan?.scanned ?? 0, "log", "logs")} and stopped at its budget: older logs may match.`
        : "";
      scanMore.hidden = !nextCursor;
      prev.hidden = searching;
      if ("total_items" in pg) {
        summary.textContent = `${plural(pg.total_items, "logged execution", "logged executions")} match${matching}. Logs are kept 30 days.`;
        pageInfo.textContent = `Page ${pg.page} of ${Math.max(1, pg.total_pages)}`;
        prev.disabled = pg.page <= 1;
        next.disabled = pg.page >= pg.total_pages;
      } else {
        // A text search counts nothing (counting means scanning every log): Older follows the cursor.
        summary.textContent = `${plural(body.data.length, "execution", "executions")} on this page contain “${current.q}”${matching}, newest first. Searches cover at most 31 days.`;
        pageInfo.textContent = "";
        next.disabled = nextCursor === null;
      }
    } catch (e) {
      if (mine !== seq) return;
      tbody.replaceChildren();
      scanNote.hidden = true;
      const unplaced = e instanceof ApiError ? showFieldErrors(form, e.errors, FILTER_FIELD_IDS) : [];
      summary.textContent = `Could not load the execution log: ${[errorText(e), ...unplaced].join("; ")}`;
      pageInfo.textContent = "";
    } finally {
      if (mine === seq) table.removeAttribute("aria-busy");
    }
  }
  return { el, show, refresh: () => show(new URLSearchParams(location.hash.split("?")[1] ?? "")) };
}
