/**
 * Preset-dictionary construction for deflate (a greedy cover of frequent substrings, after Liao, Petri, Moffat and
 * Wirth, "Effective Construction of Relative Lempel-Ziv Dictionaries", WWW 2016, as zstd's COVER builder does):
 *
 * 1. Every d-byte substring (d-mer) of the samples is scored by the number of samples that contain it (document
 *    frequency: a string repeated inside one body is deflate's own business). d-mers seen in one sample score 0.
 * 2. Every window of k bytes inside a sample scores the sum of its distinct d-mers' scores.
 * 3. Greedily, the best window is taken (lazily re-scored from a max-heap: scores only fall), trimmed to the span of
 *    its d-mers that still score, and its d-mers are zeroed so nothing is paid for twice; a window that touches an
 *    earlier pick in the same sample extends it, so long common texts stay contiguous.
 * 4. Picks stop at the byte budget. The dictionary lists them best last: deflate codes near distances in fewer
 *    bits, and the input follows the dictionary. Overflow is cut from the front (the least useful pick).
 */

export interface CoverOptions {
  /** d-mer length in bytes. */
  d: number;
  /** Window length in bytes. */
  k: number;
}

interface Pick {
  start: number;
  end: number;
  sample: number;
}

class MaxHeap {
  private score: number[] = [];
  private pos: number[] = [];
  get size(): number {
    return this.score.length;
  }
  topScore(): number {
    return this.score[0] ?? 0;
  }
  push(score: number, pos: number): void {
    this.score.push(score);
    this.pos.push(pos);
    let i = this.score.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.score[parent] as number) >= score) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): [score: number, pos: number] {
    const top: [number, number] = [this.score[0] as number, this.pos[0] as number];
    const lastScore = this.score.pop() as number;
    const lastPos = this.pos.pop() as number;
    if (this.score.length > 0) {
      this.score[0] = lastScore;
      this.pos[0] = lastPos;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.score.length && (this.score[l] as number) > (this.score[m] as number)) m = l;
        if (r < this.score.length && (this.score[r] as number) > (this.score[m] as number)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
  private swap(a: number, b: number): void {
    [this.score[a], this.score[b]] = [this.score[b] as number, this.score[a] as number];
    [this.pos[a], this.pos[b]] = [this.pos[b] as number, this.pos[a] as number];
  }
}

/** A dictionary of at most `budget` bytes for `samples` (deterministic: same input, same bytes). */
export function buildDictionary(samples: readonly Uint8Array[], budget: number, opts: CoverOptions): Uint8Array {
  const { d, k } = opts;
  const total = samples.reduce((n, s) => n + s.length, 0);
  const buf = new Uint8Array(total);
  const sampleOf = new Int32Array(total);
  const sampleEnd: number[] = [];
  let at = 0;
  samples.forEach((s, i) => {
    buf.set(s, at);
    sampleOf.fill(i, at, at + s.length);
    at += s.length;
    sampleEnd.push(at);
  });

  // ids[p]: the d-mer starting at p (-1 where it would cross the sample's end).
  const ids = new Int32Array(total).fill(-1);
  const intern = new Map<string, number>();
  for (let p = 0; p < total; p++) {
    if (p + d > (sampleEnd[sampleOf[p] as number] as number)) continue;
    const key = String.fromCharCode(...buf.subarray(p, p + d));
    let id = intern.get(key);
    if (id === undefined) {
      id = intern.size;
      intern.set(key, id);
    }
    ids[p] = id;
  }
  const freq = new Float64Array(intern.size);
  const stamp = new Int32Array(intern.size).fill(-1);
  for (let p = 0; p < total; p++) {
    const id = ids[p] as number;
    if (id < 0) continue;
    const s = sampleOf[p] as number;
    if (stamp[id] !== s) {
      stamp[id] = s;
      freq[id] = (freq[id] as number) + 1;
    }
  }
  for (let id = 0; id < freq.length; id++) if ((freq[id] as number) < 2) freq[id] = 0;

  let stampNo = 0;
  stamp.fill(-1);
  const windowEnd = (p: number) => Math.min(p + k, sampleEnd[sampleOf[p] as number] as number);
  const score = (p: number) => {
    stampNo++;
    let sum = 0;
    for (let q = p; q + d <= windowEnd(p); q++) {
      const id = ids[q] as number;
      if (stamp[id] === stampNo) continue;
      stamp[id] = stampNo;
      sum += freq[id] as number;
    }
    return sum;
  };

  const heap = new MaxHeap();
  for (let p = 0; p < total; p++) {
    if (ids[p] === -1) continue;
    const s = score(p);
    if (s > 0) heap.push(s, p);
  }

  const picks: Pick[] = [];
  let size = 0;
  while (size < budget && heap.size > 0) {
    const [, p] = heap.pop();
    const fresh = score(p);
    if (fresh <= 0) continue;
    if (fresh < heap.topScore()) {
      heap.push(fresh, p);
      continue;
    }
    const end = windowEnd(p);
    let first = -1;
    let last = -1;
    for (let q = p; q + d <= end; q++) {
      if ((freq[ids[q] as number] as number) > 0) {
        if (first < 0) first = q;
        last = q;
      }
    }
    const start = first;
    const stop = last + d;
    for (let q = start; q + d <= stop; q++) freq[ids[q] as number] = 0;
    const sample = sampleOf[p] as number;
    const touching = picks.find((x) => x.sample === sample && start <= x.end && stop >= x.start);
    if (touching) {
      size -= touching.end - touching.start;
      touching.start = Math.min(touching.start, start);
      touching.end = Math.max(touching.end, stop);
      size += touching.end - touching.start;
    } else {
      picks.push({ start, end: stop, sample });
      size += stop - start;
    }
  }

  const parts = picks.reverse().map((x) => buf.subarray(x.start, x.end));
  const joined = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) {
    joined.set(x, o);
    o += x.length;
  }
  return joined.length > budget ? joined.slice(joined.length - budget) : joined;
}
