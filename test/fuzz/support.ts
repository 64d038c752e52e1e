/**
 * Shared pieces of the property-based HTTP fuzz suites: hostile inputs, the request they make up, and the
 * invariants every response must keep (no 5xx; every 4xx a well-formed problem; rejected requests leave the
 * stored rows untouched; nothing pollutes Object.prototype).
 */
import { SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { expect, inject } from "vitest";
import { createApp } from "../../src/app";
import { shardBinding, shardNumbers } from "../../src/shards/bindings";
import { BASE, bodyText } from "../helpers/http";

/** Runs per property: the whole fuzz suite stays well under a minute. */
export const RUNS = 120;
/** Per-test timeout for a property. */
export const FUZZ_TIMEOUT = 60_000;

/** A loopback port nothing listens on: the only URL a fuzzed job may point at (no test touches the network). */
export const SAFE_URL = `http://127.0.0.1:${inject("closedPort")}/fuzz`;

// ---------------------------------------------------------------------------------------------------------------
// Hostile values

const NASTY = [
  "' OR '1'='1",
  "1; DROP TABLE cron_jobs; --",
  '" OR ""="',
  "1 UNION SELECT id, secret_hash FROM api_keys --",
  "%' --",
  "_%",
  "\\",
  "../",
  "../../etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "%2e%2e%2f",
  "..\\..\\windows\\win.ini",
  "\u0000",
  "a\u0000b",
  "%00",
  "\r\nX-Injected: 1",
  "%0d%0aSet-Cookie:%20x=1",
  "__proto__",
  "constructor",
  "prototype",
  "__defineGetter__",
  "toString",
  "hasOwnProperty",
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally.
  "${7*7}",
  "{{7*7}}",
  "%s%s%s%n",
  "javascript:alert(1)",
  "file:///etc/passwd",
  "NaN",
  "Infinity",
  "-Infinity",
  "-0",
  "1e400",
  "-1e400",
  "9007199254740993",
  "99999999999999999999999999",
  "0x7fffffff",
  "-1",
  "0",
  "1.5",
  "",
  " ",
  "\t",
  "null",
  "undefined",
  "true",
  "[]",
  "{}",
  "\uFEFF",
  "\u202Eevil",
  "\uD800",
  "\uDFFF",
  "𝕳𝖊𝖑𝖑𝖔",
  "💥💥💥",
  "e\u0301",
  "中文",
  "\u0640",
];

export const nasty = fc.constantFrom(...NASTY);

/** Any string a client might send: injection shapes, random unicode, control characters, long runs. */
export const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nasty },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 257, max: 12_000 }).map((n) => "A".repeat(n)) },
  { weight: 1, arbitrary: fc.tuple(nasty, nasty).map(([a, b]) => a + b) },
);

/** Integers and not-quite-integers as a query string would carry them. */
export const numeric = fc.oneof(
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double().map(String),
  fc.constantFrom("1e3", " 2", "0x10", "+1", "01", "1_000", "１"),
);

/** ISO 8601 shapes, valid and broken (no zone, impossible days, huge years, odd offsets). */
export const instant = fc.oneof(
  fc
    .date({ noInvalidDate: true })
    .chain((d) =>
      fc.constantFrom(
        d.toISOString(),
        d.toISOString().slice(0, 10),
        d.toISOString().slice(0, 19),
        `${d.toISOString().slice(0, 19)}+05:30`,
        `${d.toISOString().slice(0, 19)}-25:00`,
        `${d.toISOString().slice(0, 16)}Z`,
      ),
    ),
  fc.constantFrom(
    "2024-02-30",
    "2024-13-01",
    "0000-01-01",
    "1969-12-31",
    "2024-01-25T24:00:00Z",
    "2024-01-25T23:59:60Z",
    "2024-01-25T23:59:59.999999999Z",
    "99999-01-01",
    "+275760-09-13T00:00:00Z",
    "2024-W04",
    "yesterday",
  ),
);

/**
 * A string as a header can carry it: printable ASCII and tabs as they are, other UTF-8 bytes percent-escaped
 * (workerd would re-encode raw non-ASCII bytes anyway), CR, LF and NUL dropped.
 */
export function headerSafe(s: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(s)) {
    if (byte === 0x09 || (byte >= 0x20 && byte < 0x7f)) out += String.fromCharCode(byte);
    else if (byte >= 0x80) out += `%${byte.toString(16).toUpperCase()}`;
  }
  return out;
}

