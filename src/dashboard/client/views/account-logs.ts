import { h } from "../dom";
import { logsSection } from "../logs-table";
import { mount } from "../ui";
import { loadAllJobs } from "./jobs";

let current: { root: HTMLElement; show: (p: URLSearchParams) => void } | null = null;

/** `#/logs`: every live job's executions, filtered by job, status, date range and tags, with exports. */
export async function accountLogsView(params: URLSearchParams): Promise<void> {
  if (current?.root.isConnected) {
    current.show(params);
    return;
  }
  const jobs = await loadAllJobs().catch(() => []);
  const logs = logsSection({ jobs, base: "#/logs" });
  const root = h("div", null, h("h1", null, "Execution log"), logs.el);
  mount("Execution log", root, logs.refresh);
  current = { root, show: logs.show };
  void logs.show(params);
}
