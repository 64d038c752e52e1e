import { describe, expect, it } from "vitest";
import { parseContentEncoding } from "../../src/lib/content-coding";
import { binaryNote, isBinaryMediaType, looksBinary, storedResponseBody } from "../../src/lib/response-body";

const bytes = (...b: number[]) => Uint8Array.from(b);
const signal = new AbortController().signal;

describe("isBinaryMediaType", () => {
  it.each([
    "image/png",
    "IMAGE/JPEG; q=1",
    "audio/mpeg",
    "video/mp4",
    "font/woff2",
    "application/octet-stream",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-protobuf",
    "application/grpc+proto",
    "application/cbor",
    "application/vnd.api+zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ])("%s is binary", (type) => {
    expect(isBinaryMediaType(type)).toBe(true);
  });

  it.each([
    null,
    "",
    "text/plain",
    "text/html; charset=utf-8",
    "application/json",
    "application/problem+json",
    "application/xml",
    "image/svg+xml",
    "application/x-www-form-urlencoded",
    "application/javascript",
    "application/x-ndjson",
    "multipart/form-data; boundary=x",
  ])("%s is not", (type) => {
    expect(isBinaryMediaType(type)).toBe(false);
  });
});

describe("looksBinary (WHATWG MIME Sniffing)", () => {
  it.each([
    [bytes(0x68, 0x00, 0x69), null, true],
    [bytes(0x68, 0x1b, 0x69), null, false],
    [bytes(0x09, 0x0a, 0x0c, 0x0d, 0x41), "text/plain", false],
    [bytes(0x41, 0x01), "text/plain; charset=utf-8", true],
    [bytes(0x41, 0x01), "application/json", false],
    [bytes(0xff, 0xfe, 0x68, 0x00), null, false],
    [bytes(0x68, 0x00), "text/plain; charset=UTF-16LE", false],
    [bytes(0xe9, 0x80, 0xff), null, false],
  ])("%j typed %j → %s", (b, type, expected) => {
    expect(looksBinary(b, type)).toBe(expected);
  });
});

describe("binaryNote", () => {
  it("names the size, the type and the codings, briefly", () => {
    expect(binaryNote("2,048 bytes", null, parseContentEncoding("ZSTD"))).toBe(
      "[binary body: 2,048 bytes, content-encoding zstd]",
    );
    expect(binaryNote("≥ 1,025 bytes", "Image/PNG; x=1", parseContentEncoding(null))).toBe(
      "[binary body: ≥ 1,025 bytes, content-type image/png]",
    );
    const long = binaryNote("1 byte", `application/${"x".repeat(300)}`, parseContentEncoding("gzip"), "corrupt data");
    expect(long.length).toBeLessThan(180);
    expect(long).toMatch(
      /^\[binary body: 1 byte, content-type application\/x+…, content-encoding gzip, corrupt data\]$/,
    );
  });
});

describe("storedResponseBody", () => {
  const body = (b: Uint8Array) => new Response(b).body;
  it("is null without a body or without bytes", async () => {
    expect(await storedResponseBody(null, new Headers(), signal)).toBeNull();
    expect(await storedResponseBody(body(new Uint8Array(0)), new Headers(), signal)).toBeNull();
  });

  it("counts no further than 1,025 bytes for a note, and uses Content-Length when given", async () => {
    const big = body(new Uint8Array(50_000));
    expect(await storedResponseBody(big, new Headers({ "content-type": "image/png" }), signal)).toBe(
      "[binary body: ≥ 1,025 bytes, content-type image/png]",
    );
    const sized = body(new Uint8Array(10));
    const headers = new Headers({ "content-encoding": "br", "content-length": "123456" });
    expect(await storedResponseBody(sized, headers, signal)).toBe("[binary body: 123,456 bytes, content-encoding br]");
  });

  it("decodes text as before: charset, BOM, 1 KB cap", async () => {
    const latin1 = body(bytes(0x63, 0x61, 0x66, 0xe9));
    expect(
      await storedResponseBody(latin1, new Headers({ "content-type": "text/plain; charset=latin1" }), signal),
    ).toBe("café");
    const long = body(new TextEncoder().encode("y".repeat(5000)));
    expect(await storedResponseBody(long, new Headers(), signal)).toBe("y".repeat(1024));
  });
});