/** Encodes a path segment when it can (a lone surrogate cannot be percent-encoded). */
function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A path parameter: mostly one of the valid values, otherwise a mangled, random or hostile one. */
export function segment(valid: readonly string[]): fc.Arbitrary<string> {
  const pick = fc.constantFrom(...valid);
  return fc.oneof(
    { weight: 5, arbitrary: pick },
    { weight: 1, arbitrary: pick.map((v) => v.toUpperCase()) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: text.map(encodeSegment) },
    { weight: 1, arbitrary: text }, // raw: may add segments, a query or a fragment
    { weight: 1, arbitrary: fc.tuple(pick, text).map(([v, s]) => v + encodeSegment(s)) },
    { weight: 1, arbitrary: fc.constantFrom("", ".", "..", "%2e%2e", "%2F", "%", "%zz", "%E0%A4%A") },
  );
}

function joinQuery(pairs: ReadonlyArray<readonly [string, string]>, raw: boolean): string {
  if (pairs.length === 0) return "";
  if (raw) return `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`;
  const params = new URLSearchParams();
  for (const [k, v] of pairs) params.append(k, v);
  return `?${params}`;
}

/** A query string over the documented parameter names (and others), with documented and hostile values. */
export function queryString(documented: Readonly<Record<string, string[]>>): fc.Arbitrary<string> {
  const names = Object.keys(documented);
  const key = fc.oneof(
    { weight: names.length > 0 ? 6 : 0, arbitrary: names.length > 0 ? fc.constantFrom(...names) : fc.constant("x") },
    { weight: 1, arbitrary: nasty },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const hostile = fc.oneof(
    { weight: 2, arbitrary: numeric },
    { weight: 2, arbitrary: instant },
    { weight: 3, arbitrary: text },
  );
  const pair = key.chain((k) => {
    const values = Object.hasOwn(documented, k) ? (documented[k] ?? []) : [];
    const value =
      values.length > 0
        ? fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...values) }, { weight: 2, arbitrary: hostile })
        : hostile;
    return value.map((v) => [k, v] as const);
  });
  return fc
    .record({ pairs: fc.array(pair, { maxLength: 6 }), raw: fc.boolean() })
    .map(({ pairs, raw }) => joinQuery(pairs, raw));
}

/** A query string of documented parameters with documented values only (each at most once). */
export function documentedQuery(documented: Readonly<Record<string, string[]>>): fc.Arbitrary<string> {
  const names = Object.keys(documented).filter((n) => (documented[n] ?? []).length > 0);
  if (names.length === 0) return fc.constant("");
  return fc
    .subarray(names)
    .chain((picked) =>
      fc.tuple(...picked.map((n) => fc.constantFrom(...(documented[n] ?? [])).map((v) => [n, v] as const))),
    )
    .map((pairs) => joinQuery(pairs, false));
}

/** Headers fetch would refuse, or that would make the request itself inconsistent. */
const UNSENDABLE = new Set([
  "content-length",
  "transfer-encoding",
  "host",
  "connection",
  "upgrade",
  "expect",
  "te",
  "trailer",
  "keep-alive",
  "content-type",
  "x-api-key",
  "x-api-secret",
]);

/** Extra request headers: common ones with hostile values, random names, the odd oversized value. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc
    .oneof(
      fc.constantFrom(
        "Accept",
        "Accept-Encoding",
        "Content-Encoding",
        "X-Forwarded-For",
        "X-HTTP-Method-Override",
        "X-Request-Id",
        "If-None-Match",
        "If-Modified-Since",
        "Range",
        "Cookie",
        "Origin",
        "Authorization",
        "Referer",
        "User-Agent",
        "CF-Connecting-IP",
      ),
      fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}$/),
    )
    .filter((name) => !UNSENDABLE.has(name.toLowerCase())),
  text.map(headerSafe),
  { maxKeys: 4 },
);

export interface Creds {
  "X-API-Key": string;
  "X-API-Secret": string;
}

/** Credentials: mostly the right ones, else another account's, missing, half-right or hostile. */
export function credentials(valid: Creds, other: Creds): fc.Arbitrary<Record<string, string>> {
  const part = (right: string) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant(right) },
      { weight: 2, arbitrary: text.map(headerSafe) },
      fc.constant(undefined),
    );
  return fc.oneof(
    { weight: 10, arbitrary: fc.constant({ ...valid }) },
    { weight: 1, arbitrary: fc.constant({ ...other }) },
    { weight: 1, arbitrary: fc.constant({}) },
    {
      weight: 2,
      arbitrary: fc
        .record({ key: part(valid["X-API-Key"]), secret: part(valid["X-API-Secret"]) })
        .map(({ key, secret }) => {
          const h: Record<string, string> = {};
          if (key !== undefined) h["X-API-Key"] = key;
          if (secret !== undefined) h["X-API-Secret"] = secret;
          return h;
        }),
    },
  );
}

