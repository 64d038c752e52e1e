import { canWrite } from "../access";
import { api } from "../api";
import { cursorTable } from "../cursor-pager";
import { cardsTable, h } from "../dom";
import { plural, timeEl } from "../format";
import { reasonLabel, replayButton } from "../replay";
import { zoneName } from "../time";
import { RUN_STATES, type RunEntry } from "../types";

const PAGE_SIZE = 20;

const STATE_TEXT: Record<RunEntry["state"], string> = {
  queued: "waiting to start",
  running: "calling the endpoint",
  awaiting: "waiting for a retry",
  done: "ran: its log has the outcome",
  skipped: "did not run: see the reason",
  dead: "closed without an outcome: see the reason; Replay runs it again",
};

/**
 * The job page's "Schedule history" panel (GET /runs/{id}): every attempt of every slot newest first, with missed
 * slots as one span row, skipped and dead runs with their reason, and Replay on a run that has a log.
 */
export function runsSection(jobId: string, onReplayed: () => void): { el: HTMLElement; refresh: () => void } {
  const enc = encodeURIComponent(jobId);
  let writable = false;
  const stateSel = h(
    "select",
    { id: "runs-state" },
    h("option", { value: "" }, "All states"),
    RUN_STATES.map((s) => h("option", { value: s }, s)),
  );
  const summary = h("p", { class: "muted", id: "runs-summary", "aria-live": "polite" }, "Loading…");
  const tbody = h("tbody");
  const table = cardsTable(
    { id: "runs-table", class: "cards" },
    "The job's runs and skipped slots, newest first",
    [`Slot (${zoneName()})`, "Attempt", "State", "Reason", "Origin", "Execution", ""],
    tbody,
  );
  const pages = cursorTable({
    // Named apart from the execution log's pager on the same page.
    pager: { id: "runs", label: "Schedule history pages", newer: "← Newer runs", older: "Older runs →" },
    table,
    tbody,
    summary,
    getPage: async (cursor) => {
      const [body, mayWrite] = await Promise.all([
        api<{ data: RunEntry[]; pagination: { next_cursor: string | null } }>(`/runs/${enc}`, {
          params: { limit: PAGE_SIZE, cursor, state: stateSel.value },
        }),
        canWrite(),
      ]);
      return { ...body, mayWrite };
    },
    received: (page) => {
      writable = page.mayWrite;
    },
    row,
    empty: { columns: 7, text: "No runs recorded yet." },
    summarize: () => "Newest first; kept as long as logs.",
    what: "schedule history",
  });
  const el = h(
    "section",
    { class: "panel", "aria-labelledby": "runs-title", id: "runs" },
    h(
      "div",
      { class: "head" },
      h("h2", { id: "runs-title" }, "Schedule history"),
      h("div", { class: "filters" }, h("div", null, h("label", { for: "runs-state" }, "State"), stateSel)),
    ),
    h(
      "p",
      { class: "muted" },
      "Every slot appears once: as a run, or inside a span of missed slots. Skipped and dead runs say why.",
    ),
    summary,
    table,
    pages.nav,
  );

  function row(r: RunEntry) {
    const cell = (label: string, ...c: Array<Node | string>) => h("td", { "data-label": label }, c);
    const slot =
      r.kind === "span"
        ? h(
            "span",
            { class: "span-slots" },
            timeEl(r.first_slot),
            " – ",
            timeEl(r.last_slot),
            h("span", { class: "sub" }, plural(r.count, "slot", "slots")),
          )
        : timeEl(r.slot);
    const execution = r.kind === "run" ? r.execution_id : null;
    return h(
      "tr",
      {
        "data-kind": r.kind,
        "data-state": r.state,
        "data-reason": r.reason ?? "",
        "data-execution-id": execution ?? "",
      },
      cell("Slot", slot),
      cell("Attempt", r.kind === "span" ? "—" : String(r.attempt)),
      cell("State", h("span", { class: `badge ${r.state}`, title: STATE_TEXT[r.state] }, r.state)),
      cell("Reason", reasonLabel(r.reason)),
      cell("Origin", r.origin),
      cell("Execution", execution ? h("code", null, execution) : h("span", { class: "muted" }, "—")),
      // Only a closed run can run again: a running or awaiting one still has its outcome to come.
      cell(
        "",
        writable && execution && (r.state === "done" || r.state === "dead") ? replayButton(execution, onReplayed) : "",
      ),
    );
  }

  stateSel.addEventListener("change", () => {
    pages.reset();
    void pages.load();
  });
  return { el, refresh: () => void pages.load() };
}
