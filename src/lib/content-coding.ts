/**
 * Content codings (RFC 9110 §8.4) decoded by hand from a body fetched with `encodeResponseBody: "manual"`, reading
 * only as much as a capped prefix needs. workerd's DecompressionStream buffers all the output of a write (it has no
 * backpressure), so compressed input goes in slices of INPUT_SLICE bytes, and only while a read is waiting: one
 * slice inflates to at most ≈ 1,032× its size (deflate's limit), so a compressed bomb costs ≈ 66 KB, never more.
 */

import { joinBytes } from "./bytes";

/** The codings decodable here: DecompressionStream's formats (no brotli or zstd in workerd). */
export type Decodable = "gzip" | "deflate";

/** More layers than this are not decoded: each one is a decompressor of its own. */
export const MAX_CODINGS = 3;

/** Compressed bytes fed at a time; see the module comment. */
export const INPUT_SLICE = 64;

/** Raw bytes read at most for a coded body: a stream that yields no text by then is not read further. */
export const MAX_CODED_INPUT = 64 * 1024;

export type ContentCodings =
  | { decodable: true; codings: Decodable[] }
  | { decodable: false; codings: string[]; reason: "unsupported" | "too many" };

/**
 * The codings of a Content-Encoding value in the order they were applied, lower-cased (names are case-insensitive,
 * RFC 9110 §8.4.1), `x-gzip` as `gzip` (§8.4.1.3), `identity` dropped.
 */
export function parseContentEncoding(value: string | null): ContentCodings {
  const codings = (value ?? "")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity")
    .map((c) => (c === "x-gzip" ? "gzip" : c));
  if (codings.length > MAX_CODINGS) return { decodable: false, codings, reason: "too many" };
  if (codings.every((c): c is Decodable => c === "gzip" || c === "deflate")) return { decodable: true, codings };
  return { decodable: false, codings, reason: "unsupported" };
}

/** A pull source: `pull(max)` gives 1..max bytes, or null at the end. */
export interface ByteSource {
  pull(max: number): Promise<Uint8Array | null>;
  /** Stops reading; safe to call more than once and after the end. */
  cancel(): void;
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (a stalled read must not outlive the deadline). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const ignore = () => {};

/**
 * The body's bytes as they arrive; `bytesRead` counts what was taken from the stream. Past `limit` bytes, or once
 * cancelled, it reads no more (`cut`): a decoder then fails on the missing rest, keeping the text it had.
 */
export class StreamSource implements ByteSource {
  bytesRead = 0;
  ended = false;
  cut = false;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private rest: Uint8Array | null = null;

  constructor(
    stream: ReadableStream<Uint8Array>,
    private readonly signal: AbortSignal,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    this.reader = stream.getReader();
  }

  async pull(max: number): Promise<Uint8Array | null> {
    while (!this.rest || this.rest.byteLength === 0) {
      if (this.ended || this.cut) return null;
      if (this.bytesRead >= this.limit) {
        this.cut = true;
        this.reader.cancel().catch(ignore);
        return null;
      }
      const { done, value } = await untilAborted(this.reader.read(), this.signal);
      if (done) {
        this.ended = true;
        return null;
      }
      this.bytesRead += value.byteLength;
      this.rest = value;
    }
    const out = this.rest.subarray(0, max);
    this.rest = this.rest.subarray(out.byteLength);
    return out;
  }

  cancel(): void {
    if (!this.ended && !this.cut) this.reader.cancel().catch(ignore);
    this.cut ||= !this.ended;
  }
}

/** RFC 1950 §2.2: CM 8, a window of at most 32 KB, and FCHECK making the first two bytes a multiple of 31. */
export function isZlibHeader(b0: number, b1: number): boolean {
  return (b0 & 0x0f) === 8 && b0 >> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0;
}

/** One coding undone by a DecompressionStream; `deflate` is zlib-wrapped or raw, told apart by its first bytes. */
class Inflater implements ByteSource {
  private writer: WritableStreamDefaultWriter<BufferSource> | null = null;
  private reader: ReadableStreamBYOBReader | null = null;
  /** Input taken from `inner` but not yet written. */
  private stash: Uint8Array | null = null;
  private closed = false;

