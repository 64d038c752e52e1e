import type { CronJobRow, JobState } from "../db/schema";

/**
 * The job state model (docs/API-NOTES.md "Job states"):
 *
 * | state       | is_active | runs new slots | pending retries | reached by                                   |
 * |-------------|-----------|----------------|-----------------|----------------------------------------------|
 * | `active`    | true      | yes            | run             | create, `is_active: true`, a new schedule    |
 * | `paused`    | false     | no             | skipped         | `is_active: false` (the user)                |
 * | `completed` | false     | no (none left) | run             | the final outcome of an ended schedule's last slot |
 * | `disabled`  | false     | no             | skipped         | `auto_disable_after` consecutive failed runs (src/alerts) |
 *
 * `is_active` (A1Cron's field) is always `state == "active"`; only this module and the disabling UPDATE in
 * src/alerts/fire.ts write them. `{"is_active": true}` re-enables a disabled job and resets its failure streak.
 */
export function stateColumns(state: JobState): Pick<CronJobRow, "state" | "isActive"> {
  return { state, isActive: state === "active" };
}

/** States in which a claimed run may still start (and call the target): everything but a user's pause. */
export const RUNNABLE_STATES: readonly JobState[] = ["active", "completed"];

/** `is_active: true` on a job whose schedule has ended (docs/API-NOTES.md "Job states"): a 409 at the route. */
export class ScheduleEndedError extends Error {
  constructor() {
    super("The job's schedule has ended: send a new schedule_config (with is_active: true) to run it again");
  }
}

/**
 * The state an update asks for: `is_active: false` pauses; `true` resumes a paused job, a completed one only with
 * a new schedule (else ScheduleEndedError). A new schedule reactivates a completed job, not a paused one. An
 * `is_active` equal to the current value asks nothing.
 */
export function requestedState(current: JobState, isActive: boolean | undefined, scheduleChanged: boolean): JobState {
  // is_active sent with the value it already has (a client echoing the job object) changes nothing.
  const asked = isActive === (current === "active") ? undefined : isActive;
  if (asked === false) return "paused";
  if (current === "completed") {
    if (scheduleChanged) return "active";
    if (asked === true) throw new ScheduleEndedError();
    return current;
  }
  return asked === true ? "active" : current;
}
