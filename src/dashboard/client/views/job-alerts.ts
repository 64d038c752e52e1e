import { api } from "../api";
import { cardsTable, h } from "../dom";
import { plural, timeEl } from "../format";
import { hasToken, secretBadge, urlHost } from "../secrets";
import { zoneName } from "../time";
import type { AlertDelivery, PagePagination } from "../types";
import { errorText } from "../ui";
import type { TestAlertOffer } from "../write-controls";

const PAGE_SIZE = 20;

export const STATUS_TEXT: Record<AlertDelivery["status"], string> = {
  pending: "queued or being retried",
  delivered: "delivered",
  failed: "failed: retries exhausted",
  unconfirmed: "not sent: the recipient has not confirmed the address",
  refused: "not sent: the target is not allowed",
  recorded: "recorded, not sent: the server runs with CALLBACKS=record",
};

/** A delivery's target: an e-mail as text; a redacted bearer URL shown as its host and a "secret · set" badge. */
export function targetCell(d: Pick<AlertDelivery, "target"> & { channel: AlertDelivery["channel"] | null }) {
  if (d.channel === "email" || !hasToken(d.target)) return h("span", { class: "mono" }, d.target);
  return [urlHost(d.target) || "URL", " ", secretBadge()];
}

/** The job page's "Alert deliveries" panel: GET /alerts/{cron_job_id}, newest first, a page at a time. */
export function alertDeliveriesSection(jobId: string): {
  el: HTMLElement;
  refresh: () => void;
  offer: (o: TestAlertOffer) => void;
} {
  const enc = encodeURIComponent(jobId);
  let page = 1;
  const summary = h("p", { class: "muted", id: "deliveries-summary" }, "Loading…");
  const tbody = h("tbody");
  const prev = h("button", { type: "button", id: "deliveries-prev" }, "← Newer");
  const next = h("button", { type: "button", id: "deliveries-next" }, "Older →");
  const pageLabel = h("span", { id: "deliveries-page" });
  const pager = h("div", { class: "pager", hidden: true }, prev, pageLabel, next);
  const table = cardsTable(
    { id: "deliveries-table", class: "cards", hidden: true },
    "Alerts this job fired, one row per channel",
    [`Fired (${zoneName()})`, "Event", "Channel", "Target", "Status", "Attempts", "Last error", "Delivered"],
    tbody,
  );
  // POST /alerts/{id}/test: a `test` alert to every channel, listed below like any alert.
  // Hidden until the job page knows the key and the job's channels (offer below).
  const testButton = h("button", { type: "button", id: "send-test-alert", hidden: true }, "Send test alert");
  const testStatus = h("span", { class: "muted", id: "test-alert-status", role: "status" });
  let offered: TestAlertOffer = { show: false };
  testButton.addEventListener("click", async () => {
    testButton.disabled = true;
    testStatus.textContent = "Sending…";
    try {
      const res = await api<{ data: { delivery_ids: string[] } }>(`/alerts/${enc}/test`, { method: "POST" });
      testStatus.textContent = `Test alert queued to ${plural(res.data.delivery_ids.length, "channel", "channels")}.`;
      page = 1;
      await load();
    } catch (e) {
      testStatus.textContent = `Could not send a test alert: ${errorText(e)}`;
    } finally {
      testButton.disabled = offered.show && offered.disabled;
    }
  });
  const el = h(
    "section",
    { class: "panel", "aria-labelledby": "deliveries-title", id: "alert-deliveries" },
    h("h2", { id: "deliveries-title" }, "Alert deliveries"),
    h("p", null, testButton, " ", testStatus),
    summary,
    table,
    pager,
  );

  async function load() {
    try {
      const body = await api<{ data: AlertDelivery[]; pagination: PagePagination }>(`/alerts/${enc}`, {
        params: { page, limit: PAGE_SIZE },
      });
      const { total_items: total, total_pages: pages } = body.pagination;
      summary.textContent = total
        ? `${plural(total, "alert", "alerts")} fired (one per event and channel), newest first.`
        : "No alert fired yet. Alerts follow the job's alert policy.";
      table.hidden = total === 0;
      pager.hidden = pages <= 1;
      pageLabel.textContent = `Page ${page} of ${Math.max(1, pages)}`;
      prev.disabled = page <= 1;
      next.disabled = page >= pages;
      tbody.replaceChildren(
        ...body.data.map((d) =>
          h(
            "tr",
            { "data-delivery-id": d.id, "data-status": d.status },
            h("td", { "data-label": "Fired" }, timeEl(d.fired_at)),
            h("td", { "data-label": "Event" }, d.event),
            h("td", { "data-label": "Channel" }, d.channel),
            h("td", { "data-label": "Target" }, targetCell(d)),
            h(
              "td",
              { "data-label": "Status" },
              h("span", { class: `badge ${d.status}`, title: STATUS_TEXT[d.status] }, d.status),
            ),
            h("td", { "data-label": "Attempts", class: "num" }, String(d.attempts)),
            h(
              "td",
              { "data-label": "Last error" },
              d.last_error ? h("span", { class: "error-msg" }, d.last_error) : h("span", { class: "muted" }, "—"),
            ),
            h("td", { "data-label": "Delivered" }, timeEl(d.delivered_at)),
          ),
        ),
      );
    } catch (e) {
      summary.textContent = `Could not load the alert deliveries: ${errorText(e)}`;
      table.hidden = true;
      pager.hidden = true;
    }
  }
  prev.addEventListener("click", () => {
    page = Math.max(1, page - 1);
    void load();
  });
  next.addEventListener("click", () => {
    page++;
    void load();
  });
  const offer = (o: TestAlertOffer) => {
    offered = o;
    testButton.hidden = !o.show;
    testButton.disabled = o.show && o.disabled;
    if (o.show && o.disabled) testButton.title = o.title;
    else testButton.removeAttribute("title");
  };
  return { el, refresh: () => void load(), offer };
}
