import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketKey } from "../../src/logs/sketch";
import { addWindow, clear, merge, takePairs, windowText } from "../../src/metrics/merge";

const LAST_KEY = bucketKey(86_400_000);

/** Sorted distinct (key + 1, count) pairs, as takePairs returns them. */
const pairsArb = fc
  .uniqueArray(fc.tuple(fc.integer({ min: 0, max: LAST_KEY + 1 }), fc.integer({ min: 1, max: 2 ** 31 })), {
    selector: ([at]) => at,
    maxLength: 300,
  })
  .map((entries) => Uint32Array.from(entries.sort((a, b) => a[0] - b[0]).flat()));

describe("latency window text", () => {
  it("reads back exactly the counts it wrote, for any keys from 0 ms to a day", () => {
    fc.assert(
      fc.property(pairsArb, (pairs) => {
        const text = windowText(pairs);
        clear();
        if (text === null) expect(pairs).toHaveLength(0);
        else addWindow(text);
        expect(takePairs(null).pairs).toEqual(pairs);
      }),
    );
  });

  it("writes a bucket in about 2 characters, zeros as nothing", () => {
    expect(windowText(Uint32Array.from([0, 3, 1, 1, 3, 2]))).toBe("-1:3,1,,2");
    expect(windowText(Uint32Array.from([613, 12]))).toBe("612:12");
  });

  it("adds to what the sketch holds, and merge reads it beside hourly JSON sketches", () => {
    merge([['{"612":2},{"600":1}', 1]], Uint32Array.from([1, 5]), "612:3,1");
    expect(takePairs(null).pairs).toEqual(Uint32Array.from([1, 5, 601, 1, 613, 5, 614, 1]));
  });

  it("refuses any other text, and a key beyond a day, never guessing", () => {
    for (const bad of ["", "12", "x:1", "12:a", "12:1,,b", "12:1;2", "-5:1", `1:${"9".repeat(16)}`]) {
      clear();
      expect(() => addWindow(bad), bad).toThrow(TypeError);
      // What was added before the throw is cleared with the rest: the scratch sketch is shared by every request.
      clear();
      merge([], undefined, "12:5");
      expect(takePairs(null).pairs, bad).toEqual(Uint32Array.from([13, 5]));
    }
    clear();
    expect(() => addWindow(`${LAST_KEY}:1,,1`)).toThrow(RangeError);
    clear();
    expect(takePairs(null).pairs).toEqual(new Uint32Array(0));
  });
});
