import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deflateChecked, inflateWith } from "../../src/lib/codec/deflate";
import { DICTIONARY_1 } from "../../src/lib/codec/dictionaries/1";
import { CODEC_RAW, CodecError, CURRENT_DICTIONARY, codecOf, decodeText, encodeText } from "../../src/lib/codec/index";
import { MAX_RESPONSE_BODY_BYTES, truncateUtf8 } from "../../src/lib/truncate";

const utf8 = (s: string) => new TextEncoder().encode(s);
/** What D1 kept of a TEXT value: its UTF-8 (lone surrogates as U+FFFD), read back with a leading U+FEFF intact. */
const asStored = (s: string) => new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(utf8(s));
const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));

/** The codec's contract for one string: it decodes back, and never costs more than its UTF-8 + the codec byte. */
function expectRoundTrip(s: string): Uint8Array {
  const encoded = encodeText(s);
  const raw = utf8(s);
  expect(decodeText(encoded)).toBe(asStored(s));
  expect(encoded.length).toBeLessThanOrEqual(raw.length + 1);
  if (encoded[0] === CODEC_RAW) expect(encoded.subarray(1)).toEqual(raw);
  // A deflated payload is strictly shorter: raw wins ties.
  else expect([encoded[0], encoded.length < raw.length + 1]).toEqual([CURRENT_DICTIONARY, true]);
  return encoded;
}

/** A 1 KB JSON listing as a paginated API answers, cut to the stored 1 KB like every body. */
function listing(): string {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    id: 48_210 + i,
    name: ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra"][i % 4],
    email: `user${48_210 + i}@example.com`,
    role: i % 3 === 0 ? "admin" : "member",
    created_at: new Date(Date.UTC(2025, 2, 1, 9, i * 7, i * 13)).toISOString(),
    url: `https://api.example.com/v1/members/${48_210 + i}`,
  }));
  return truncateUtf8(JSON.stringify({ data: rows, page: 3, per_page: 12, total: 412 }));
}