/** Content-Type of a body: mostly JSON, sometimes not, sometimes absent. */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant("application/json") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "application/json; charset=utf-8",
      "application/merge-patch+json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      "application/json; charset=utf-16",
      "application/jsonx",
      "*/*",
      "",
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: text.map(headerSafe) },
);

// ---------------------------------------------------------------------------------------------------------------
// JSON bodies

/** Values that break type expectations: numbers at the edges, nulls, arrays, objects, long strings. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      -1,
      -0,
      0.5,
      1e308,
      -1e308,
      2 ** 53,
      2 ** 53 + 2,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      4294967296,
      null,
      true,
      false,
      [],
      {},
      [null],
      { "": "" },
    ),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.array(text, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(text, text, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 40_000 }).map((n) => "x".repeat(n)) },
);

const JOB_FIELDS = [
  "name",
  "description",
  "endpoint_url",
  "method",
  "headers",
  "body",
  "timezone",
  "schedule_config",
  "tags",
  "is_active",
  "retry_config",
  "callbacks",
  "schedule_config.repeat_type",
  "schedule_config.repeat_every",
  "schedule_config.time",
  "schedule_config.days_of_week",
  "schedule_config.day_of_month",
  "schedule_config.end_type",
  "schedule_config.end_date",
  "schedule_config.end_occurrences",
  "schedule_config.cron",
  "retry_config.max_retries",
  "retry_config.retry_delay_seconds",
  "retry_config.timeout_seconds",
  "retry_config.backoff",
  "callbacks.success_url",
  "callbacks.failure_url",
  "callbacks.notify",
  "headers.X-Fuzz",
  "tags.0",
  "schedule_config.days_of_week.0",
];

type Mutation =
  | { op: "set"; path: string; value: unknown }
  | { op: "delete"; path: string }
  | { op: "add"; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant("set" as const), path: fc.constantFrom(...JOB_FIELDS), value: weirdValue }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), path: fc.constantFrom(...JOB_FIELDS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("add" as const), key: text, value: weirdValue }) },
);

function applyMutation(target: Record<string, unknown>, m: Mutation): void {
  if (m.op === "add") {
    Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    return;
  }
  const parts = m.path.split(".");
  let node: unknown = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof node !== "object" || node === null) return;
    const obj = node as Record<string, unknown>;
    if (typeof obj[p] !== "object" || obj[p] === null) obj[p] = {};
    node = obj[p];
  }
  if (typeof node !== "object" || node === null) return;
  const last = parts[parts.length - 1] as string;
  if (m.op === "delete") delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = m.value;
}

/** Keys that must never reach an object's prototype, spliced into JSON text as own keys. */
const PROTO_KEYS = ["__proto__", "constructor", "prototype"];

function spliceKey(json: string, key: string, value: string): string {
  if (!json.startsWith("{")) return json;
  return json === "{}" ? `{${JSON.stringify(key)}:${value}}` : `{${JSON.stringify(key)}:${value},${json.slice(1)}`;
}

