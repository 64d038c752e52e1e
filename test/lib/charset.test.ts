import { describe, expect, it } from "vitest";
import { createHttpExecutor } from "../../src/engine/executors/http";
import {
  charsetOf,
  decodeBodyCapped,
  encodeSingleByte,
  requestCharset,
  SINGLE_BYTE_ENCODINGS,
} from "../../src/lib/charset";
import { MAX_RESPONSE_BODY_BYTES } from "../../src/lib/truncate";

/** An executor whose target answers `bytes` with the given Content-Type (issue 15, item 12). */
async function answer(bytes: Uint8Array, contentType: string | null) {
  const headers = contentType === null ? undefined : { "content-type": contentType };
  const fetch = async () => new Response(bytes, { headers });
  const r = await createHttpExecutor({ allowPrivateTargets: false, fetch }).execute({
    executionId: "exe_charset",
    endpointUrl: "https://target.example.com/",
    method: "GET",
    headers: {},
    body: null,
    timeoutSeconds: 5,
  });
  return r.responseBody;
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf8 = (s: string) => new TextEncoder().encode(s);
const utf8Length = (s: string) => utf8(s).length;

describe("a declared response charset is honoured", () => {
  it("decodes ISO-8859-1 (the reported case)", async () => {
    expect(await answer(latin1("caf\xe9 cr\xe8me"), "text/plain; charset=iso-8859-1")).toBe("café crème");
  });

  it.each([
    ["windows-1252 (€ is 0x80)", Uint8Array.from([0x80, 0x20, 0x35]), "text/plain; charset=windows-1252", "€ 5"],
    ["a quoted, upper-case label", latin1("na\xefve"), 'text/html; CHARSET="ISO-8859-1"', "naïve"],
    ["Shift_JIS", Uint8Array.from([0x93, 0xfa, 0x96, 0x7b]), "text/plain;charset=Shift_JIS", "日本"],
    ["GBK", Uint8Array.from([0xc4, 0xe3, 0xba, 0xc3]), "text/plain; charset=gbk", "你好"],
    ["EUC-KR", Uint8Array.from([0xc7, 0xd1]), "text/plain; charset=euc-kr", "한"],
    ["KOI8-R", Uint8Array.from([0xf0, 0xd2, 0xc9]), "text/plain; charset=koi8-r", "При"],
    ["UTF-16LE", Uint8Array.from([0x68, 0x00, 0xe9, 0x00]), "text/plain; charset=utf-16le", "hé"],
    ["UTF-8 declared", utf8("crème"), "application/json; charset=utf-8", "crème"],
    ["no charset: UTF-8", utf8("crème"), "application/json", "crème"],
    ["no Content-Type: UTF-8", utf8("crème"), null, "crème"],
    ["an unknown label: UTF-8", utf8("crème"), "text/plain; charset=x-klingon", "crème"],
    ["the replacement encoding: UTF-8", utf8("crème"), "text/plain; charset=iso-2022-kr", "crème"],
    [
      "a UTF-8 BOM wins over the label",
      Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8("é")]),
      "text/plain; charset=iso-8859-1",
      "é",
    ],
  ])("%s", async (_, bytes, contentType, expected) => {
    expect(await answer(bytes, contentType)).toBe(expected);
  });

  it("keeps at most 1 KB of UTF-8, cut on a character boundary", async () => {
    // 1,000 × é in Latin-1 is 1,000 bytes on the wire but 2,000 in UTF-8: 512 of them fit.
    const body = await answer(latin1("\xe9".repeat(1000)), "text/plain; charset=iso-8859-1");
    expect(body).toBe("é".repeat(512));
  });

  it("never ends in half a character of the declared charset", async () => {
    // UTF-16 "x" is 2 bytes on the wire, 1 in UTF-8: of the 1,025 bytes read the last is half of the 513th "x",
    // which is left out (not turned into U+FFFD).
    const body = await answer(
      Uint8Array.from({ length: 1200 }, (_, i) => (i % 2 === 0 ? 0x78 : 0)),
      "text/plain; charset=utf-16le",
    );
    expect(body).toBe("x".repeat(512));
    // Shift_JIS 日 is 2 bytes on the wire, 3 in UTF-8: the UTF-8 cap cuts after 341 of them.
    const sjis = Uint8Array.from(Array.from({ length: 600 }, () => [0x93, 0xfa]).flat());
    const text = (await answer(sjis, "text/plain; charset=shift_jis")) ?? "";
    expect(text).toBe("日".repeat(341));
    expect(utf8Length(text)).toBeLessThanOrEqual(MAX_RESPONSE_BODY_BYTES);
  });
});

