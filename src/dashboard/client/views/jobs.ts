import { canWrite } from "../access";
import { api, runLimited } from "../api";
import { statusStrip } from "../charts";
import { cardsTable, h } from "../dom";
import {
  DAY,
  describeSchedule,
  legend,
  plural,
  relative,
  scheduleStrings,
  stateBadge,
  statusBadge,
  timeEl,
} from "../format";
import { fetchLogsSince } from "../stats";
import { fmt, zoneName } from "../time";
import type { ExecutionLog, Job, PagePagination } from "../types";
import { mount, navigate, notice } from "../ui";
import { jobsListControls } from "../write-controls";

/** Every job of the account (pages of 100, at most 50 pages), optionally filtered by name and tags. */
export async function loadAllJobs(filter: { search?: string; tags?: string } = {}): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let page = 1; page <= 50; page++) {
    const body = await api<{ data: Job[]; pagination: PagePagination }>("/list", {
      params: { page, limit: 100, search: filter.search, tags: filter.tags },
    });
    jobs.push(...body.data);
    if (page >= body.pagination.total_pages) break;
  }
  return jobs;
}

/** Strip data (up to 3 log pages per job) is kept for STRIP_TTL_MS, so the 30 s auto-refresh costs one /list. */
const STRIP_TTL_MS = 5 * 60_000;
const stripCache = new Map<string, { logs: ExecutionLog[]; total: number; since: number; at: number }>();

async function stripData(jobId: string) {
  const cached = stripCache.get(jobId);
  if (cached && Date.now() - cached.at < STRIP_TTL_MS) return cached;
  const at = Date.now();
  const since = at - DAY;
  const { rows: logs, total } = await fetchLogsSince(jobId, since, 3);
  const entry = { logs, total, since, at };
  stripCache.set(jobId, entry);
  return entry;
}

export function jobsView(params: URLSearchParams): void {
  const search = params.get("search") ?? "";
  const tags = params.get("tags") ?? "";
  const count = h("p", { class: "muted", id: "jobs-count" }, "Loading…");
  const tbody = h("tbody");
  const searchInput = h("input", { type: "search", id: "jobs-search", value: search, placeholder: "Name contains" });
  const tagsInput = h("input", { type: "text", id: "jobs-tags", value: tags, placeholder: "reports,daily", size: 14 });
  const filters = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter jobs", id: "jobs-filters" },
    h("div", null, h("label", { for: "jobs-search" }, "Name"), searchInput),
    h("div", null, h("label", { for: "jobs-tags" }, "Tags (any of)"), tagsInput),
    h("div", null, h("button", { type: "submit", class: "primary" }, "Filter")),
  );
  filters.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const qs = new URLSearchParams();
    if (searchInput.value.trim()) qs.set("search", searchInput.value.trim());
    if (tagsInput.value.trim()) qs.set("tags", tagsInput.value.trim());
    const s = qs.toString();
    navigate(`#/${s ? `?${s}` : ""}`);
  });
  const zone = zoneName();
  // Filled once canWrite() answers: a read-only key is offered no New job (write-controls.ts).
  const newJobSlot = h("div", { class: "actions" });
  const root = h(
    "div",
    null,
    h("div", { class: "head" }, h("div", null, h("h1", null, "Cron jobs"), count), newJobSlot),
    h(
      "section",
      { class: "panel", "aria-labelledby": "jobs-title" },
      h("div", { class: "head" }, h("h2", { id: "jobs-title" }, "Jobs"), legend()),
      filters,
      cardsTable(
        { id: "jobs-table", class: "cards" },
        "Cron jobs with their executions over the last 24 hours",
        ["Name", "Schedule", `Next run (${zone})`, "Last status", "State", "Last 24 hours"],
        tbody,
      ),
    ),
  );
  const load = () =>
    Promise.all([loadAllJobs({ search, tags }), canWrite()])
      .then(([jobs, writable]) => {
        const controls = jobsListControls(writable);
        newJobSlot.replaceChildren(
          ...(controls.newJob
            ? [h("a", { class: "button primary", href: "#/jobs/new", id: "new-job" }, "New job")]
            : []),
        );
        count.textContent = `${plural(jobs.length, "job", "jobs")}${search || tags ? " match the filter" : ""}`;
        const rows: HTMLElement[] = [];
        const strips: Array<() => Promise<void>> = [];
        const now = Date.now();
        for (const job of jobs) {
          const stripCell = h(
            "td",
            { class: "strip-cell", "data-label": "Last 24 hours" },
            h("span", { class: "loading" }, "Loading…"),
          );
          rows.push(
            h(
              "tr",
              { "data-job-id": job.id },
              h(
                "td",
                { "data-label": "Name" },
                h("a", { class: "job-name", href: `#/jobs/${encodeURIComponent(job.id)}` }, job.name),
                job.tags.length ? h("span", { class: "sub" }, job.tags.join(", ")) : null,
              ),
              h(
                "td",
                { "data-label": "Schedule" },
                describeSchedule(job),
                h(
                  "span",
                  { class: "sub" },
                  scheduleStrings(job).map((c, i) => [i ? ", " : "", h("code", null, c)]),
                  ` · ${job.timezone}`,
                ),
              ),
              h(
                "td",
                { "data-label": "Next run" },
                job.is_active && job.next_run_at
                  ? [
                      timeEl(job.next_run_at, fmt.short),
                      h("span", { class: "sub" }, relative(Date.parse(job.next_run_at) - now)),
                    ]
                  : h("span", { class: "muted" }, "—"),
              ),
              h(
                "td",
                { "data-label": "Last status" },
                statusBadge(job.last_run_status),
                job.last_run_at ? h("span", { class: "sub" }, relative(Date.parse(job.last_run_at) - now)) : null,
              ),
              h(
                "td",
                { "data-label": "State" },
                stateBadge(job.state, job.disabled_reason ?? undefined),
                job.state === "disabled" && job.disabled_at
                  ? h("span", { class: "sub" }, `since ${relative(Date.parse(job.disabled_at) - now)}`)
                  : null,
                job.state === "paused" && job.paused_until
                  ? h("span", { class: "sub paused-until" }, "until ", timeEl(job.paused_until, fmt.short))
                  : null,
                job.state === "paused" && job.pause_reason
                  ? h("span", { class: "sub pause-reason" }, job.pause_reason)
                  : null,
              ),
              stripCell,
            ),
          );
          strips.push(async () => {
            try {
              const { logs, total, since, at } = await stripData(job.id);
              stripCell.replaceChildren(statusStrip(logs, total, since, at));
            } catch (e) {
              stripCell.replaceChildren(
                h("span", { class: "muted" }, `Unavailable: ${e instanceof Error ? e.message : e}`),
              );
            }
          });
        }
        if (!jobs.length) {
          rows.push(
            h(
              "tr",
              null,
              h(
                "td",
                { colspan: "6", class: "empty" },
                search || tags ? "No job matches the filter." : controls.emptyText,
              ),
            ),
          );
        }
        tbody.replaceChildren(...rows);
        return runLimited(strips, 6);
      })
      .catch((e) => {
        count.textContent = "";
        notice(`Could not load the jobs: ${e instanceof Error ? e.message : e}`);
      });
  mount("Cron jobs", root, load);
  void load();
}
