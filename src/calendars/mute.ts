import type { Db } from "../db/client";
import type { CronJobRow, MonitorRow } from "../db/schema";
import { rulesOf } from "./cache";
import { windowAt } from "./rules";

const tagsOf = (tags: string): string[] => {
  try {
    return JSON.parse(tags) as string[];
  } catch {
    return [];
  }
};

/**
 * Whether a `mute` window covers the job at `t` (its slot, or a manual run's time). Asked only when an alert would
 * be sent, so a recording without alerts reads nothing; the rules come from the per-isolate cache.
 */
export async function mutedAt(db: Db, job: Pick<CronJobRow, "id" | "accountId" | "tags">, t: number): Promise<boolean> {
  const rules = await rulesOf(db, job.accountId, Date.now());
  return windowAt(rules, { kind: "job", id: job.id, tags: tagsOf(job.tags) }, t) !== null;
}

/**
 * Whether a monitor's alert at `t` is silenced: a `mute` window covering it is open at `t`, or (for a `down`
 * deadline) a `skip` window is.
 */
export async function monitorSilencedAt(
  db: Db,
  m: Pick<MonitorRow, "id" | "accountId" | "tags">,
  t: number,
  deadline: boolean,
): Promise<boolean> {
  const rules = await rulesOf(db, m.accountId, Date.now());
  const actions = deadline ? (["mute", "skip"] as const) : (["mute"] as const);
  return windowAt(rules, { kind: "monitor", id: m.id, tags: tagsOf(m.tags) }, t, actions) !== null;
}
