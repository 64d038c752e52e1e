import { describe, expect, inject, it, vi } from "vitest";
import { createExecutor, type ExecutionRequest } from "../../../src/engine/executors";
import { createHttpExecutor, parseRetryAfter } from "../../../src/engine/executors/http";

const port = inject("targetPort");
const base = `http://127.0.0.1:${port}`;
const local = createHttpExecutor({ allowPrivateTargets: true });

function req(endpointUrl: string, extra: Partial<ExecutionRequest> = {}): ExecutionRequest {
  return { executionId: "exe_test", endpointUrl, method: "GET", headers: {}, body: null, timeoutSeconds: 5, ...extra };
}

/** A fetch that sends *.example.com to the loopback server, so guarded executors can be tested for real. */
function publicAlias(): typeof fetch {
  return vi.fn<typeof fetch>((input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.hostname.endsWith(".example.com")) {
      url.hostname = "127.0.0.1";
      url.port = String(port);
    }
    return fetch(url, init);
  });
}

function spyFetch() {
  return vi.fn<typeof fetch>(() => Promise.reject(new Error("fetch must not be called")));
}

describe("http executor: responses", () => {
  it("records a 200 as success", async () => {
    const r = await local.execute(req(`${base}/ok`));
    expect(r).toMatchObject({
      status: "success",
      responseCode: 200,
      responseBody: '{"ok":true,"message":"hello"}',
      errorMessage: null,
      retryAfterSeconds: null,
    });
    expect(r.responseTimeMs).toBeGreaterThanOrEqual(0);
    expect(r.responseTimeMs).toBeLessThan(1000);
  });

  it("records a 500 as failure with its body", async () => {
    const r = await local.execute(req(`${base}/status/500`));
    expect(r).toMatchObject({
      status: "failure",
      responseCode: 500,
      responseBody: '{"error":"boom","status":500}',
      errorMessage: "Endpoint returned status code 500",
      retryAfterSeconds: null,
    });
  });

  it("records a 404 as failure", async () => {
    const r = await local.execute(req(`${base}/status/404`));
    expect(r).toMatchObject({
      status: "failure",
      responseCode: 404,
      errorMessage: "Endpoint returned status code 404",
    });
  });

  it("stores an empty body as null", async () => {
    const r = await local.execute(req(`${base}/empty`));
    expect(r).toMatchObject({ status: "success", responseCode: 200, responseBody: null });
  });

  it("sends the job's method, headers and body with the edgecron User-Agent", async () => {
    const r = await local.execute(
      req(`${base}/echo`, {
        method: "post",
        headers: { "Content-Type": "application/json", "X-Job": "nightly" },
        body: '{"run":1}',
      }),
    );
    const echo = JSON.parse(r.responseBody ?? "");
    expect(echo.method).toBe("POST");
    expect(echo.body).toBe('{"run":1}');
    expect(echo.headers["user-agent"]).toBe("edgecron/1.0");
    expect(echo.headers["x-job"]).toBe("nightly");
    expect(echo.headers["content-type"]).toBe("application/json");
  });

  it("keeps a User-Agent the job sets and drops a body on GET", async () => {
    const r = await local.execute(req(`${base}/echo`, { headers: { "user-agent": "acme-bot/2" }, body: "ignored" }));
    const echo = JSON.parse(r.responseBody ?? "");
    expect(echo).toMatchObject({ method: "GET", body: "" });
    expect(echo.headers["user-agent"]).toBe("acme-bot/2");
  });

  it("parses Retry-After seconds on a 503", async () => {
    const r = await local.execute(req(`${base}/retry-after`));
    expect(r).toMatchObject({ status: "failure", responseCode: 503, retryAfterSeconds: 7 });
  });

  it("parses a Retry-After HTTP-date on a 429", async () => {
    const r = await local.execute(req(`${base}/retry-after-date`));
    expect(r).toMatchObject({ status: "failure", responseCode: 429 });
    expect(r.retryAfterSeconds).toBeGreaterThan(100);
    expect(r.retryAfterSeconds).toBeLessThanOrEqual(121);
  });
});

