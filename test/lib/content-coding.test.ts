import { describe, expect, it } from "vitest";
import {
  type ByteSource,
  decodingSource,
  INPUT_SLICE,
  isZlibHeader,
  parseContentEncoding,
  readPrefix,
} from "../../src/lib/content-coding";

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function compress(bytes: Uint8Array | ReadableStream<Uint8Array>, format: "gzip" | "deflate" | "deflate-raw") {
  const input = bytes instanceof Uint8Array ? new Response(bytes).body : bytes;
  return new Uint8Array(await new Response(input?.pipeThrough(new CompressionStream(format))).arrayBuffer());
}

/** `bytes` as a source that counts what was pulled from it and whether it was cancelled. */
function counted(bytes: Uint8Array, chunk = 4096) {
  let offset = 0;
  const stats = { pulled: 0, cancelled: false };
  const source: ByteSource = {
    async pull(max) {
      if (offset >= bytes.byteLength) return null;
      const out = bytes.subarray(offset, offset + Math.min(max, chunk));
      offset += out.byteLength;
      stats.pulled += out.byteLength;
      return out;
    },
    cancel() {
      stats.cancelled = true;
    },
  };
  return { source, stats };
}

const signal = new AbortController().signal;

describe("parseContentEncoding", () => {
  it.each([
    [null, { decodable: true, codings: [] }],
    ["", { decodable: true, codings: [] }],
    ["identity", { decodable: true, codings: [] }],
    ["GZIP", { decodable: true, codings: ["gzip"] }],
    ["x-gzip", { decodable: true, codings: ["gzip"] }],
    [" Deflate , gzip ", { decodable: true, codings: ["deflate", "gzip"] }],
    ["gzip,,identity,gzip", { decodable: true, codings: ["gzip", "gzip"] }],
    ["br", { decodable: false, codings: ["br"], reason: "unsupported" }],
    ["gzip, zstd", { decodable: false, codings: ["gzip", "zstd"], reason: "unsupported" }],
    ["gzip, gzip, gzip, gzip", { decodable: false, codings: ["gzip", "gzip", "gzip", "gzip"], reason: "too many" }],
  ] as const)("%j → %j", (value, expected) => {
    expect(parseContentEncoding(value)).toEqual(expected);
  });
});

describe("isZlibHeader", () => {
  it("recognises what CompressionStream('deflate') writes, and not raw deflate", async () => {
    const body = utf8("hello hello hello");
    const zlib = await compress(body, "deflate");
    expect(isZlibHeader(zlib[0] as number, zlib[1] as number)).toBe(true);
    const raw = await compress(body, "deflate-raw");
    expect(isZlibHeader(raw[0] as number, raw[1] as number)).toBe(false);
  });

  it.each([
    [0x78, 0x01, true],
    [0x78, 0x9c, true],
    [0x78, 0xda, true],
    [0x08, 0x1d, true],
    [0x78, 0x9d, false],
    [0x89, 0x50, false],
    [0x1f, 0x8b, false],
  ])("%i %i → %s", (b0, b1, expected) => {
    expect(isZlibHeader(b0, b1)).toBe(expected);
  });
});

describe("decodingSource + readPrefix", () => {
  it.each(["gzip", "deflate", "deflate-raw"] as const)("undoes %s, whole or cut at the cap", async (format) => {
    const body = utf8("edgecron ".repeat(300));
    const packed = await compress(body, format);
    const coding = format === "gzip" ? "gzip" : "deflate";
    const all = await readPrefix(decodingSource(counted(packed).source, [coding], signal), 10_000, signal);
    expect(all).toEqual({ bytes: body, complete: true });
    const cut = await readPrefix(decodingSource(counted(packed).source, [coding], signal), 1025, signal);
    expect(cut).toEqual({ bytes: body.subarray(0, 1025), complete: false });
  });

  it("undoes stacked codings, the last applied first", async () => {
    const body = utf8("stacked ".repeat(50));
    const packed = await compress(await compress(await compress(body, "gzip"), "deflate-raw"), "gzip");
    const got = await readPrefix(
      decodingSource(counted(packed).source, ["gzip", "deflate", "gzip"], signal),
      5000,
      signal,
    );
    expect(text(got.bytes)).toBe(text(body));
  });

  it.each([
    [["gzip"], 1],
    [["gzip", "gzip"], 2],
  ] as const)("a 10 MB bomb (%j) is fed a few slices, never decoded past the cap", async (codings, layers) => {
    const chunk = utf8("0".repeat(64 * 1024));
    let left = 160;
    const zeros = new ReadableStream<Uint8Array>({
      pull(c) {
        if (left-- > 0) c.enqueue(chunk);
        else c.close();
      },
    });
    let bomb = await compress(zeros, "gzip");
    if (layers === 2) bomb = await compress(bomb, "gzip");
    expect(bomb.byteLength).toBeLessThan(11_000);
    const { source, stats } = counted(bomb);
    const got = await readPrefix(decodingSource(source, [...codings], signal), 1025, signal);
    expect(got).toEqual({ bytes: utf8("0".repeat(1025)), complete: false });
    // What zlib can have inflated is bounded by what it was fed: ≤ 1,032 bytes out per byte in (RFC 1951).
    expect(stats.pulled).toBeLessThanOrEqual(2 * INPUT_SLICE);
    expect(stats.cancelled).toBe(true);
  });

  it("reads a plain source no further than the cap", async () => {
    const { source, stats } = counted(utf8("x".repeat(100_000)), 64 * 1024);
    const got = await readPrefix(source, 1025, signal);
    expect(got.bytes.byteLength).toBe(1025);
    expect(stats).toEqual({ pulled: 1025, cancelled: true });
  });

  it("keeps what decoded before the data broke off, and reports why", async () => {
    const body = utf8("partial ".repeat(200));
    const packed = await compress(body, "gzip");
    const cut = packed.subarray(0, Math.floor(packed.byteLength / 2));
    const got = await readPrefix(decodingSource(counted(cut).source, ["gzip"], signal), 5000, signal);
    expect(got.error).toBeDefined();
    expect(got.bytes.byteLength).toBeGreaterThan(0);
    expect(text(body).startsWith(text(got.bytes))).toBe(true);
  });

  it("reports data that is not gzip at all as an error with no bytes", async () => {
    const got = await readPrefix(decodingSource(counted(utf8("not gzip")).source, ["gzip"], signal), 5000, signal);
    expect(got.bytes.byteLength).toBe(0);
    expect(got.error).toBeInstanceOf(Error);
  });

  it("throws when the deadline aborts a read", async () => {
    const stalled: ByteSource = { pull: () => new Promise(() => {}), cancel: () => {} };
    const controller = new AbortController();
    const reading = readPrefix(decodingSource(stalled, ["gzip"], controller.signal), 1025, controller.signal);
    controller.abort(new Error("deadline"));
    await expect(reading).rejects.toThrow("deadline");
  });
});
