import { canWrite } from "../access";
import { api } from "../api";
import { cursorTable } from "../cursor-pager";
import { cardsTable, h } from "../dom";
import { plural, timeEl } from "../format";
import { reasonLabel, replayButton, replayMany } from "../replay";
import { zoneName } from "../time";
import type { DeadLetter } from "../types";
import { errorText, mount } from "../ui";
import { loadAllJobs } from "./jobs";

const PAGE_SIZE = 25;
/** POST /replay takes at most 100 ids (src/runs/replay.ts MAX_BULK_REPLAYS); a page holds fewer. */
const MAX_BULK = 100;

/**
 * `#/dead-letters`: the account's runs closed without an outcome, newest first, a cursor page at a time. A full
 * key sees Replay on each row and "Replay selected" for the ticked ones (one bulk request).
 */
export async function deadLettersView(): Promise<void> {
  const [jobs, writable] = await Promise.all([loadAllJobs().catch(() => []), canWrite()]);
  const names = new Map(jobs.map((j) => [j.id, j.name]));
  const summary = h("p", { class: "muted", id: "dead-letters-summary", "aria-live": "polite" }, "Loading…");
  const tbody = h("tbody");
  const selectAll = h("input", { type: "checkbox", id: "dead-select-all", "aria-label": "Select every row" });
  const table = cardsTable(
    { id: "dead-letters-table", class: "cards" },
    "Dead letters, newest first",
    [
      writable && selectAll,
      `Closed at (${zoneName()})`,
      "Job",
      "Reason",
      "Slot",
      "Attempt",
      "Error",
      "Execution",
      writable && "",
    ],
    tbody,
  );
  const replaySelected = h(
    "button",
    { type: "button", class: "primary", id: "dead-replay-selected" },
    "Replay selected",
  );

  const boxes = () => [...tbody.querySelectorAll<HTMLInputElement>("input[type=checkbox]")];
  const syncSelected = () => {
    const picked = boxes().filter((b) => b.checked).length;
    replaySelected.disabled = picked === 0;
    replaySelected.textContent = picked ? `Replay selected (${picked})` : "Replay selected";
  };
  selectAll.addEventListener("change", () => {
    for (const b of boxes()) b.checked = selectAll.checked;
    syncSelected();
  });
  replaySelected.addEventListener("click", async () => {
    const ids = boxes()
      .filter((b) => b.checked)
      .map((b) => b.value)
      .slice(0, MAX_BULK);
    if (!ids.length) return;
    replaySelected.disabled = true;
    try {
      const results = await replayMany(ids);
      for (const r of results) {
        const cell = tbody.querySelector(`tr[data-execution-id="${CSS.escape(r.execution_id)}"] .replay-result`);
        cell?.replaceChildren(
          r.status === "queued"
            ? h("span", null, " Queued: ", h("code", null, r.replay_execution_id ?? ""))
            : ` ${r.status}: ${r.detail ?? ""}`,
        );
      }
      for (const b of boxes()) b.checked = false;
      selectAll.checked = false;
    } catch (e) {
      summary.textContent = `Could not replay: ${errorText(e)}`;
    } finally {
      syncSelected();
    }
  });

  function row(d: DeadLetter) {
    const box = h("input", { type: "checkbox", value: d.execution_id, "aria-label": `Select ${d.execution_id}` });
    box.addEventListener("change", syncSelected);
    const cell = (label: string, ...c: Array<Node | string>) => h("td", { "data-label": label }, c);
    return h(
      "tr",
      { "data-execution-id": d.execution_id, "data-reason": d.reason ?? "" },
      writable ? cell("", box) : null,
      cell("Closed at", timeEl(d.executed_at)),
      cell(
        "Job",
        h("a", { href: `#/jobs/${encodeURIComponent(d.cron_job_id)}` }, names.get(d.cron_job_id) ?? d.cron_job_id),
      ),
      cell("Reason", h("span", { class: "badge dead" }, "dead"), " ", reasonLabel(d.reason)),
      cell("Slot", d.scheduled_at ? timeEl(d.scheduled_at) : h("span", { class: "muted" }, d.trigger)),
      cell("Attempt", String(d.attempt)),
      cell(
        "Error",
        d.error_message ? h("span", { class: "error-msg" }, d.error_message) : h("span", { class: "muted" }, "—"),
      ),
      cell("Execution", h("code", null, d.execution_id)),
      writable ? cell("", replayButton(d.execution_id)) : null,
    );
  }

  const pages = cursorTable({
    pager: { id: "dead", label: "Dead letter pages" },
    table,
    tbody,
    summary,
    getPage: (cursor) =>
      api<{ data: DeadLetter[]; pagination: { next_cursor: string | null } }>("/dead-letters", {
        params: { limit: PAGE_SIZE, cursor },
      }),
    row,
    empty: { columns: 9, text: "No dead letters: every run has an outcome." },
    summarize: (items) =>
      items.length
        ? `${plural(items.length, "dead letter", "dead letters")} on this page, newest first. Logs and dead letters are kept 30 days.`
        : "",
    shown: () => {
      selectAll.checked = false;
      syncSelected();
    },
    what: "dead letters",
  });
  const show = pages.load;

  const root = h(
    "div",
    null,
    h("h1", null, "Dead letters"),
    h(
      "section",
      { class: "panel", "aria-labelledby": "dead-title", id: "dead-letters" },
      h(
        "div",
        { class: "head" },
        h(
          "div",
          null,
          h("h2", { id: "dead-title" }, "Runs closed without an outcome"),
          h(
            "p",
            { class: "muted" },
            "Each has a log saying so. Replay runs the job again now, with a new execution id; the dead letter stays listed.",
          ),
        ),
        writable ? h("div", { class: "actions" }, replaySelected) : null,
      ),
      summary,
      table,
      pages.nav,
    ),
  );
  mount("Dead letters", root, () => void show());
  await show();
}