describe("http executor: body cap", () => {
  it("reads at most 1 KB of a 10 MB body and cancels the rest", async () => {
    const started = Date.now();
    const r = await local.execute(req(`${base}/big`));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r).toMatchObject({ status: "success", responseCode: 200, responseBody: "x".repeat(1024) });
    // The server stops once the connection goes away: far less than 10 MB was ever sent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stats = (await (await fetch(`${base}/big-stats`)).json()) as { bytesWritten: number };
    expect(stats.bytesWritten).toBeLessThan(10 * 1024 * 1024);
  });

  it("cuts on a character boundary", async () => {
    const r = await local.execute(req(`${base}/utf8`));
    expect(r.responseBody).toBe("a".repeat(1023));
  });
});

describe("http executor: content codings", () => {
  const text = "Hello, codings: café ✓";
  const encodedUrl = (params: Record<string, string>) => `${base}/encoded?${new URLSearchParams(params)}`;
  const run = (params: Record<string, string>) => local.execute(req(encodedUrl(params)));

  it.each([
    ["gzip", "gzip"],
    ["gzip", "x-gzip"],
    ["gzip", "GZIP"],
    ["gzip", "X-Gzip"],
    ["deflate", "deflate"],
    ["deflate-raw", "deflate"],
    ["deflate", "Deflate"],
    ["gzip,gzip", "gzip, gzip"],
    ["gzip,gzip", "GZIP,x-gzip"],
    ["deflate-raw,gzip", "deflate, gzip"],
    ["gzip,deflate,gzip", "gzip , deflate , gzip"],
    ["identity", "identity"],
    ["gzip", "identity, gzip"],
  ])("undoes %s sent as Content-Encoding %j, keeping the header", async (apply, ce) => {
    const r = await run({ apply, ce, text });
    expect(r).toMatchObject({ status: "success", responseCode: 200, responseBody: text });
    expect(r.responseHeaders?.["content-encoding"]).toBe(ce);
  });

  it("undoes a coding of a chunked body (no Content-Length)", async () => {
    const r = await run({ apply: "gzip,gzip", text, length: "none" });
    expect(r.responseBody).toBe(text);
    expect(r.responseHeaders?.["content-length"]).toBeUndefined();
  });

  it("keeps 1 KB of decoded text, cut on a character boundary", async () => {
    const r = await run({ apply: "deflate", text: `${"a".repeat(1023)}€${"b".repeat(5000)}` });
    expect(r.responseBody).toBe("a".repeat(1023));
    const long = await run({ apply: "gzip,gzip", text: "0123456789", repeat: "500" });
    expect(long.responseBody).toBe("0123456789".repeat(103).slice(0, 1024));
  });

  it.each(["gzip", "gzip,gzip", "deflate", "deflate-raw"])(
    "a 10 MB bomb sent as %s decodes only its first 1 KB",
    async (apply) => {
      const started = Date.now();
      const r = await run({
        apply,
        ce: apply.replace("-raw", "").replaceAll(",", ", "),
        text: "0",
        repeat: "10485760",
      });
      expect(r).toMatchObject({ status: "success", responseBody: "0".repeat(1024) });
      // Decoding all 10 MB would still be fast; test/lib/content-coding.test.ts counts the bytes instead.
      expect(Date.now() - started).toBeLessThan(5000);
    },
  );

  it("decodes the charset of a coded body", async () => {
    const r = await run({ apply: "gzip", hex: "636166e9", type: "text/plain; charset=iso-8859-1" });
    expect(r.responseBody).toBe("café");
  });

  it.each([
    ["zstd", "zstd"],
    ["br", "br"],
    ["identity", "compress"],
    ["gzip,br", "gzip, br"],
    ["gzip", "gzip, gzip, gzip, gzip"],
  ])("stores a body sent with %s as Content-Encoding %j as a note with its size", async (apply, ce) => {
    const r = await run({ apply, ce, text: "x".repeat(2000) });
    const size = r.responseHeaders?.["content-length"];
    expect(r.responseBody).toBe(
      `[binary body: ${Number(size).toLocaleString("en-US")} bytes, content-encoding ${ce.toLowerCase()}]`,
    );
    expect(r.responseHeaders?.["content-encoding"]).toBe(ce);
  });

  it("sizes a note without Content-Length by counting up to 1,025 bytes", async () => {
    const big = await run({ ce: "zstd", text: "x", repeat: "5000", length: "none" });
    expect(big.responseBody).toBe("[binary body: ≥ 1,025 bytes, content-encoding zstd]");
    const small = await run({ ce: "zstd", hex: "28b52ffd00", length: "none" });
    expect(small.responseBody).toBe("[binary body: 5 bytes, content-encoding zstd]");
    const one = await run({ ce: "br", hex: "3b", length: "none" });
    expect(one.responseBody).toBe("[binary body: 1 byte, content-encoding br]");
  });

  it.each([
    ["image/png", "", "[binary body: 8 bytes, content-type image/png]"],
    ["application/octet-stream; x=1", "", "[binary body: 8 bytes, content-type application/octet-stream]"],
    [
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "",
      "[binary body: 8 bytes, content-type application/vnd.openxmlformats-officedocument.wordprocessingml.document]",
    ],
    ["application/x-protobuf", "", "[binary body: 8 bytes, content-type application/x-protobuf]"],
  ])("stores a body of type %s as a note, never as mojibake", async (type, apply, note) => {
    const r = await run({ type, apply, hex: "89504e470d0a1a0a" });
    expect(r.responseBody).toBe(note);
  });

  it("names both the type and the coding of a coded binary body, without decoding it", async () => {
    const r = await run({ type: "image/png", apply: "gzip", hex: "89504e470d0a1a0a" });
    const size = r.responseHeaders?.["content-length"];
    expect(r.responseBody).toBe(`[binary body: ${size} bytes, content-type image/png, content-encoding gzip]`);
  });

  it.each([
    ["", "[binary body: 6 bytes]"],
    ["text/plain", "[binary body: 6 bytes, content-type text/plain]"],
  ])("sniffs binary bytes in a body typed %j (WHATWG MIME Sniffing)", async (type, note) => {
    expect((await run({ type, hex: "00010203ff41" })).responseBody).toBe(note);
    const coded = await run({ type, apply: "gzip", hex: "00010203ff41" });
    expect(coded.responseBody).toMatch(
      /^\[binary body: \d+ bytes(, content-type text\/plain)?, content-encoding gzip\]$/,
    );
  });

  it("keeps text that merely looks unusual: JSON, SVG, UTF-16 with its NULs", async () => {
    expect((await run({ type: "image/svg+xml", text: "<svg/>" })).responseBody).toBe("<svg/>");
    expect((await run({ type: "application/problem+json", text: "{}" })).responseBody).toBe("{}");
    const utf16 = await run({ type: "text/plain; charset=utf-16le", hex: "680069002000e9" + "00" });
    expect(utf16.responseBody).toBe("hi é");
  });

  it("notes a body that is not what its coding says", async () => {
    const r = await run({ ce: "gzip", text: "plain text, not gzip" });
    expect(r.responseBody).toBe("[binary body: 20 bytes, content-encoding gzip, corrupt data]");
  });

  it("stores an empty coded body as null", async () => {
    expect((await run({ ce: "gzip", text: "" })).responseBody).toBeNull();
    expect((await run({ ce: "zstd", text: "" })).responseBody).toBeNull();
    expect((await run({ type: "image/png", text: "", length: "none" })).responseBody).toBeNull();
  });

  it("asks for the codings it can undo, unless the job chose its own Accept-Encoding", async () => {
    const echo = JSON.parse((await local.execute(req(`${base}/echo`))).responseBody ?? "");
    expect(echo.headers["accept-encoding"]).toBe("gzip, deflate");
    const own = await local.execute(req(`${base}/echo`, { headers: { "Accept-Encoding": "identity" } }));
    expect(JSON.parse(own.responseBody ?? "").headers["accept-encoding"]).toBe("identity");
  });
});