  constructor(
    private readonly coding: Decodable,
    private readonly inner: ByteSource,
    private readonly signal: AbortSignal,
  ) {}

  private async start(): Promise<void> {
    let format: "gzip" | "deflate" | "deflate-raw" = "gzip";
    if (this.coding === "deflate") {
      // Many servers send raw deflate under this name although RFC 9110 §8.4.1.2 means zlib: look before choosing.
      let head = (await untilAborted(this.inner.pull(INPUT_SLICE), this.signal)) ?? new Uint8Array(0);
      const more = head.byteLength === 1 ? await untilAborted(this.inner.pull(INPUT_SLICE - 1), this.signal) : null;
      if (more) head = concat([head, more]);
      this.stash = head.byteLength > 0 ? head : null;
      format = head.byteLength >= 2 && isZlibHeader(head[0] as number, head[1] as number) ? "deflate" : "deflate-raw";
    }
    const ds = new DecompressionStream(format);
    this.writer = ds.writable.getWriter();
    this.reader = ds.readable.getReader({ mode: "byob" });
  }

  async pull(max: number): Promise<Uint8Array | null> {
    if (!this.reader) await this.start();
    const reader = this.reader as ReadableStreamBYOBReader;
    const writer = this.writer as WritableStreamDefaultWriter<BufferSource>;
    let settled = false;
    const read = reader.read(new Uint8Array(max));
    read.then(
      () => (settled = true),
      () => (settled = true),
    );
    // Feed input only while the read waits: the output of one slice at most is ever buffered.
    while (!settled && !this.closed) {
      const chunk = this.stash ?? (await untilAborted(this.inner.pull(INPUT_SLICE), this.signal));
      this.stash = null;
      if (settled) {
        this.stash = chunk;
        break;
      }
      if (chunk === null) {
        this.closed = true;
        await untilAborted(writer.close(), this.signal);
        break;
      }
      await untilAborted(writer.write(chunk), this.signal);
    }
    const { done, value } = await untilAborted(read, this.signal);
    return done || !value || value.byteLength === 0 ? null : value;
  }

  cancel(): void {
    this.reader?.cancel().catch(ignore);
    if (!this.closed) this.writer?.abort().catch(ignore);
    this.closed = true;
    this.inner.cancel();
  }
}

/** `source` with each coding undone, the last applied first (RFC 9110 §8.4: codings are listed in order applied). */
export function decodingSource(source: ByteSource, codings: Decodable[], signal: AbortSignal): ByteSource {
  return codings.reduceRight<ByteSource>((inner, coding) => new Inflater(coding, inner, signal), source);
}

export interface Prefix {
  bytes: Uint8Array;
  /** The source ended within the prefix. */
  complete: boolean;
  /** Why the source failed (corrupt or cut short coded data) after `bytes`; the prefix is still good. */
  error?: unknown;
}

/**
 * At most `maxBytes` from `source`, pulled no further than that; the source is cancelled unless it ended. A failing
 * source ends the prefix where it failed; an abort of `signal` is thrown.
 */
export async function readPrefix(source: ByteSource, maxBytes: number, signal: AbortSignal): Promise<Prefix> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let complete = false;
  let error: unknown;
  try {
    while (total < maxBytes) {
      const chunk = await source.pull(maxBytes - total);
      if (chunk === null) {
        complete = true;
        break;
      }
      chunks.push(chunk);
      total += chunk.byteLength;
    }
  } catch (e) {
    if (signal.aborted) throw e;
    error = e;
  } finally {
    source.cancel();
  }
  return error === undefined ? { bytes: concat(chunks), complete } : { bytes: concat(chunks), complete, error };
}

/** One chunk is returned as is; several are joined. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : joinBytes(chunks);
}
