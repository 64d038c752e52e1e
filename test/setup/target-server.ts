/**
 * Vitest globalSetup (runs in Node, outside workerd): a real loopback HTTP server for the http executor's tests.
 * Provides `targetPort` (the server), `otherTargetPort` (a second one with the same routes: another origin, for
 * cross-origin redirects) and `closedPort` (a port nothing listens on, for "connection refused").
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as zlib from "node:zlib";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    targetPort: number;
    otherTargetPort: number;
    closedPort: number;
  }
}

const BIG_BYTES = 10 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, "x");
/** Long enough to outlive every test timeout (the tests use timeoutSeconds: 1). */
const SLOW_MS = 5_000;

/** Requests per key seen by /capture/{key} (method, URL, headers, body), read back by /captured/{key}. */
const captured = new Map<
  string,
  Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string }>
>();

/** Requests per key seen by /count/{key}: the target's own count of calls, for exactly-once tests. */
const counts = new Map<string, number>();

/** The body codings /encoded can apply, as Node's zlib does them (zstd where this Node has it). */
const CODERS: Record<string, (b: Buffer) => Buffer> = {
  gzip: (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
  "deflate-raw": (b) => zlib.deflateRawSync(b),
  br: (b) => zlib.brotliCompressSync(b),
  zstd: (b) => (zlib as unknown as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync?.(b) ?? b,
  identity: (b) => b,
};

/**
 * /encoded?text=…&repeat=N&hex=…&apply=gzip,gzip&ce=…&type=…&length=none: the text (repeated N times, or the hex
 * bytes) with each coding of `apply` applied in order, sent with `ce` as Content-Encoding (default: `apply`).
 */
function encoded(url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  const hex = q.get("hex");
  let body: Buffer =
    hex !== null
      ? Buffer.from(hex, "hex")
      : Buffer.from((q.get("text") ?? "hello").repeat(Number(q.get("repeat") ?? 1)));
  const apply = (q.get("apply") ?? "").split(",").filter(Boolean);
  for (const coding of apply) body = (CODERS[coding] ?? ((b: Buffer) => b))(body);
  const headers: Record<string, string> = {};
  const type = q.get("type") ?? "text/plain; charset=utf-8";
  if (type) headers["content-type"] = type;
  const ce = q.get("ce") ?? apply.join(", ");
  if (ce) headers["content-encoding"] = ce;
  // length=none: chunked, so the reader cannot know the size in advance.
  if (q.get("length") !== "none") headers["content-length"] = String(body.length);
  res.writeHead(200, headers);
  res.write(body);
  res.end();
}

/** Bytes /big managed to write before the client went away, so tests can prove the body was not drained. */
let lastBigBytesWritten = 0;

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function streamBig(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/plain", "content-length": String(BIG_BYTES) });
  let written = 0;
  lastBigBytesWritten = 0;
  const pump = () => {
    while (written < BIG_BYTES && !res.destroyed) {
      const part = CHUNK.subarray(0, Math.min(CHUNK.length, BIG_BYTES - written));
      written += part.length;
      lastBigBytesWritten = written;
      if (!res.write(part)) return void res.once("drain", pump);
    }
    if (written >= BIG_BYTES) res.end();
  };
  req.socket.on("close", () => res.destroy());
  pump();
}

function stall(req: IncomingMessage, then: () => void): void {
  const timer = setTimeout(then, SLOW_MS);
  req.socket.on("close", () => clearTimeout(timer));
}

async function handle(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
  const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
  const path = url.pathname;
  const status = /^\/status\/(\d{3})$/.exec(path);
  const chain = /^\/redirect-chain\/(\d+)$/.exec(path);
  if (path === "/ok") return json(res, 200, { ok: true, message: "hello" });
  const counted = /^\/count\/([\w-]+)$/.exec(path);
  if (counted) {
    // /count/{key}?fail=N: counts the call; the first N calls of the key answer 500, later ones 200.
    const key = counted[1] as string;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    const fail = Number(url.searchParams.get("fail") ?? 0);
    return n <= fail ? json(res, 500, { call: n }) : json(res, 200, { call: n });
  }
  const capture = /^\/capture\/([\w-]+)$/.exec(path);
  if (capture) {
    // /capture/{key}?fail=N: keeps the request; the first N requests of the key answer 500.
    const list = captured.get(capture[1] as string) ?? [];
    list.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: await readBody(req) });
    captured.set(capture[1] as string, list);
    return json(res, list.length <= Number(url.searchParams.get("fail") ?? 0) ? 500 : 200, { n: list.length });
  }
  if (path.startsWith("/headers/")) {
    // Headers a log keeps and ones it must not: an over-long request id, a cookie, an unlisted header.
    return json(
      res,
      200,
      { ok: true },
      {
        "x-request-id": "r".repeat(300),
        "set-cookie": "session=secret",
        "x-internal": "hidden",
        location: "/elsewhere",
      },
    );
  }
  if (path === "/credential-headers") {
    // Echoes the request's credentials back in credential response headers, and X-Plain in an allow-listed one.
    const h = (name: string) => String(req.headers[name] ?? "none");
    return json(
      res,
      200,
      { ok: true },
      {
        "set-cookie": h("cookie"),
        authorization: h("authorization"),
        "www-authenticate": `Bearer realm="edgecron", error_description="${h("x-api-key")}"`,
        "proxy-authenticate": `Basic realm="${h("authorization")}"`,
        "x-api-key": h("x-api-key"),
        cookie: h("cookie"),
        "x-request-id": h("x-plain"),
      },
    );
  }
  if (path === "/moved") {
    // 307 to /ok on the ?to= origin, carrying the request's query along (as a moved API often does).
    const to = new URL(`/ok${url.search}`, url.searchParams.get("to") ?? url.origin);
    return void res.writeHead(307, { location: to.toString() }).end();
  }
  const read = /^\/captured\/([\w-]+)$/.exec(path);
  if (read) return json(res, 200, captured.get(read[1] as string) ?? []);
  const seen = /^\/counts\/([\w-]+)$/.exec(path);
  if (seen) return json(res, 200, { calls: counts.get(seen[1] as string) ?? 0 });
  if (status) return json(res, Number(status[1]), { error: "boom", status: Number(status[1]) });
  if (path === "/slow") return stall(req, () => json(res, 200, { late: true }));
  if (path === "/slow-body") {
    // Headers at once, then the body stalls: the deadline must cover the body read too.
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("partial");
    return stall(req, () => res.end(" done"));
  }
  if (path === "/big") return streamBig(req, res);
  if (path === "/big-stats") return json(res, 200, { bytesWritten: lastBigBytesWritten });
  if (path === "/utf8") {
    // 1023 ASCII bytes then a 3-byte "€" that straddles the 1 KB cap.
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    return void res.end(`${"a".repeat(1023)}€${"b".repeat(100)}`);
  }
  if (path === "/encoded") return encoded(url, res);
  if (path === "/echo-bytes") {
    // The request body's bytes as hex, for tests of the charset a body is sent in.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return json(res, 200, {
      contentType: req.headers["content-type"] ?? null,
      hex: Buffer.concat(chunks).toString("hex"),
    });
  }
  if (path === "/empty") return void res.writeHead(200).end();
  if (path === "/echo") {
    return json(res, 200, { method: req.method, headers: req.headers, body: await readBody(req), url: req.url });
  }
  if (path === "/redirect-private")
    return void res.writeHead(302, { location: "http://169.254.169.254/latest/" }).end();
  if (path === "/redirect-loopback") {
    return void res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` }).end();
  }
  if (path === "/redirect") {
    const code = Number(url.searchParams.get("status") ?? 302);
    return void res.writeHead(code, { location: url.searchParams.get("to") ?? "/ok" }).end();
  }
  if (chain) {
    // /redirect-chain/{n}?status=307: n redirects of that code (302 by default), then /ok.
    const n = Number(chain[1]);
    const code = Number(url.searchParams.get("status") ?? 302);
    return void res.writeHead(code, { location: n > 0 ? `/redirect-chain/${n - 1}${url.search}` : "/ok" }).end();
  }
  if (path === "/no-location") return json(res, 302, { moved: "somewhere" });
  if (path === "/retry-after") return json(res, 503, { error: "maintenance" }, { "retry-after": "7" });
  if (path === "/retry-after-date") {
    const at = new Date(Date.now() + 120_000).toUTCString();
    return json(res, 429, { error: "slow down" }, { "retry-after": at });
  }
  json(res, 404, { error: "no such route", path });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function startTarget(): Promise<{ server: Server; port: number }> {
  let port = 0;
  const server = createServer((req, res) => {
    handle(req, res, port).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(e) });
      else res.destroy();
    });
  });
  port = await listen(server);
  return { server, port };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { server, port } = await startTarget();
  // Shares /capture and /count state with the first: a test reads what either received (the host header tells).
  const other = await startTarget();

  // Bind then release a port: nothing listens there afterwards, so connecting is refused.
  const probe = createServer();
  const closedPort = await listen(probe);
  await close(probe);

  project.provide("targetPort", port);
  project.provide("otherTargetPort", other.port);
  project.provide("closedPort", closedPort);
  return async () => {
    await Promise.all([close(server), close(other.server)]);
  };
}