describe("http executor: request charset", () => {
  const sent = async (contentType: string, body: string) => {
    const r = await local.execute(
      req(`${base}/echo-bytes`, { method: "POST", headers: { "Content-Type": contentType }, body }),
    );
    return JSON.parse(r.responseBody ?? "") as { contentType: string; hex: string };
  };
  const hex = (s: string) => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, "0")).join("");

  it.each([
    ["text/plain; charset=iso-8859-1", "café €", "636166e92080"],
    ["text/plain; charset=latin1", "café", "636166e9"],
    ['text/plain; charset="windows-1251"', "Привет", "cff0e8e2e5f2"],
    ["text/plain;charset=KOI8-R", "да", "c4c1"],
    ["application/x-www-form-urlencoded; charset=iso-8859-15", "prix=€", "707269783da4"],
  ])("encodes the body in a declared single-byte charset: %s", async (contentType, body, bytes) => {
    const got = await sent(contentType, body);
    expect(got).toEqual({ contentType, hex: bytes });
  });

  it.each([
    ["text/plain", "café"],
    ["text/plain; charset=utf-8", "café"],
    // Stored before create/update refused them: sent as UTF-8, as they always were.
    ["text/plain; charset=iso-8859-1", "tick ✓"],
    ["text/plain; charset=shift_jis", "日本"],
    ["text/plain; charset=no-such-charset", "café"],
  ])("sends UTF-8 for %s", async (contentType, body) => {
    expect((await sent(contentType, body)).hex).toBe(hex(body));
  });

  it("sends the same encoded bytes again on a 307", async () => {
    const key = crypto.randomUUID();
    const r = await local.execute(
      req(`${base}/redirect?status=307&to=${encodeURIComponent(`/capture/${key}`)}`, {
        method: "POST",
        headers: { "Content-Type": "text/plain; charset=iso-8859-1" },
        body: "é",
      }),
    );
    expect(r.status).toBe("success");
    const [got] = (await (await fetch(`${base}/captured/${key}`)).json()) as Array<{ body: string }>;
    // The target reads the body as UTF-8: one latin-1 byte is one replacement character.
    expect(got?.body).toBe("\ufffd");
  });
});

