import type { RunRow } from "../db/schema";

/**
 * Deterministic jitter: offset in [0, N] whole seconds = 32-bit FNV-1a(`<job id>|<slot ms>`) mod (N + 1),
 * so a redelivered slot plans the same start; its identity stays the unjittered slot. Whole seconds: the
 * unit of Queues' `delaySeconds`.
 */
export function jitterOffsetSeconds(jobId: string, slot: number, jitterSeconds: number): number {
  if (!(jitterSeconds > 0)) return 0;
  return fnv1a(`${jobId}|${slot}`) % (Math.floor(jitterSeconds) + 1);
}

/** When the slot's first attempt is planned (epoch ms): the slot plus its jitter offset. */
export function jitteredStart(jobId: string, slot: number, jitterSeconds: number): number {
  return slot + jitterOffsetSeconds(jobId, slot, jitterSeconds) * 1000;
}

/** 32-bit FNV-1a (not a security boundary: it only spreads starts over the window). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Seconds a delivery of a jittered slot's first attempt arrived before its planned start (0 when it is due, or the
 * run is not a jittered first attempt). The tick already delays the message by the offset; this holds back an
 * early copy, e.g. one the relay re-sent, so the offset is honoured whoever delivers.
 */
export function earlyBySeconds(
  run: Pick<RunRow, "state" | "origin" | "attempt" | "slot" | "plannedAt">,
  now: number,
): number {
  const jittered = run.state === "queued" && run.origin === "schedule" && run.attempt === 0 && run.plannedAt > run.slot;
  return jittered && run.plannedAt > now ? Math.ceil((run.plannedAt - now) / 1000) : 0;
}
