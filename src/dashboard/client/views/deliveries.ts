import { canWrite } from "../access";
import { api } from "../api";
import { cardsTable, h } from "../dom";
import { select } from "../form";
import { plural, timeEl } from "../format";
import type { DeliveriesPagination, Delivery, DeliveryState } from "../types";
import { errorText, flash, mount, navigate } from "../ui";
import { STATUS_TEXT, targetCell } from "./job-alerts";
import { loadAllJobs } from "./jobs";

const PAGE_SIZE = 25;
const KINDS = ["callback", "alert"] as const;
const STATES = Object.keys(STATUS_TEXT) as DeliveryState[];

interface Filters {
  job: string;
  kind: string;
  state: string;
  page: number;
}

let current: { root: HTMLElement; show: (p: URLSearchParams) => void } | null = null;

/**
 * `#/deliveries`: every callback and alert delivery of the account, newest first, filtered by job, kind and state
 * (kept in the hash, so a filtered list is a link). A full key sees Redeliver on each row.
 */
export async function deliveriesView(params: URLSearchParams): Promise<void> {
  if (current?.root.isConnected) {
    current.show(params);
    return;
  }
  const [jobs, writable] = await Promise.all([loadAllJobs().catch(() => []), canWrite()]);
  const names = new Map(jobs.map((j) => [j.id, j.name]));
  const jobSel = select("deliveries-job", [["", "All jobs"], ...jobs.map((j): [string, string] => [j.id, j.name])], "");
  const kindSel = select(
    "deliveries-kind",
    [["", "Callbacks and alerts"], ...KINDS.map((k): [string, string] => [k, k])],
    "",
  );
  const stateSel = select("deliveries-state", [["", "All states"], ...STATES.map((s): [string, string] => [s, s])], "");
  const f = (id: string, text: string, input: HTMLElement) => h("div", null, h("label", { for: id }, text), input);
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter deliveries", id: "deliveries-filters" },
    f("deliveries-job", "Job", jobSel),
    f("deliveries-kind", "Kind", kindSel),
    f("deliveries-state", "State", stateSel),
    h("div", null, h("button", { type: "submit", class: "primary" }, "Apply")),
    h("div", null, h("button", { type: "button", onclick: () => go({}) }, "Reset")),
  );
  const summary = h("p", { class: "muted", id: "deliveries-list-summary", "aria-live": "polite" }, "Loading…");
  const tbody = h("tbody");
  const table = cardsTable(
    { id: "account-deliveries-table", class: "cards" },
    "Callback and alert deliveries, newest first",
    ["Fired", "Job", "Kind", "Event", "Target", "State", "Attempts", "HTTP", "Last error", "Delivered", writable && ""],
    tbody,
  );
  const prev = h("button", { type: "button", id: "deliveries-list-prev" }, "← Newer");
  const next = h("button", { type: "button", id: "deliveries-list-next" }, "Older →");
  const pageInfo = h("span", { class: "muted", id: "deliveries-list-page" });
  let filters: Filters = { job: "", kind: "", state: "", page: 1 };
  let seq = 0;

  function go(p: Partial<Filters>) {
    const qs = new URLSearchParams();
    for (const key of ["job", "kind", "state", "page"] as const) {
      const v = p[key];
      if (v && String(v) !== "1") qs.set(key, String(v));
    }
    const s = qs.toString();
    navigate(`#/deliveries${s ? `?${s}` : ""}`);
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    go({ job: jobSel.value, kind: kindSel.value, state: stateSel.value });
  });
  prev.addEventListener("click", () => go({ ...filters, page: filters.page - 1 }));
  next.addEventListener("click", () => go({ ...filters, page: filters.page + 1 }));

  function stateBadge(state: DeliveryState) {
    return h("span", { class: `badge ${state}`, title: STATUS_TEXT[state] ?? state }, state);
  }

  function redeliverButton(d: Delivery, tr: HTMLTableRowElement) {
    const button = h("button", { type: "button", class: "small redeliver" }, "Redeliver");
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const { data } = await api<{ data: Delivery }>(`/deliveries/${encodeURIComponent(d.id)}/redeliver`, {
          method: "POST",
        });
        tr.replaceWith(row(data));
        flash(`Redelivery of ${d.kind} ${d.event} queued.`);
      } catch (e) {
        flash(`Redeliver failed: ${errorText(e)}`);
        button.disabled = false;
      }
    });
    return button;
  }

  function row(d: Delivery): HTMLTableRowElement {
    const cell = (label: string, ...c: Array<Node | string>) => h("td", { "data-label": label }, c);
    const muted = (text: string) => h("span", { class: "muted" }, text);
    const tr = h("tr", { "data-delivery-id": d.id, "data-state": d.state, "data-kind": d.kind });
    const job = d.cron_job_id;
    tr.append(
      cell("Fired", timeEl(d.fired_at)),
      cell("Job", job ? h("a", { href: `#/jobs/${encodeURIComponent(job)}` }, names.get(job) ?? job) : muted(d.source)),
      cell("Kind", d.channel ? `${d.kind} · ${d.channel}` : d.kind),
      cell("Event", d.event),
      cell("Target", h("span", null, targetCell(d))),
      cell("State", stateBadge(d.state)),
      cell("Attempts", String(d.attempts)),
      cell("HTTP", d.last_status_code === null ? "—" : String(d.last_status_code)),
      cell("Last error", d.last_error ? h("span", { class: "error-msg" }, d.last_error) : muted("—")),
      cell("Delivered", timeEl(d.delivered_at)),
    );
    if (writable) tr.append(cell("", redeliverButton(d, tr)));
    return tr;
  }

  async function show(params: URLSearchParams) {
    const pick = (v: string | null, allowed: readonly string[]) => (v && allowed.includes(v) ? v : "");
    filters = {
      job: params.get("job") ?? "",
      kind: pick(params.get("kind"), KINDS),
      state: pick(params.get("state"), STATES),
      page: Math.max(1, Number.parseInt(params.get("page") ?? "1", 10) || 1),
    };
    jobSel.value = filters.job;
    kindSel.value = filters.kind;
    stateSel.value = filters.state;
    const mine = ++seq;
    table.setAttribute("aria-busy", "true");
    prev.disabled = true;
    next.disabled = true;
    try {
      const body = await api<{ data: Delivery[]; pagination: DeliveriesPagination }>("/deliveries", {
        params: {
          page: filters.page,
          limit: PAGE_SIZE,
          cron_job_id: filters.job,
          kind: filters.kind,
          state: filters.state,
        },
      });
      if (mine !== seq) return;
      tbody.replaceChildren(...body.data.map(row));
      if (!body.data.length) {
        tbody.append(h("tr", null, h("td", { colspan: "11", class: "empty" }, "No deliveries match these filters.")));
      }
      const pg = body.pagination;
      summary.textContent = `${plural(pg.total_items, "delivery", "deliveries")} match. Deliveries are kept as long as logs.`;
      pageInfo.textContent = `Page ${pg.page} of ${Math.max(1, pg.total_pages)}`;
      prev.disabled = pg.page <= 1;
      next.disabled = pg.page >= pg.total_pages;
    } catch (e) {
      if (mine !== seq) return;
      tbody.replaceChildren();
      summary.textContent = `Could not load the deliveries: ${errorText(e)}`;
      pageInfo.textContent = "";
    } finally {
      if (mine === seq) table.removeAttribute("aria-busy");
    }
  }

  const root = h(
    "div",
    null,
    h("h1", null, "Deliveries"),
    h(
      "section",
      { class: "panel", "aria-labelledby": "deliveries-list-title", id: "deliveries" },
      h("h2", { id: "deliveries-list-title" }, "Callbacks and alerts"),
      h(
        "p",
        { class: "muted" },
        "One row per success/failure callback and per alert and channel, with its latest attempt. Redeliver sends the same payload again through the queue.",
      ),
      form,
      summary,
      table,
      h("nav", { class: "pager", "aria-label": "Delivery pages" }, prev, pageInfo, next),
    ),
  );
  mount("Deliveries", root, () => show(new URLSearchParams(location.hash.split("?")[1] ?? "")));
  current = { root, show: (p) => void show(p) };
  await show(params);
}
