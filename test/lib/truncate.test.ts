import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeUtf8Capped, MAX_RESPONSE_BODY_BYTES, truncateUtf8, utf8Boundary } from "../../src/lib/truncate";

const bytes = (s: string) => new TextEncoder().encode(s).length;

describe("truncateUtf8", () => {
  it("caps at 1024 bytes by default", () => {
    expect(MAX_RESPONSE_BODY_BYTES).toBe(1024);
    expect(truncateUtf8("a".repeat(5000))).toBe("a".repeat(1024));
  });

  it("leaves text within the cap untouched", () => {
    expect(truncateUtf8("")).toBe("");
    expect(truncateUtf8('{"ok":true}')).toBe('{"ok":true}');
    expect(truncateUtf8("a".repeat(1024))).toBe("a".repeat(1024));
    expect(truncateUtf8(`${"a".repeat(1021)}€`)).toBe(`${"a".repeat(1021)}€`);
    expect(truncateUtf8("😀".repeat(256))).toBe("😀".repeat(256));
  });

  it.each([
    ["2-byte é straddling the cap", `${"a".repeat(1023)}é`, "a".repeat(1023)],
    ["3-byte € after 1022 bytes", `${"a".repeat(1022)}€`, "a".repeat(1022)],
    ["3-byte € after 1023 bytes", `${"a".repeat(1023)}€x`, "a".repeat(1023)],
    ["4-byte emoji after 1021 bytes", `${"a".repeat(1021)}😀`, "a".repeat(1021)],
    ["4-byte emoji after 1023 bytes", `${"a".repeat(1023)}😀`, "a".repeat(1023)],
    ["emoji only", "😀".repeat(300), "😀".repeat(256)],
    ["CJK only", "漢".repeat(400), "漢".repeat(341)],
  ])("never cuts a character: %s", (_name, input, expected) => {
    const out = truncateUtf8(input);
    expect(out).toBe(expected);
    expect(bytes(out)).toBeLessThanOrEqual(1024);
  });

  it("honours a custom cap", () => {
    expect(truncateUtf8("héllo", 2)).toBe("h");
    expect(truncateUtf8("héllo", 3)).toBe("hé");
    expect(truncateUtf8("😀", 3)).toBe("");
    expect(truncateUtf8("abc", 0)).toBe("");
  });

  it("yields a UTF-8 prefix of at most maxBytes for any string", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 1500 }), fc.integer({ min: 0, max: 1100 }), (text, max) => {
        const out = encoder.encode(truncateUtf8(text, max));
        const full = encoder.encode(text);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(Array.from(full.subarray(0, out.length))).toEqual(Array.from(out));
        if (full.length <= max) expect(out.length).toBe(full.length);
        // Only a character that did not fit was dropped.
        else expect(max - out.length).toBeLessThan(4);
      }),
      { numRuns: 300 },
    );
  });
});

describe("stream prefixes", () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it("finds the last character boundary at or below the cap", () => {
    expect(utf8Boundary(enc("abc"), 1024)).toBe(3);
    expect(utf8Boundary(enc("a€"), 2)).toBe(1);
    expect(utf8Boundary(enc("a€"), 3)).toBe(1);
    expect(utf8Boundary(enc("a€"), 4)).toBe(4);
    expect(utf8Boundary(enc("😀😀"), 7)).toBe(4);
  });

  it("decodes a prefix read past the cap without splitting a character", () => {
    expect(decodeUtf8Capped(enc(`${"a".repeat(1023)}€b`))).toBe("a".repeat(1023));
    expect(decodeUtf8Capped(enc(`${"a".repeat(1020)}😀b`))).toBe(`${"a".repeat(1020)}😀`);
    expect(decodeUtf8Capped(enc("short"))).toBe("short");
  });

  it("keeps invalid bytes within the cap after U+FFFD replacement", () => {
    const out = decodeUtf8Capped(new Uint8Array(1100).fill(0xff));
    expect(bytes(out)).toBeLessThanOrEqual(1024);
    expect(out).toBe("\uFFFD".repeat(341));
  });
});