/** Valid schedule_config shapes with awkward values (cron that never fires, the last minute of the year …). */
const edgySchedule: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record(
    {
      repeat_type: fc.constantFrom("hourly", "days", "weeks", "months", "years"),
      repeat_every: fc.oneof(fc.constant(1), fc.constant(1000), fc.integer({ min: 1, max: 1000 })),
      time: fc
        .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`),
      days_of_week: fc.uniqueArray(fc.constantFrom("0", "1", "2", "3", "4", "5", "6"), { minLength: 1 }),
      day_of_month: fc.constantFrom(1, 28, 29, 30, 31),
      end_type: fc.constantFrom("never", "on", "after"),
      end_date: instant,
      end_occurrences: fc.oneof(fc.constant(1), fc.constant(Number.MAX_SAFE_INTEGER), fc.integer({ min: 1, max: 1e9 })),
    },
    { requiredKeys: ["repeat_type", "time"] },
  ),
  fc.record({
    cron: fc.constantFrom(
      "0 0 31 2 *",
      "0 0 30 2 *",
      "0 0 29 2 *",
      "59 23 31 12 *",
      "* * * * *",
      "*/59 * * * *",
      "0 0 * * 7",
      "0 0 31 4,6,9,11 *",
      "0 0 1 1 0",
      "0-59/7 */5 1-31/2 */3 1-5",
      "60 * * * *",
      "* * * *",
      "@yearly",
    ),
  }),
);

const TIMEZONES = [
  "UTC",
  "America/New_York",
  "Pacific/Kiritimati",
  "Pacific/Chatham",
  "America/St_Johns",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "Etc/GMT+12",
  "Etc/GMT-14",
  "Antarctica/Troll",
  "Europe/Dublin",
];

/** A create body that is usually valid, sometimes at the edges of what the schema allows. */
export const jobBody: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      name: fc.oneof(
        fc.constant("Fuzz job"),
        text.filter((s) => s.trim().length > 0 && s.length <= 200),
      ),
      description: fc.oneof(
        fc.constant(null),
        text.filter((s) => s.length <= 2000),
      ),
      endpoint_url: fc.constant(SAFE_URL),
      method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
      headers: fc.dictionary(
        fc.stringMatching(/^X-[A-Za-z0-9-]{1,20}$/),
        text.filter((s) => !/[\r\n\0]/.test(s) && s.length <= 8192),
        { maxKeys: 3 },
      ),
      body: fc.oneof(
        fc.constant(null),
        text.filter((s) => s.length <= 32_768),
      ),
      timezone: fc.constantFrom(...TIMEZONES),
      schedule_config: edgySchedule,
      tags: fc.uniqueArray(fc.stringMatching(/^[a-z0-9][a-z0-9 _-]{0,20}$/), { maxLength: 5 }),
      is_active: fc.boolean(),
      retry_config: fc.record(
        {
          max_retries: fc.integer({ min: 0, max: 10 }),
          retry_delay_seconds: fc.integer({ min: 1, max: 3600 }),
          timeout_seconds: fc.integer({ min: 1, max: 30 }),
          backoff: fc.constantFrom("fixed", "exponential"),
        },
        { requiredKeys: [] },
      ),
      callbacks: fc.record(
        {
          success_url: fc.constantFrom(SAFE_URL, null),
          failure_url: fc.constantFrom(SAFE_URL, null),
          notify: fc.constantFrom("always", "on_change"),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ["name", "endpoint_url", "method", "timezone", "schedule_config"] },
  )
  .map((v) => v as Record<string, unknown>);

/** An update body: any subset of a (usually valid) job's fields. */
export const jobPatch: fc.Arbitrary<Record<string, unknown>> = jobBody.chain((b) =>
  fc.subarray(Object.keys(b), { minLength: 1 }).map((keys) => Object.fromEntries(keys.map((k) => [k, b[k]]))),
);

/** URLs a mutation might have written: never anything but the safe loopback one, so no run can reach out. */
function defuseUrls(body: unknown): void {
  if (typeof body !== "object" || body === null) return;
  const b = body as Record<string, unknown>;
  if (typeof b.endpoint_url === "string" && /^https?:/i.test(b.endpoint_url)) b.endpoint_url = SAFE_URL;
  const cb = b.callbacks as Record<string, unknown> | undefined;
  if (cb && typeof cb === "object") {
    for (const k of ["success_url", "failure_url"])
      if (typeof cb[k] === "string" && /^https?:/i.test(cb[k] as string)) cb[k] = SAFE_URL;
  }
}

/** JSON request bodies for create/update: valid, mutated, prototype-keyed, deep, wrong-typed, truncated, huge. */
export const jsonBodyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: jobBody.map((b) => JSON.stringify(b)) },
  {
    weight: 5,
    arbitrary: fc.tuple(jobBody, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([b, ms]) => {
      const copy = structuredClone(b);
      for (const m of ms) applyMutation(copy, m);
      defuseUrls(copy);
      return JSON.stringify(copy);
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        jobBody,
        fc.constantFrom(...PROTO_KEYS),
        fc.constantFrom('{"polluted":true}', "null", '"x"', "[1]", '{"prototype":{"polluted":true}}'),
        fc.boolean(),
      )
      .map(([b, key, value, nested]) => {
        const json = JSON.stringify(b);
        if (!nested) return spliceKey(json, key, value);
        // inside a nested object: schedule_config / retry_config / headers
        return json.replace('"schedule_config":{', `"schedule_config":{${JSON.stringify(key)}:${value},`);
      }),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.integer({ min: 50, max: 30_000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
      fc.integer({ min: 50, max: 12_000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
      fc
        .integer({ min: 50, max: 5_000 })
        .map((n) => `{"name":"deep","schedule_config":${'{"cron":'.repeat(n)}"* * * * *"${"}".repeat(n)}}`),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"repeat_every":1e400}',
      '{"name":"x","schedule_config":{"repeat_type":"days","time":"09:00","repeat_every":1e400}}',
      '{"retry_config":{"max_retries":-0}}',
      '{"retry_config":{"max_retries":123456789012345678901234567890}}',
      '{"is_active":"true"}',
      '{"name":1}',
      "[]",
      "null",
      "0",
      '"string"',
      "true",
      "",
      "{",
      '{"name":',
      '{"name":"a"}garbage',
      '{"name":"a","name":"b"}',
      "\uFEFF{}",
      '{"name":"\\ud800"}',
      '{"name":"\\u0000"}',
    ),
  },
  { weight: 1, arbitrary: text },
  { weight: 1, arbitrary: fc.integer({ min: 65_537, max: 80_000 }).map((n) => `{"name":"${"x".repeat(n)}"}`) },
);

// ---------------------------------------------------------------------------------------------------------------
// Requests and invariants

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface FuzzResponse {
  status: number;
  headers: Headers;
  text: string;
}

const describeReq = (r: FuzzRequest) =>
  JSON.stringify({
    ...r,
    body: r.body && r.body.length > 300 ? `${r.body.slice(0, 300)}… (${r.body.length} chars)` : r.body,
  });

/** Sends the request through the Worker; null when the client could not even form it (not the server's doing). */
export async function send(req: FuzzRequest): Promise<FuzzResponse | null> {
  let request: Request;
  try {
    // Concatenated, not resolved: a path starting with "//" must stay a path, not become a host.
    request = new Request(`${BASE}${req.path}`, {
      method: req.method,
      headers: req.headers,
      body: ["GET", "HEAD"].includes(req.method.toUpperCase()) ? undefined : req.body,
    });
  } catch {
    return null;
  }
  const res = await SELF.fetch(request);
  return { status: res.status, headers: res.headers, text: await bodyText(res) };
}

/** No 5xx; every 4xx a problem document whose status is the response's. */
export function expectWellFormed(req: FuzzRequest, res: FuzzResponse): void {
  const where = `${res.status} for ${describeReq(req)}\n${res.text.slice(0, 500)}`;
  expect(res.status, where).toBeLessThan(500);
  if (res.status < 400) return;
  expect(res.headers.get("content-type"), where).toBe("application/problem+json");
  if (req.method.toUpperCase() === "HEAD") return;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(res.text);
  } catch {
    throw new Error(`4xx body is not JSON: ${where}`);
  }
  expect(problem, where).toMatchObject({
    type: expect.stringMatching(/^https:\/\/edgecron\.dev\/problems\/[a-z-]+$/),
    title: expect.stringMatching(/\S/),
    status: res.status,
    detail: expect.stringMatching(/\S/),
  });
  if (res.status === 405) expect(res.headers.get("allow"), where).toBeTruthy();
}

/** Every stored row of the given accounts' jobs, logs, monitors and pings, in every shard, as one comparable string. */
export async function snapshot(accountIds: readonly string[]): Promise<string> {
  const marks = accountIds.map(() => "?").join(",");
  const perShard = await Promise.all(
    shardNumbers(env).map(async (shard) => {
      const d1 = shardBinding(env, shard);
      const [jobs, logs, monitors, pings] = await d1.batch([
        d1.prepare(`SELECT * FROM cron_jobs WHERE account_id IN (${marks}) ORDER BY id`).bind(...accountIds),
        // Every stored byte of the accounts' logs, compressed text included (the execution_logs view shows it as NULL).
        d1
          .prepare(
            `SELECT l.*, hex(b.response_body) AS body_hex, hex(b.error_message) AS error_hex,
               hex(b.response_headers) AS headers_hex
             FROM logs l JOIN cron_jobs j ON j.num = l.job LEFT JOIN log_bodies b ON b.id = l.body
             WHERE j.account_id IN (${marks}) ORDER BY l.slot, l.id_hi, l.id_lo`,
          )
          .bind(...accountIds),
        d1.prepare(`SELECT * FROM monitors WHERE account_id IN (${marks}) ORDER BY id`).bind(...accountIds),
        d1
          .prepare(
            `SELECT p.id, p.monitor, p.at, p.kind, p.method, p.exit_status, p.rid, p.duration_ms, hex(p.body) AS body_hex
             FROM monitor_pings p JOIN monitors m ON m.num = p.monitor WHERE m.account_id IN (${marks}) ORDER BY p.id`,
          )
          .bind(...accountIds),
      ]);
      return [jobs?.results, logs?.results, monitors?.results, pings?.results];
    }),
  );
  return JSON.stringify(perShard);
}

const prototypeShape = () =>
  [Object.prototype, Array.prototype, Function.prototype]
    .map((p) => Reflect.ownKeys(p).map(String).sort().join(","))
    .join("|");

/** Tallies statuses per property, so a suite can show it reached both the happy path and the refusals. */
export type Tally = Map<number, number>;

/**
 * Sends one fuzzed request and checks every invariant: well-formed answer, rows unchanged when refused,
 * prototypes untouched.
 */
export async function checkRequest(req: FuzzRequest, accounts: readonly string[], tally?: Tally): Promise<void> {
  try {
    await checkRequestUnsafe(req, accounts, tally);
  } catch (e) {
    throw wellFormedError(e);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** True when a string has no lone surrogate (so it survives UTF-8 storage unchanged). */
export const isWellFormed = (s: string) => s.match(LONE_SURROGATE) === null;

/**
 * An assertion failure whose message quotes a lone surrogate would break the test runner's UTF-8 channel
 * (and hide the failure): the message is made well-formed first.
 */
export function wellFormedError(e: unknown): Error {
  const message = e instanceof Error ? e.message : String(e);
  return new Error(message.replace(LONE_SURROGATE, "\uFFFD"));
}

async function checkRequestUnsafe(req: FuzzRequest, accounts: readonly string[], tally?: Tally): Promise<void> {
  const before = await snapshot(accounts);
  const protoBefore = prototypeShape();
  const res = await send(req);
  if (!res) return;
  tally?.set(res.status, (tally.get(res.status) ?? 0) + 1);
  expectWellFormed(req, res);
  expect(prototypeShape(), `prototype changed by ${describeReq(req)}`).toBe(protoBefore);
  expect(({} as Record<string, unknown>).polluted, describeReq(req)).toBeUndefined();
  if (res.status >= 400)
    expect(await snapshot(accounts), `rows changed by a ${res.status}: ${describeReq(req)}`).toBe(before);
}

// ---------------------------------------------------------------------------------------------------------------
// The operations the API documents

export interface Operation {
  method: string;
  /** Hono-style path, e.g. /v1/cron-jobs/:accountId/logs/:cron_job_id */
  template: string;
  params: string[];
  /** Each query parameter with its documented enum/example/default values. */
  query: Record<string, string[]>;
  jsonBody: boolean;
}

interface OpenApiParameter {
  name: string;
  in: string;
  schema?: { enum?: unknown[]; example?: unknown; default?: unknown };
  example?: unknown;
}

/** Every operation of the OpenAPI document, read from the app itself (new routes are fuzzed automatically). */
export function documentedOperations(): Operation[] {
  const doc = createApp().getOpenAPI31Document({ openapi: "3.1.0", info: { title: "fuzz", version: "0" } });
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, raw] of Object.entries(item as Record<string, unknown>)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const op = raw as { parameters?: OpenApiParameter[]; requestBody?: { content?: Record<string, unknown> } };
      const params = op.parameters ?? [];
      const query = Object.fromEntries(
        params
          .filter((p) => p.in === "query")
          .map((p) => {
            const values = [...(p.schema?.enum ?? []), p.schema?.example, p.schema?.default, p.example];
            return [p.name, [...new Set(values.filter((v) => v !== undefined && v !== null).map(String))]];
          }),
      );
      ops.push({
        method: method.toUpperCase(),
        template: path.replace(/\{([^}]+)\}/g, ":$1"),
        params: params.filter((p) => p.in === "path").map((p) => p.name),
        query,
        jsonBody: Boolean(op.requestBody?.content?.["application/json"]),
      });
    }
  }
  return ops;
}

/** Fills a template's `:name` parameters. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/:([A-Za-z_]+)/g, (_, name: string) => values[name] ?? "x");
}
