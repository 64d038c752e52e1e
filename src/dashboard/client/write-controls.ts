import type { Job } from "./types";

/**
 * Which write controls a page offers, without the DOM (test/dashboard/write-controls.test.ts). `writable` comes from
 * canWrite() (access.ts): a read_only key is refused every write (403, src/http/scope.ts), so it is offered none.
 */

/** A job page button or link that changes the job. */
export type JobControl = "run" | "pause" | "resume" | "edit" | "clone" | "delete" | "reenable";

/** The job page's write controls: pause/resume for the user's own states, Re-enable only on a disabled job. */
export function jobControls(job: Pick<Job, "state" | "is_active">, writable: boolean): JobControl[] {
  if (!writable) return [];
  const controls: JobControl[] = ["run"];
  if (job.state === "active" || job.state === "paused") controls.push(job.is_active ? "pause" : "resume");
  controls.push("edit", "clone", "delete");
  if (job.state === "disabled") controls.push("reenable");
  return controls;
}

/** The jobs list: the New job link and the empty table's hint. */
export function jobsListControls(writable: boolean): { newJob: boolean; emptyText: string } {
  return {
    newJob: writable,
    emptyText: writable ? "No cron jobs yet: create one with “New job”." : "No cron jobs yet.",
  };
}

export type TestAlertOffer =
  | { show: false }
  | { show: true; disabled: false }
  | { show: true; disabled: true; title: string };

/** "Send test alert": hidden from a read-only key; disabled, saying why, on a job with no channel (the API's 409). */
export function testAlertOffer(job: Pick<Job, "alerts">, writable: boolean): TestAlertOffer {
  if (!writable) return { show: false };
  if (!job.alerts?.channels?.length) {
    return { show: true, disabled: true, title: "This job has no alert channels: add one under Alerts in Edit first." };
  }
  return { show: true, disabled: false };
}
