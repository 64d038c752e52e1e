/**
 * Pieces the engine's model tests (test/engine/*.model.test.ts) share: a seeded outcome per execution, the
 * fake queue's pick of a ready message, and the property that replays each command sequence on its own day.
 */
import fc from "fast-check";
import type { ExecutionResult } from "../../src/lib/execution";

const DAY_MS = 86_400_000;

/** FNV-1a of text, salted with the property's seed: the same execution gets the same outcome in a replay. */
export function hash(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193) >>> 0;
  return h;
}

/** The target's answer to an execution: success for 3 hashes in `outOf`, else a 500. */
export function seededResult(executionId: string, seed: number, outOf: number): ExecutionResult {
  const ok = hash(executionId, seed) % outOf < 3;
  return {
    status: ok ? "success" : "failure",
    responseCode: ok ? 200 : 500,
    responseBody: null,
    errorMessage: ok ? null : "Endpoint returned status code 500",
    responseTimeMs: 3,
    retryAfterSeconds: null,
  };
}

/** Removes and returns the k-th (modulo) message available at `now`, as a queue delivers in any order. */
export function takeAvailable<P extends { availableAt: number }>(pending: P[], now: number, k: number): P | undefined {
  const ready = pending.filter((p) => p.availableAt <= now);
  if (ready.length === 0) return undefined;
  const p = ready[k % ready.length] as P;
  pending.splice(pending.indexOf(p), 1);
  return p;
}

/** Runs the model on generated command sequences, each on its own day from `firstDay` so runs never collide. */
export async function everyInterleaving<C>(
  cmdArb: fc.Arbitrary<C>,
  opts: { minLength: number; maxLength: number; numRuns: number; firstDay: number },
  runModel: (cmds: C[], seed: number, base: number) => Promise<unknown>,
): Promise<void> {
  let runIndex = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(cmdArb, { minLength: opts.minLength, maxLength: opts.maxLength }),
      fc.nat(),
      async (cmds, seed) => {
        runIndex++;
        await runModel(cmds, seed, opts.firstDay + runIndex * DAY_MS);
      },
    ),
    { numRuns: opts.numRuns },
  );
}
