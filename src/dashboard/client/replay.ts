import { api } from "./api";
import { type Child, h } from "./dom";
import { num, statusBadge } from "./format";
import type { BulkReplayItem, ReplayAnswer } from "./types";
import { errorText, flash } from "./ui";

/** The reasons a run is dead or skipped (docs/API-NOTES.md), in words. */
export const REASON_TEXT: Record<string, string> = {
  undelivered: "not delivered: the queue gave up before the endpoint was called",
  outcome_unknown: "outcome unknown: a delivery took the run and recorded nothing (the endpoint may have been called)",
  overlap: "the previous run was unfinished (overlap policy skip)",
  paused: "the job was paused",
  deleted: "the job was deleted",
  missed: "missed: no tick ran in time (an outage), or later than the job's max lateness",
  calendar: "outside the job's calendar",
  maintenance: "maintenance",
};

/** A reason as a short label with its explanation as the title. */
export function reasonLabel(reason: string | null | undefined): HTMLElement {
  if (!reason) return h("span", { class: "muted" }, "—");
  return h("span", { class: "reason", "data-reason": reason, title: REASON_TEXT[reason] ?? reason }, reason);
}

/** The replay's answer: its status (or "running") and the new execution id. */
export function replayOutcome(r: ReplayAnswer): Child {
  if (r.status === "pending") return ["still running · ", h("code", null, r.execution_id)];
  const http = "response_code" in r && r.response_code !== null ? ` ${r.response_code}` : "";
  const ms = "response_time_ms" in r && r.response_time_ms !== null ? ` in ${num(r.response_time_ms)} ms` : "";
  return [statusBadge(r.status), `${http}${ms} · `, h("code", null, r.execution_id)];
}

/**
 * A Replay button for one execution: POST /replay/{id} runs its job again now (a new execution id, trigger
 * replay); the outcome is shown beside it.
 */
export function replayButton(executionId: string, onReplayed: () => void = () => {}): HTMLElement {
  const result = h("span", { class: "replay-result", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "small replay", "data-execution-id": executionId }, "Replay");
  button.addEventListener("click", async () => {
    button.disabled = true;
    result.textContent = " Replaying…";
    try {
      const { data } = await api<{ data: ReplayAnswer }>(`/replay/${encodeURIComponent(executionId)}`, {
        method: "POST",
      });
      result.replaceChildren(h("span", null, " Replayed: ", replayOutcome(data)));
      flash(`Replayed ${executionId} as ${data.execution_id}.`);
      onReplayed();
    } catch (e) {
      result.textContent = "";
      flash(`Replay failed: ${errorText(e)}`);
    } finally {
      button.disabled = false;
    }
  });
  return h("span", { class: "replay-cell" }, button, result);
}

/** POST /replay with up to 100 ids: a flash says how many were queued and why any was not. */
export async function replayMany(ids: string[]): Promise<BulkReplayItem[]> {
  const { data } = await api<{ data: BulkReplayItem[] }>("/replay", {
    method: "POST",
    body: { execution_ids: ids },
  });
  const queued = data.filter((r) => r.status === "queued").length;
  const refused = data.filter((r) => r.status !== "queued").map((r) => `${r.execution_id}: ${r.detail ?? r.status}`);
  flash(`Queued ${queued} of ${data.length} replays.${refused.length ? ` Not queued: ${refused.join("; ")}` : ""}`);
  return data;
}
