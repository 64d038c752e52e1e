/**
 * Pause-until model: ticks before, at and after a job's paused_until, some overlapping (two ticks reading the same
 * job at once), for pauses short and long enough to be recorded in several chunks. No tick before paused_until
 * resumes the job; afterwards it is active exactly once, next_run_at is the first slot at or after paused_until,
 * and the slots in between are ONE skipped/paused span counted once in skipped_paused.
 */
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cronJobs, runReasons, runStates } from "../../src/db/schema";
import { MAX_CLAIM_SLOTS } from "../../src/engine/catchup";
import { resumePausedJobs } from "../../src/engine/resume";
import { createAccount } from "../helpers/accounts";
import { insertJob } from "../helpers/fixtures";
import { accountDb, shardD1 } from "../helpers/shards";

const MIN = 60_000;

type Cmd = { k: "tick"; at: number } | { k: "overlap"; at: number; other: number };

/** Tick times relative to paused_until, in minutes (ticks are whole minutes). */
const offset = fc.integer({ min: -3, max: 3 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  offset.map((at) => ({ k: "tick" as const, at })),
  fc.record({ at: offset, other: offset }).map((r) => ({ k: "overlap" as const, ...r })),
);

const caseArb = fc.record({
  every: fc.constantFrom(1, 2),
  // Minutes paused: none, a few, and past one chunk (MAX_CLAIM_SLOTS slots).
  minutes: fc.oneof(
    fc.integer({ min: 0, max: 30 }),
    fc.integer({ min: MAX_CLAIM_SLOTS - 5, max: 2 * MAX_CLAIM_SLOTS + 10 }),
  ),
  // paused_until off the minute sometimes: the first tick after it resumes the job.
  untilSeconds: fc.constantFrom(0, 0, 30),
  pausedSeconds: fc.constantFrom(0, 17),
  cmds: fc.array(cmdArb, { minLength: 1, maxLength: 8 }),
});

interface SpanRow {
  slot: number;
  state: number;
  reason: number | null;
  last_slot: number | null;
  slot_count: number | null;
}

describe("pause until, model-based", () => {
  it("resumes exactly once at the first tick at or after paused_until; one paused span, counted once", async () => {
    const acct = await createAccount("Resume model");
    const db = await accountDb(acct.accountId);
    const base = Date.UTC(2026, 11, 1);
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const pausedAt = base + c.pausedSeconds * 1000;
        const until = pausedAt + c.minutes * MIN + c.untilSeconds * 1000 + MIN;
        const job = await insertJob(acct.accountId, {
          schedule: `*/${c.every} * * * *`,
          scheduleConfig: JSON.stringify({ cron: `*/${c.every} * * * *`, repeat_every: 1, end_type: "never" }),
          scheduleAnchorAt: base - 86_400_000,
          isActive: false,
          state: "paused",
          nextRunAt: null,
          pausedAt,
          pausedUntil: until,
          pauseReason: "model",
        });
        const step = c.every * MIN;
        const expected: number[] = [];
        for (let s = Math.floor(pausedAt / step) * step + step; s < until; s += step) expected.push(s);
        // Whole-minute ticks: the first at or after paused_until.
        const firstTick = Math.ceil(until / MIN) * MIN;
        const tickAt = (o: number) => firstTick + o * MIN;
        const read = async () => (await db.select().from(cronJobs).where(eq(cronJobs.id, job.id)))[0];
        let ticksAfter = 0;
        for (const cmd of c.cmds) {
          const times = cmd.k === "tick" ? [tickAt(cmd.at)] : [tickAt(cmd.at), tickAt(cmd.other)];
          await Promise.all(times.map((t) => resumePausedJobs(db, t)));
          ticksAfter += times.filter((t) => t >= until).length > 0 ? 1 : 0;
          const row = await read();
          if (times.every((t) => t < until) && ticksAfter === 0) {
            // No tick before paused_until resumes the job.
            expect(row?.state).toBe("paused");
            expect(row?.pausedUntil).toBe(until);
          }
        }
        // Ticks at paused_until until the job has resumed (a long pause takes one per chunk).
        const chunks = Math.max(1, Math.ceil(expected.length / MAX_CLAIM_SLOTS));
        for (let k = 0; k < chunks + 1; k++) await resumePausedJobs(db, firstTick);
        const row = await read();
        expect(row).toMatchObject({
          state: "active",
          isActive: true,
          pausedUntil: null,
          pauseReason: null,
          pausedAt: null,
        });
        expect(row?.nextRunAt).toBe(Math.ceil(until / step) * step);
        const spans = await shardD1()
          .prepare(
            `SELECT slot, state, reason, last_slot, slot_count FROM runs WHERE job = (SELECT num FROM cron_jobs WHERE id = ?)`,
          )
          .bind(job.id)
          .all<SpanRow>();
        const rows = spans.results;
        if (expected.length === 0) {
          expect(rows).toEqual([]);
          expect(row?.skippedPaused).toBe(0);
          return;
        }
        expect(rows).toHaveLength(1);
        const span = rows[0] as SpanRow;
        expect(runStates[span.state]).toBe("skipped");
        expect(runReasons[span.reason ?? -1]).toBe("paused");
        expect(span.slot).toBe(expected[0]);
        expect(span.last_slot).toBe(expected[expected.length - 1]);
        expect(span.slot_count).toBe(expected.length);
        expect(row?.skippedPaused).toBe(expected.length);
        // A tick after the resume changes nothing.
        await resumePausedJobs(db, firstTick + 5 * MIN);
        expect((await read())?.skippedPaused).toBe(expected.length);
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});