describe("http executor: timeouts and network errors", () => {
  it("times out waiting for headers", async () => {
    const started = Date.now();
    const r = await local.execute(req(`${base}/slow`, { timeoutSeconds: 1 }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r).toEqual({
      status: "timeout",
      responseCode: null,
      responseBody: null,
      errorMessage: "Request timed out after 1 seconds",
      responseTimeMs: 1000,
      retryAfterSeconds: null,
    });
  });

  it("times out when the body stalls after the headers", async () => {
    const r = await local.execute(req(`${base}/slow-body`, { timeoutSeconds: 1 }));
    expect(r).toMatchObject({ status: "timeout", responseCode: null, responseBody: null });
  });

  it("reports a refused connection as an error", async () => {
    const r = await local.execute(req(`http://127.0.0.1:${inject("closedPort")}/ok`));
    expect(r).toMatchObject({ status: "error", responseCode: null, responseBody: null, retryAfterSeconds: null });
    expect(r.errorMessage).toMatch(/^(Connection refused|Network connection lost)$/);
  });

  it("reports an invalid URL as an error without fetching", async () => {
    const fetch = spyFetch();
    const r = await createHttpExecutor({ allowPrivateTargets: true, fetch }).execute(req("not a url"));
    expect(r).toEqual({
      status: "error",
      responseCode: null,
      responseBody: null,
      errorMessage: "Invalid URL: endpoint_url is not an absolute URL",
      responseTimeMs: null,
      retryAfterSeconds: null,
    });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("reports invalid request headers as an error", async () => {
    const r = await local.execute(req(`${base}/ok`, { headers: { "bad header": "x" } }));
    expect(r.status).toBe("error");
    expect(r.errorMessage).toMatch(/^Invalid request headers: /);
  });

  it("passes other runtime errors through", async () => {
    const odd = vi.fn<typeof fetch>(() => Promise.reject(new TypeError("Something odd happened.")));
    const r = await createHttpExecutor({ allowPrivateTargets: false, fetch: odd }).execute(
      req("https://api.example.com/"),
    );
    expect(r).toMatchObject({ status: "error", errorMessage: "Something odd happened" });
  });
});

describe("http executor: target guard", () => {
  it.each([
    [`${base}/ok`, `Refused target: 127.0.0.1 is a loopback address (127.0.0.0/8)`],
    [
      "http://169.254.169.254/latest/meta-data/",
      "Refused target: 169.254.169.254 is a cloud metadata address (169.254.169.254/32)",
    ],
    ["http://[::1]/", "Refused target: ::1 is the loopback address (::1/128)"],
    ["http://localhost:8787/", "Refused target: localhost is an internal host name"],
  ])("refuses %s without fetching", async (url, message) => {
    const fetch = spyFetch();
    const r = await createHttpExecutor({ allowPrivateTargets: false, fetch }).execute(req(url));
    expect(r).toMatchObject({ status: "error", responseCode: null, errorMessage: message, responseTimeMs: null });
    expect(fetch).not.toHaveBeenCalled();
  });

  it.each([
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"],
    ["http://10.0.0.1/", "10.0.0.1 is a private address"],
    ["http://[fe80::1]/", "fe80::1 is a link-local address"],
  ])("with private targets allowed (loopback only), still refuses %s", async (url, message) => {
    const fetch = spyFetch();
    const r = await createHttpExecutor({ allowPrivateTargets: true, fetch }).execute(req(url));
    expect(r).toMatchObject({ status: "error", responseCode: null });
    expect(r.errorMessage).toContain(`Refused target: ${message}`);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("with private targets allowed, follows a redirect to loopback but not to the metadata address", async () => {
    expect(await local.execute(req(`${base}/redirect-loopback`))).toMatchObject({ status: "success" });
    const r = await local.execute(req(`${base}/redirect-private`));
    expect(r.errorMessage).toBe(
      "Refused redirect target: 169.254.169.254 is a cloud metadata address (169.254.169.254/32)",
    );
  });

  it("refuses non-http schemes even when private targets are allowed", async () => {
    const fetch = spyFetch();
    const r = await createHttpExecutor({ allowPrivateTargets: true, fetch }).execute(req("ftp://example.com/f"));
    expect(r.errorMessage).toBe('Refused target: Unsupported URL scheme "ftp": only http and https are allowed');
    expect(fetch).not.toHaveBeenCalled();
  });

  it.each([
    ["/redirect-private", "Refused redirect target: 169.254.169.254 is a cloud metadata address"],
    ["/redirect-loopback", "Refused redirect target: 127.0.0.1 is a loopback address"],
    ["/redirect?to=ftp://files.example.com/x", 'Refused redirect target: Unsupported URL scheme "ftp"'],
  ])("refuses a redirect %s to a private address", async (path, message) => {
    const fetch = publicAlias();
    const r = await createHttpExecutor({ allowPrivateTargets: false, fetch }).execute(
      req(`http://hooks.example.com${path}`),
    );
    expect(r).toMatchObject({ status: "error", responseCode: null, responseBody: null });
    expect(r.errorMessage).toContain(message);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe("http executor: redirects", () => {
  it("follows up to 5 redirects", async () => {
    const r = await local.execute(req(`${base}/redirect-chain/4`));
    expect(r).toMatchObject({ status: "success", responseCode: 200, responseBody: '{"ok":true,"message":"hello"}' });
  });

  it("gives up after 5 redirects", async () => {
    const r = await local.execute(req(`${base}/redirect-chain/5`));
    expect(r).toMatchObject({ status: "error", responseCode: null, errorMessage: "Too many redirects (more than 5)" });
  });

  it("records a 3xx without Location as failure", async () => {
    const r = await local.execute(req(`${base}/no-location`));
    expect(r).toMatchObject({
      status: "failure",
      responseCode: 302,
      responseBody: '{"moved":"somewhere"}',
      errorMessage: "Endpoint returned status code 302",
    });
  });

  it("turns a POST into a bodiless GET on 303", async () => {
    const r = await local.execute(
      req(`${base}/redirect?status=303&to=/echo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    );
    const echo = JSON.parse(r.responseBody ?? "");
    expect(echo).toMatchObject({ method: "GET", body: "" });
    expect(echo.headers["content-type"]).toBeUndefined();
  });

  it("keeps method and body on 307", async () => {
    const r = await local.execute(req(`${base}/redirect?status=307&to=/echo`, { method: "PUT", body: "payload" }));
    expect(JSON.parse(r.responseBody ?? "")).toMatchObject({ method: "PUT", body: "payload" });
  });

  it("keeps every header on a same-origin redirect and drops them across origins (public names)", async () => {
    const executor = createHttpExecutor({ allowPrivateTargets: false, fetch: publicAlias() });
    const headers = { authorization: "Bearer secret", "x-job": "1" };
    const same = await executor.execute(req("http://a.example.com/redirect?to=/echo", { headers }));
    expect(JSON.parse(same.responseBody ?? "").headers).toMatchObject(headers);
    const cross = await executor.execute(
      req(`http://a.example.com/redirect?to=${encodeURIComponent("http://b.example.com/echo")}`, { headers }),
    );
    const echoed = JSON.parse(cross.responseBody ?? "").headers;
    expect(echoed.authorization).toBeUndefined();
    expect(echoed["x-job"]).toBeUndefined();
  });
});

describe("http executor: redirects across origins", () => {
  // Two loopback servers on different ports: two origins.
  const other = `http://127.0.0.1:${inject("otherTargetPort")}`;
  // What a run sends: the job's headers (credentials under any name) and edgecron's identity and signature.
  const sent = {
    Authorization: "Bearer sk_live",
    Cookie: "session=1",
    "X-Api-Key": "key_live",
    "X-Auth-Token": "tok_live",
    "X-Plain": "not-secret-by-name",
    "Content-Type": "application/json",
    "User-Agent": "acme-bot/2",
    "X-Edgecron-Request-Signature": "t=1700000000,v1=abcd",
    "Idempotency-Key": "exe_first",
    "X-Edgecron-Execution-Id": "exe_first",
    "X-Edgecron-Attempt": "0",
    "X-Edgecron-Job-Id": "job_1",
    "X-Edgecron-Scheduled-At": "2026-01-01T00:00:00Z",
  };
  const lower = Object.fromEntries(Object.entries(sent).map(([k, v]) => [k.toLowerCase(), v]));
  // What the runtime adds to any request by itself.
  const transport = new Set([
    "host",
    "connection",
    "accept",
    "accept-encoding",
    "content-length",
    "cf-worker",
    "cf-ray",
  ]);

  async function captured(key: string) {
    const res = await fetch(`${base}/captured/${key}`);
    return (await res.json()) as Array<{ method: string; headers: Record<string, string>; body: string }>;
  }
  const redirect = (code: number, to: string) => `${base}/redirect?status=${code}&to=${encodeURIComponent(to)}`;
  const post = { method: "POST", headers: sent, body: '{"secret":"payload"}' };

  it.each([301, 302, 303, 307, 308])("same origin, %i: followed with every header", async (code) => {
    const key = crypto.randomUUID();
    const r = await local.execute(req(redirect(code, `/capture/${key}`), post));
    expect(r).toMatchObject({ status: "success", responseCode: 200 });
    const [got] = await captured(key);
    const keepsBody = code === 307 || code === 308;
    expect(got?.method).toBe(keepsBody ? "POST" : "GET");
    expect(got?.body).toBe(keepsBody ? post.body : "");
    const { "content-type": contentType, ...rest } = lower;
    expect(got?.headers).toMatchObject(keepsBody ? lower : rest);
  });

  it.each([301, 302, 303])(
    "another origin, %i of a POST: followed as a GET with no header of the request",
    async (code) => {
      const key = crypto.randomUUID();
      const r = await local.execute(req(redirect(code, `${other}/capture/${key}`), post));
      expect(r).toMatchObject({ status: "success", responseCode: 200 });
      const [got, ...more] = await captured(key);
      expect(more).toEqual([]);
      expect(got).toMatchObject({ method: "GET", body: "" });
      expect(got?.headers.host).toBe(new URL(other).host);
      expect(got?.headers["user-agent"]).toBe("edgecron/1.0");
      expect(Object.keys(got?.headers ?? {}).filter((h) => !transport.has(h))).toEqual(["user-agent"]);
    },
  );

  it.each([
    [307, "POST"],
    [308, "POST"],
    [301, "PUT"],
    [302, "PATCH"],
    [307, "DELETE"],
  ])("another origin, %i of a %s with a body: not followed, the redirect is the outcome", async (code, method) => {
    const key = crypto.randomUUID();
    const r = await local.execute(req(redirect(code, `${other}/capture/${key}?x=1`), { ...post, method }));
    expect(r).toMatchObject({
      status: "failure",
      responseCode: code,
      errorMessage: `Redirect to another origin not followed: it would resend the request body to ${other}`,
      retryAfterSeconds: null,
    });
    expect(r.responseHeaders?.location).toBe(`${other}/capture/${key}?x=1`);
    expect(await captured(key)).toEqual([]);
  });

  it.each([307, 308])("another origin, %i of a GET (no body): followed with no header of the request", async (code) => {
    const key = crypto.randomUUID();
    const r = await local.execute(req(redirect(code, `${other}/capture/${key}`), { headers: sent }));
    expect(r).toMatchObject({ status: "success", responseCode: 200 });
    const [got] = await captured(key);
    expect(got?.method).toBe("GET");
    expect(Object.keys(got?.headers ?? {}).filter((h) => !transport.has(h))).toEqual(["user-agent"]);
  });

  it("headers dropped on leaving the origin stay dropped when a later hop comes back", async () => {
    const key = crypto.randomUUID();
    const back = `${other}/redirect?status=302&to=${encodeURIComponent(`${base}/capture/${key}`)}`;
    const r = await local.execute(req(redirect(302, back), { headers: sent }));
    expect(r).toMatchObject({ status: "success", responseCode: 200 });
    const [got] = await captured(key);
    expect(got?.headers.host).toBe(new URL(base).host);
    expect(Object.keys(got?.headers ?? {}).filter((h) => !transport.has(h))).toEqual(["user-agent"]);
  });

  it("a job's success rules judge the redirect it did not follow, keeping the reason", async () => {
    const { judge } = await import("../../../src/jobs/success-rules");
    const r = await local.execute(req(redirect(307, `${other}/ok`), post));
    const failed = judge({ successRules: null }, r);
    expect(failed).toMatchObject({ status: "failure", decidedBy: "status_codes" });
    expect(failed.errorMessage).toMatch(/^Redirect to another origin not followed: /);
    const accepted = judge({ successRules: JSON.stringify({ status_codes: "200-399" }) }, r);
    expect(accepted).toMatchObject({ status: "success", errorMessage: null });
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2024, 0, 1, 12, 0, 0);
  it.each([
    ["7", 7],
    [" 0 ", 0],
    ["3600", 3600],
    ["Mon, 01 Jan 2024 12:01:30 GMT", 90],
    ["Mon, 01 Jan 2024 11:00:00 GMT", 0],
    ["Monday, 01-Jan-24 12:00:10 GMT", 10],
    ["-5", null],
    ["1.5", null],
    ["soon", null],
    ["", null],
  ] as const)("%j → %j", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it("is null when absent", () => {
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("createExecutor", () => {
  it("builds the mock or the http executor", async () => {
    const mock = createExecutor("mock");
    const r = await mock.execute(req("http://127.0.0.1:1/never-fetched"));
    expect(["success", "failure", "error", "timeout"]).toContain(r.status);
    const http = createExecutor("http", { allowPrivateTargets: false });
    expect((await http.execute(req(`${base}/ok`))).errorMessage).toMatch(/^Refused target/);
  });
});
