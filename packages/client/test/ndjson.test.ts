import { describe, expect, it } from "vitest";
import { ndjsonValues } from "../src/ndjson.js";

function streamOf(chunks: Uint8Array[]) {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

describe("ndjsonValues", () => {
  it("parses lines split anywhere, including inside a multi-byte character, with or without a final LF", async () => {
    const text = '{"a":"é✓"}\n{"b":2}\n\n{"c":[1]}';
    const bytes = new TextEncoder().encode(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { stream } = streamOf([bytes.slice(0, cut), bytes.slice(cut)]);
      const out = [];
      for await (const v of ndjsonValues(stream)) out.push(v);
      expect(out).toEqual([{ a: "é✓" }, { b: 2 }, { c: [1] }]);
    }
  });

  it("cancels the download when the caller stops early", async () => {
    const enc = new TextEncoder();
    const s = streamOf([enc.encode('{"n":1}\n'), enc.encode('{"n":2}\n'), enc.encode('{"n":3}\n')]);
    for await (const v of ndjsonValues<{ n: number }>(s.stream)) {
      expect(v.n).toBe(1);
      break;
    }
    expect(s.cancelled()).toBe(true);
  });
});