describe("charsetOf", () => {
  it.each([
    ["text/plain; charset=iso-8859-1", "iso-8859-1"],
    ['text/plain; charset="utf-8"', "utf-8"],
    ["text/plain;format=flowed;Charset=Shift_JIS", "Shift_JIS"],
    ["text/plain", null],
    ["", null],
    [null, null],
  ])("%s → %s", (header, expected) => {
    expect(charsetOf(header)).toBe(expected);
  });
});

describe("decodeBodyCapped", () => {
  it("decodes only what fits, then caps the UTF-8", () => {
    expect(decodeBodyCapped(latin1("caf\xe9"), "text/plain; charset=latin1")).toBe("café");
    expect(decodeBodyCapped(utf8("x".repeat(2000)), null)).toBe("x".repeat(1024));
  });
});

describe("requestCharset", () => {
  it.each([
    [null, { kind: "utf-8" }],
    ["application/json", { kind: "utf-8" }],
    ["text/plain; charset=UTF-8", { kind: "utf-8" }],
    ["text/plain; charset=utf8", { kind: "utf-8" }],
    ["text/plain; charset=iso-8859-1", { kind: "single-byte", label: "iso-8859-1", encoding: "windows-1252" }],
    ["text/plain; charset=US-ASCII", { kind: "single-byte", label: "US-ASCII", encoding: "windows-1252" }],
    ['text/plain; charset="koi8-r"', { kind: "single-byte", label: "koi8-r", encoding: "koi8-r" }],
    ["text/plain; charset=cp1251", { kind: "single-byte", label: "cp1251", encoding: "windows-1251" }],
    ["text/plain; charset=shift_jis", { kind: "unsupported", label: "shift_jis" }],
    ["text/plain; charset=utf-16le", { kind: "unsupported", label: "utf-16le" }],
    ["text/plain; charset=x-user-defined", { kind: "unsupported", label: "x-user-defined" }],
    ["text/plain; charset=replacement", { kind: "unsupported", label: "replacement" }],
    ["text/plain; charset=klingon", { kind: "unsupported", label: "klingon" }],
  ] as const)("%s → %j", (contentType, expected) => {
    expect(requestCharset(contentType)).toEqual(expected);
  });
});

describe("encodeSingleByte", () => {
  it.each([...SINGLE_BYTE_ENCODINGS])("round-trips every character %s decodes to", (encoding) => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const chars = new TextDecoder(encoding).decode(all);
    const mapped = [...all].filter((b) => chars[b] !== "\ufffd");
    const text = mapped.map((b) => chars[b]).join("");
    expect(encodeSingleByte(text, encoding)).toEqual({ ok: true, bytes: Uint8Array.from(mapped) });
  });

  it("names the first character with no byte, by code point and position", () => {
    expect(encodeSingleByte("café ✓ ok", "windows-1252")).toEqual({
      ok: false,
      char: "✓",
      codePoint: "U+2713",
      position: 6,
    });
    // A character outside the BMP is one character, not two halves.
    expect(encodeSingleByte("a😀", "koi8-r")).toMatchObject({
      ok: false,
      char: "😀",
      codePoint: "U+1F600",
      position: 2,
    });
    expect(encodeSingleByte("\u0080", "windows-1252")).toMatchObject({ ok: false, codePoint: "U+0080" });
  });

  it("encodes the empty string to no bytes", () => {
    expect(encodeSingleByte("", "iso-8859-2")).toEqual({ ok: true, bytes: new Uint8Array(0) });
  });
});