describe("text codec", () => {
  it("names raw UTF-8 0 and encodes with dictionary 1", () => {
    expect(CODEC_RAW).toBe(0);
    expect(CURRENT_DICTIONARY).toBe(1);
  });

  it("stores the empty string as the raw codec byte alone", () => {
    expect(encodeText("")).toEqual(Uint8Array.of(0));
    expect(decodeText(Uint8Array.of(0))).toBe("");
  });

  it("maps a null column to null", () => {
    expect(decodeText(null)).toBeNull();
    expect(decodeText(undefined)).toBeNull();
    expect(codecOf(null)).toBeNull();
  });

  it("round-trips any Unicode text, 4-byte characters included, within UTF-8 + 1 byte", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 1500, size: "max" }), (s) => {
        expectRoundTrip(s);
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips text of repeated words and multi-byte runs (compressible, so deflated)", () => {
    const word = fc.constantFrom("ok", "status", '"id":', "é", "日本", "😀", "\n", " ", "error", "𝔘");
    fc.assert(
      fc.property(fc.array(word, { maxLength: 400, size: "max" }), (words) => {
        expectRoundTrip(words.join(""));
      }),
      { numRuns: 200 },
    );
  });

  it("stores lone surrogates as U+FFFD, as TEXT did: TextDecoder's reading of TextEncoder's bytes", () => {
    expect(decodeText(encodeText("a\uD800b\uDFFFc"))).toBe("a\uFFFDb\uFFFDc");
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
          maxLength: 400,
          size: "max",
        }),
        (s) => {
          expectRoundTrip(s);
          if (!s.startsWith("\uFEFF")) {
            expect(decodeText(encodeText(s))).toBe(new TextDecoder().decode(new TextEncoder().encode(s)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps a leading U+FEFF (a default TextDecoder would drop it as a byte-order mark)", () => {
    for (const s of ["\uFEFF", "\uFEFF{}", `\uFEFF${"x".repeat(100)}`]) expect(decodeText(encodeText(s))).toBe(s);
  });

  it("round-trips bodies cut at the 1 KB boundary with multi-byte characters at the cut", () => {
    const tail = fc.array(fc.constantFrom("é", "€", "日", "😀", "a"), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.integer({ min: 1010, max: 1025 }), tail, (n, chars) => {
        const body = truncateUtf8("x".repeat(n) + chars.join(""), MAX_RESPONSE_BODY_BYTES);
        expect(utf8(body).length).toBeLessThanOrEqual(MAX_RESPONSE_BODY_BYTES);
        expectRoundTrip(body);
      }),
      { numRuns: 200 },
    );
    for (const bytes of [1023, 1024, 1025]) {
      const body = truncateUtf8(`${"y".repeat(bytes - 4)}😀😀`);
      expect(decodeText(expectRoundTrip(body))).toBe(body);
    }
  });

  it("round-trips binary-looking text: NUL, control characters, U+FFFD", () => {
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
      fc.constantFrom("\u0000", "\u007f", "\uFFFD", "\u0085", "\u2028", "\uFEFF", "\uFFFF"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 500, size: "max" }), (s) => {
        expectRoundTrip(s);
      }),
      { numRuns: 200 },
    );
    expectRoundTrip("\u0000".repeat(1024));
  });

  it("round-trips JSON and compresses it", () => {
    fc.assert(
      fc.property(fc.array(fc.json({ maxDepth: 3 }), { maxLength: 30, size: "max" }), (parts) => {
        const s = `[${parts.join(",")}]`;
        expectRoundTrip(s);
      }),
      { numRuns: 200 },
    );
    const body = JSON.stringify({ status: "ok", processed: 12, skipped: 0, duration_ms: 731 });
    expect(codecOf(expectRoundTrip(body))).toBe(CURRENT_DICTIONARY);
  });

  it("round-trips HTML error pages and stores them in a fraction of their size", () => {
    const nginx =
      "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx/1.26.1</center>\r\n</body>\r\n</html>\r\n";
    const apache =
      '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n<hr>\n<address>Apache/2.4.62 (Debian) Server at jobs.example.net Port 443</address>\n</body></html>\n';
    for (const page of [nginx, apache]) {
      expect(expectRoundTrip(page).length).toBeLessThan(utf8(page).length / 2);
    }
  });

  it("stores a 1 KB JSON listing in under 400 bytes", () => {
    const body = listing();
    expect(utf8(body).length).toBeGreaterThan(1000);
    expect(expectRoundTrip(body).length).toBeLessThan(400);
  });

  it("is deterministic: the same text gives the same bytes", () => {
    const body = listing();
    expect(encodeText(body)).toEqual(encodeText(body));
  });

  it("decodes values written by earlier builds (the stored format never changes)", () => {
    const golden: Array<[string, string]> = [
      ['{"status":"ok","processed":12}', "0143b21f3dc31a1ad50200"],
      ["Request timed out after 30 seconds", "0143b60279a206d18c0000"],
      [
        '{"content-type":"application/json; charset=utf-8","cf-ray":"8f1c2d3e4a5b6c7d-FRA","server":"cloudflare"}',
        "0123433fdced166986c94629c6a92689a64966c9e629ba6e418e38dab7b500",
      ],
      [
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
        "0103a7145012444dc1460a4e8929b0711c3ce916510160e8412bff3380caa03c703f115fddc00500",
      ],
      ["Grüße 👋", "004772c3bcc39f6520f09f918b"],
    ];
    for (const [text, bytes] of golden) expect(decodeText(hex(bytes))).toBe(text);
  });

  it("reads what a BLOB column returns: ArrayBuffer, number[], a Uint8Array view at an offset", () => {
    const s = `{"ok":true,"note":"Grüße 😀"}${" pad".repeat(20)}`;
    const encoded = encodeText(s);
    const copy = encoded.slice();
    expect(decodeText(copy.buffer)).toBe(s);
    expect(decodeText(Array.from(encoded))).toBe(s);
    const padded = new Uint8Array(encoded.length + 7);
    padded.set(encoded, 5);
    expect(decodeText(padded.subarray(5, 5 + encoded.length))).toBe(s);
    expect(codecOf(copy.buffer)).toBe(encoded[0]);
    expect(codecOf(Array.from(encoded))).toBe(encoded[0]);
  });

  it("reads back what D1 returns for a bound BLOB (number[] from workerd's D1)", async () => {
    for (const s of ["", "OK", listing(), "a\uD800b"]) {
      const row = await env.SHARD_0.prepare("SELECT ?1 AS v").bind(encodeText(s)).first<{ v: unknown }>();
      expect(decodeText(row?.v as ArrayBuffer | number[])).toBe(asStored(s));
    }
  });

  it("refuses an unknown codec byte with a clear error, never decoding garbage", () => {
    for (const codec of [2, 7, 255]) {
      const bytes = Uint8Array.of(codec, 0x4b, 0x04, 0x00);
      expect(() => decodeText(bytes)).toThrow(CodecError);
      expect(() => decodeText(bytes)).toThrow(`Unknown text codec ${codec}`);
      expect(() => codecOf(bytes)).toThrow(`Unknown text codec ${codec}`);
    }
  });

  it("refuses what encodeText cannot have made: no codec byte, non-bytes, corrupt payloads", () => {
    expect(() => decodeText(new Uint8Array(0))).toThrow(CodecError);
    expect(() => decodeText(new ArrayBuffer(0))).toThrow("Empty text value");
    expect(() => decodeText([0, 256])).toThrow("Not a byte array");
    expect(() => decodeText([0, 1.5])).toThrow(CodecError);
    // Raw codec holding invalid UTF-8.
    expect(() => decodeText(Uint8Array.of(0, 0xff, 0xfe))).toThrow(CodecError);
    // A deflated value cut short.
    const deflated = encodeText(listing());
    expect(codecOf(deflated)).toBe(CURRENT_DICTIONARY);
    expect(() => decodeText(deflated.subarray(0, deflated.length - 10))).toThrow(CodecError);
  });

  it("never keeps deflate output that does not inflate back (fflate writes the dictionary into stored blocks)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        // Unbiased bytes are incompressible: deflate falls back to a stored block, where fflate goes wrong.
        fc.noBias(fc.uint8Array({ minLength: 4, maxLength: 2000, size: "max" })),
        (dictionary, raw) => {
          const packed = deflateChecked(raw, dictionary);
          if (packed) expect(inflateWith(packed, dictionary)).toEqual(raw);
        },
      ),
      { numRuns: 200 },
    );
  });

  // Rows name their dictionary by number and live for the retention period (31+ days), so dictionary 1 can never
  // change: a new dictionary is a new number. This hash fails CI on any edit to dictionaries/1.ts.
  it("pins dictionary 1", async () => {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", DICTIONARY_1));
    const hexDigest = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    expect(hexDigest).toBe("3a94d6c120d977f85c01242aae7f486bd81ad7736b7c3c693030631056bd2bd9");
    expect(DICTIONARY_1.length).toBe(8192);
  });
});
