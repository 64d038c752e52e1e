import { rulesFor } from "../calendars/cache";
import { exclusionAt } from "../calendars/rules";
import type { Db } from "../db/client";
import type { ScheduleConfig } from "../lib/schedule/schema";
import type { ExclusionReason } from "./catchup";
import type { DueJob } from "./due-jobs";

type Exclude = ((slot: number) => ExclusionReason | null) | undefined;

const excludedCalendars = (job: DueJob): string[] => {
  try {
    return (JSON.parse(job.scheduleConfig) as ScheduleConfig).exclude_calendars ?? [];
  } catch {
    return [];
  }
};

/**
 * For a page of due jobs, each job's exclusion test (undefined: nothing can exclude its slots). The rules of the
 * accounts that need them come from the per-isolate cache or one batch for the page; a page whose jobs exclude no
 * calendar and whose accounts have no window (due-jobs.ts reads that with the page) costs no query.
 */
export async function pageExclusions(
  db: Db,
  page: DueJob[],
  now: number,
  ttlMs?: number,
): Promise<(job: DueJob) => Exclude> {
  const calendarsOf = new Map(page.map((job) => [job.id, excludedCalendars(job)]));
  const needy = page.filter((job) => job.hasWindows || (calendarsOf.get(job.id)?.length ?? 0) > 0);
  if (needy.length === 0) return () => undefined;
  const rules = await rulesFor(
    db,
    needy.map((j) => j.accountId),
    now,
    ttlMs,
  );
  return (job) => {
    const account = rules.get(job.accountId);
    const excludeCalendars = calendarsOf.get(job.id) ?? [];
    if (!account || (excludeCalendars.length === 0 && account.windows.length === 0)) return undefined;
    const subject = { id: job.id, tags: parseTags(job.tags), excludeCalendars };
    return (slot) => exclusionAt(account, subject, slot)?.reason ?? null;
  };
}

function parseTags(tags: string): string[] {
  try {
    return JSON.parse(tags) as string[];
  } catch {
    return [];
  }
}
