/**
 * µs of this process's CPU per call (process.cpuUsage, not wall time: the machine is shared, and a Worker's limit
 * is CPU time too), the best of a few rounds of at least `minMs` each.
 */
export function usPerCall(run: () => void, calls: number, rounds = 10, minMs = 100): number {
  run();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = process.cpuUsage();
    let used = 0;
    while (used < minMs * 1000) {
      run();
      n++;
      const d = process.cpuUsage(start);
      used = d.user + d.system;
    }
    best = Math.min(best, used / (n * calls));
  }
  return best;
}
