/**
 * Deterministic samples of what the log store keeps: response bodies (as cron targets answer them, cut to 1 KB as
 * the executor stores them), error messages and response-header JSON. `make-corpus.ts` writes one seed's samples to
 * corpus/ (the dictionary's training data); `measure.ts` draws another seed as held-out data.
 *
 * Engine strings come from the engine's own functions where they are exported, so the corpus says what edgecron says.
 */
import { mockOutcome, mulberry32 } from "../../src/engine/executors/mock.ts";
import { keptResponseHeaders } from "../../src/engine/response-headers.ts";
import { unknownOutcome } from "../../src/engine/unknown-outcome.ts";
import { failureMessage, timeoutResult } from "../../src/lib/execution-results.ts";
import { refusedTargetReason } from "../../src/lib/target-guard.ts";
import { truncateUtf8 } from "../../src/lib/truncate.ts";

export const CATEGORIES = [
  "json-small",
  "json-listing",
  "json-error",
  "html",
  "text",
  "mock",
  "errors",
  "headers",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** How many samples of each kind, roughly as often as each is written to the log store. */
export const SAMPLE_COUNTS: Record<Category, number> = {
  "json-small": 400,
  "json-listing": 150,
  "json-error": 250,
  html: 100,
  text: 150,
  mock: 300,
  errors: 300,
  headers: 400,
};

type Rng = () => number;

class Gen {
  /** One API spells all its instants alike: chosen afresh for each sample. */
  isoFormat = 0;
  constructor(readonly rng: Rng) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.rng() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.rng() < p;
  }
  hex(len: number): string {
    return Array.from({ length: len }, () => Math.floor(this.rng() * 16).toString(16)).join("");
  }
  b62(len: number): string {
    const a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    return Array.from({ length: len }, () => a[Math.floor(this.rng() * a.length)]).join("");
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${this.pick(["8", "9", "a", "b"])}${h.slice(17, 20)}-${h.slice(20)}`;
  }
  /** An instant in 2024–2026 (or within 30 days after `near`): ISO 8601 with or without fractions, or +00:00. */
  iso(near?: number): string {
    const from = near ?? Date.UTC(2024, 0, 1);
    const t = from + this.int(0, near === undefined ? 3 * 365 * 86_400 : 30 * 86_400) * 1000 + this.int(0, 999);
    const s = new Date(t).toISOString();
    return [s, `${s.slice(0, 19)}Z`, `${s.slice(0, 19)}+00:00`, s.replace("Z", "000Z")][this.isoFormat] as string;
  }
  epoch(): number {
    return 1_704_067_200 + this.int(0, 3 * 365 * 86_400);
  }
  first(): string {
    return this.pick(FIRST);
  }
  last(): string {
    return this.pick(LAST);
  }
  domain(): string {
    return this.pick(DOMAINS);
  }
  email(first = this.first(), last = this.last()): string {
    const local = this.pick([`${first}.${last}`, `${first}`, `${first[0]}${last}`, `${first}${this.int(1, 99)}`]);
    return `${local
      .toLowerCase()
      .normalize("NFD")
      .replace(/[^\x20-\x7e]/g, "")}@${this.pick(MAIL_DOMAINS)}`;
  }
  host(): string {
    return `${this.pick(["api", "app", "www", "jobs", "hooks", "internal-api", "backend", "cron"])}.${this.domain()}`;
  }
  url(path = this.path()): string {
    return `https://${this.host()}${path}`;
  }
  path(): string {
    return this.pick(PATHS).replace(/:id/g, () => String(this.int(1, 99_999)));
  }
}

const FIRST = [
  "John",
  "Jane",
  "Alice",
  "Bob",
  "Maria",
  "David",
  "Sarah",
  "Michael",
  "Emma",
  "Liam",
  "Olivia",
  "Noah",
  "Sofia",
  "Lucas",
  "Chloé",
  "Jürgen",
  "Zoë",
  "Mateo",
  "Aiko",
  "Priya",
  "Wei",
  "Fatima",
  "Ole",
  "Søren",
  "Anaïs",
  "José",
];
const LAST = [
  "Smith",
  "Johnson",
  "Williams",
  "Brown",
  "Garcia",
  "Miller",
  "Davis",
  "Martinez",
  "Müller",
  "Schmidt",
  "Dubois",
  "Rossi",
  "Nguyen",
  "Kim",
  "Tanaka",
  "Patel",
  "Novák",
  "Kowalski",
  "Andersen",
  "O'Brien",
  "Silva",
  "Hansen",
];
const DOMAINS = [
  "example.com",
  "acme.io",
  "myapp.dev",
  "shop.example.org",
  "contoso.net",
  "widgets.co",
  "startup.app",
  "company.cloud",
  "herokuapp.com",
  "vercel.app",
  "fly.dev",
  "workers.dev",
];
const MAIL_DOMAINS = ["example.com", "gmail.com", "acme.io", "outlook.com", "company.org", "yahoo.com", "proton.me"];
const PATHS = [
  "/api/cron",
  "/api/cron/daily",
  "/api/cron/cleanup",
  "/api/jobs/sync",
  "/api/v1/sync",
  "/api/v1/reports/generate",
  "/api/v2/orders/:id",
  "/api/webhooks/cron",
  "/cron/run",
  "/cron.php",
  "/jobs/backup",
  "/internal/tasks/digest",
  "/v1/customers",
  "/v1/invoices/:id/send",
  "/health",
  "/healthz",
  "/api/health",
  "/ping",
  "/api/users",
  "/api/users/:id",
  "/api/products?page=2",
  "/wp-cron.php?doing_wp_cron",
  "/.netlify/functions/scheduled",
  "/api/revalidate?path=/blog",
];
const STATUSES = ["active", "inactive", "pending", "completed", "failed", "processing", "archived", "draft"];
const WORDS = [
  "invoice",
  "report",
  "backup",
  "sync",
  "newsletter",
  "order",
  "subscription",
  "payment",
  "user",
  "product",
  "digest",
  "reminder",
  "export",
  "import",
  "cleanup",
  "cache",
  "index",
  "feed",
];
const PRODUCTS = [
  "Wireless Mouse",
  "USB-C Cable 2m",
  "Mechanical Keyboard",
  "Standing Desk",
  "Noise-Cancelling Headphones",
  "Café Crème Beans 1kg",
  "Ergonomic Chair",
  '27" 4K Monitor',
  'Laptop Sleeve 14"',
  "Smart Thermostat",
  "Bluetooth Speaker",
  "Water Bottle 750ml",
];
const CITIES = [
  "Berlin",
  "Paris",
  "London",
  "New York",
  "San Francisco",
  "Tokyo",
  "São Paulo",
  "Zürich",
  "Kraków",
  "東京",
];
const CF_COLOS = ["FRA", "AMS", "LHR", "CDG", "IAD", "SJC", "EWR", "ORD", "DFW", "SIN", "NRT", "SYD", "GRU", "WAW"];

/** Pretty-prints a minority of JSON bodies: many frameworks indent in development or always (Flask, Rails). */
function json(g: Gen, value: unknown): string {
  const r = g.rng();
  if (r < 0.12) return JSON.stringify(value, null, 2);
  if (r < 0.16) return JSON.stringify(value, null, 4);
  if (r < 0.22) return `${JSON.stringify(value)}\n`;
  return JSON.stringify(value);
}

function jsonSmall(g: Gen): string {
  const n = () => g.int(0, g.pick([10, 100, 1000, 50_000]));
  const ms = () => g.int(3, 9000);
  const make: Array<() => unknown> = [
    () => ({ ok: true }),
    () => ({ ok: true, processed: n() }),
    () => ({ status: "ok" }),
    () => ({ status: "ok", processed: n(), failed: g.int(0, 3), skipped: n(), duration_ms: ms() }),
    () => ({ status: "ok", processed: n(), errors: [], duration: `${(ms() / 1000).toFixed(2)}s` }),
    () => ({ success: true }),
    () => ({
      success: true,
      message: g.pick(["Job completed", "Sync completed successfully", "Cache cleared", "Done"]),
    }),
    () => ({ success: true, data: { id: g.int(1, 99_999), status: g.pick(STATUSES), updated_at: g.iso() } }),
    () => ({ message: g.pick(["OK", "ok", "Success", "Cron executed", "Task queued", "Nothing to do"]) }),
    () => ({ result: "success", count: n(), took: ms() }),
    () => ({ received: true }),
    () => ({ received: true, id: `evt_${g.b62(24)}` }),
    () => ({ status: "queued", job_id: `job_${g.hex(12)}`, queued_at: g.iso() }),
    () => ({ status: "accepted", id: g.uuid() }),
    () => ({
      status: "healthy",
      version: `${g.int(1, 4)}.${g.int(0, 30)}.${g.int(0, 20)}`,
      uptime: g.int(10, 9_000_000),
    }),
    () => ({ status: "UP", components: { db: { status: "UP" }, diskSpace: { status: "UP" }, ping: { status: "UP" } } }),
    () => ({ status: "pass", checks: { database: [{ status: "pass", time: g.iso() }] } }),
    () => ({ data: { synced: n(), created: n(), updated: n(), deleted: g.int(0, 5) } }),
    () => ({ sent: n(), failed: g.int(0, 2), next_run_at: g.iso() }),
    () => ({ revalidated: true, now: Date.UTC(2025, 0, 1) + g.int(0, 1e10) }),
    () => ({ ok: true, result: { message_id: g.int(1, 999_999), date: g.epoch() } }),
    () => ({
      job: g.pick(WORDS),
      started_at: g.iso(),
      finished_at: g.iso(),
      status: g.pick(["completed", "succeeded", "done"]),
      items: n(),
    }),
    () => ({ deleted: n(), older_than: g.iso(), dry_run: g.chance(0.2) }),
    () => ({
      backup: { id: g.uuid(), size_bytes: g.int(1e4, 9e9), location: `s3://backups-${g.hex(6)}/db/${g.iso()}.sql.gz` },
    }),
    () => ({ emails_sent: n(), recipients: n(), campaign_id: g.int(1, 5000) }),
    () => ({ timestamp: g.iso(), status: 200, message: "OK" }),
    () => true,
    () => ({ data: null, error: null }),
    () => ({ ok: true, ts: `${g.epoch()}.${g.int(100_000, 999_999)}` }),
  ];
  return json(g, g.pick(make)());
}

function person(g: Gen, i: number, base: number) {
  const first = g.first();
  const last = g.last();
  return { id: i, first, last, email: g.email(first, last), at: g.iso(base) };
}

function jsonListing(g: Gen): string {
  const base = Date.UTC(2024, 0, 1) + g.int(0, 2 * 365 * 86_400) * 1000;
  const count = g.int(3, 40);
  const start = g.int(1, 50_000);
  const rows = <T>(f: (i: number) => T) => Array.from({ length: count }, (_, k) => f(start + k));
  const total = count + g.int(0, 5000);
  const page = g.int(1, 20);
  const make: Array<() => unknown> = [
    () => ({
      data: rows((i) => {
        const p = person(g, i, base);
        return {
          id: i,
          name: `${p.first} ${p.last}`,
          email: p.email,
          created_at: p.at,
          updated_at: g.iso(base),
        };
      }),
      meta: { page, per_page: 25, total, total_pages: Math.ceil(total / 25) },
      links: {
        next: g.url(`/api/users?page=${page + 1}`),
        prev: page > 1 ? g.url(`/api/users?page=${page - 1}`) : null,
      },
    }),
    () => ({
      object: "list",
      data: rows(() => ({
        id: `cus_${g.b62(14)}`,
        object: "customer",
        created: g.epoch(),
        email: g.email(),
        livemode: false,
        metadata: {},
      })),
      has_more: g.chance(0.6),
      url: "/v1/customers",
    }),
    () => ({
      items: rows(() => ({
        id: g.uuid(),
        title: `${g.pick(WORDS)} ${g.pick(WORDS)}`,
        status: g.pick(STATUSES),
        url: g.url(`/items/${g.hex(8)}`),
        created_at: g.iso(base),
      })),
      next_cursor: g.b62(20),
      has_more: true,
    }),
    () => ({
      count: total,
      next: g.url(`/api/v1/orders/?page=${page + 1}`),
      previous: null,
      results: rows((i) => ({
        id: i,
        number: `ORD-${g.int(100_000, 999_999)}`,
        customer: g.email(),
        total: (g.int(100, 99_999) / 100).toFixed(2),
        currency: g.pick(["EUR", "USD", "GBP"]),
        status: g.pick(["paid", "pending", "shipped", "refunded"]),
        created: g.iso(base),
      })),
    }),
    () =>
      rows((i) => {
        const p = person(g, i, base);
        return {
          id: i,
          name: `${p.first} ${p.last}`,
          username: `${p.first.toLowerCase()}${g.int(1, 999)}`,
          email: p.email,
          address: { city: g.pick(CITIES), zipcode: `${g.int(10_000, 99_999)}` },
          website: `${g.domain()}`,
        };
      }),
    () => ({
      users: rows((i) => ({ id: i, firstName: g.first(), lastName: g.last(), age: g.int(18, 80), email: g.email() })),
      total,
      skip: (page - 1) * 30,
      limit: 30,
    }),
    () => ({
      records: rows(() => ({
        id: `rec${g.b62(14)}`,
        createdTime: g.iso(base),
        fields: {
          Name: `${g.first()} ${g.last()}`,
          Status: g.pick(["Todo", "In progress", "Done"]),
          Count: g.int(0, 99),
        },
      })),
      offset: `itr${g.b62(14)}/rec${g.b62(14)}`,
    }),
    () => ({
      jobs: rows((i) => ({
        id: i,
        name: `${g.pick(WORDS)}-${g.pick(WORDS)}`,
        status: g.pick(["completed", "failed", "running", "queued"]),
        started_at: g.iso(base),
        finished_at: g.iso(base),
        duration_ms: g.int(5, 120_000),
        attempts: g.int(1, 3),
      })),
      page,
      page_size: 50,
    }),
    () => ({
      products: rows((i) => ({
        id: i,
        sku: `SKU-${g.hex(6).toUpperCase()}`,
        title: g.pick(PRODUCTS),
        price: g.int(199, 99_999) / 100,
        stock: g.int(0, 500),
        updated_at: g.iso(base),
      })),
      pagination: { page, limit: 20, total },
    }),
    () => ({
      events: rows(() => ({
        id: `evt_${g.b62(24)}`,
        type: `${g.pick(WORDS)}.${g.pick(["created", "updated", "deleted", "succeeded", "failed"])}`,
        created_at: g.iso(base),
        data: { object_id: g.uuid() },
      })),
      next_page_token: g.b62(32),
    }),
  ];
  return truncateUtf8(json(g, g.pick(make)()));
}

function jsonError(g: Gen): string {
  const rid = () => g.pick([g.uuid(), `req_${g.b62(14)}`, g.hex(32)]);
  const msg = () =>
    g.pick([
      "Invalid API key provided",
      "Unauthorized",
      "Authentication credentials were not provided.",
      "The requested resource was not found",
      "Internal server error",
      "An unexpected error occurred. Please try again later.",
      "Too many requests, please slow down",
      "Rate limit exceeded",
      "Service temporarily unavailable",
      "Database connection failed",
      "Request timeout",
      "Validation failed",
      "Missing required parameter: date",
      "Token has expired",
      "Forbidden",
    ]);
  const code = () =>
    g.pick([
      "invalid_request",
      "unauthorized",
      "not_found",
      "rate_limited",
      "internal_error",
      "service_unavailable",
      "validation_error",
      "token_expired",
      "forbidden",
      "timeout",
    ]);
  const make: Array<() => unknown> = [
    () => ({ error: { code: code(), message: msg() } }),
    () => ({ error: { code: code(), message: msg(), request_id: rid() } }),
    () => ({ error: { type: "invalid_request_error", code: code(), message: msg(), doc_url: g.url("/docs/errors") } }),
    () => ({ error: code(), message: msg() }),
    () => ({ error: msg() }),
    () => ({
      errors: [
        {
          field: g.pick(["date", "email", "account_id", "limit"]),
          message: g.pick(["is required", "must be a valid ISO 8601 date", "is invalid"]),
        },
      ],
    }),
    () => ({ message: msg() }),
    () => ({ message: "Internal server error" }),
    () => ({ Message: "User is not authorized to access this resource with an explicit deny" }),
    () => ({ detail: g.pick(["Not authenticated", "Not found.", 'Method "GET" not allowed.', "Invalid token."]) }),
    () => ({
      detail: [{ loc: ["body", g.pick(["date", "email"])], msg: "field required", type: "value_error.missing" }],
    }),
    () => ({
      statusCode: g.pick([400, 401, 404, 500]),
      message: msg(),
      error: g.pick(["Bad Request", "Not Found", "Internal Server Error"]),
    }),
    () => ({
      status: g.pick([500, 503]),
      error: g.pick(["Internal Server Error", "Service Unavailable"]),
      path: g.path(),
      timestamp: g.iso(),
    }),
    () => ({
      type: "about:blank",
      title: g.pick(["Not Found", "Unauthorized", "Too Many Requests"]),
      status: g.pick([404, 401, 429]),
      detail: msg(),
      instance: g.path(),
    }),
    () => ({
      error: {
        code: g.pick([401, 403, 429, 500]),
        message: msg(),
        status: g.pick(["UNAUTHENTICATED", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "INTERNAL"]),
      },
    }),
    () => ({
      errors: [
        { message: msg(), locations: [{ line: 1, column: g.int(1, 40) }], extensions: { code: "UNAUTHENTICATED" } },
      ],
      data: null,
    }),
    () => ({ code: `PGRST${g.int(100, 300)}`, details: null, hint: null, message: msg() }),
    () => ({
      error: {
        code: g.pick(["FUNCTION_INVOCATION_TIMEOUT", "FUNCTION_INVOCATION_FAILED", "DEPLOYMENT_NOT_FOUND"]),
        message: msg(),
      },
    }),
    () => ({ success: false, error: msg(), code: g.int(1000, 9999) }),
    () => ({ success: false, errors: [{ code: g.int(1000, 10_999), message: msg() }], messages: [], result: null }),
    () => ({ ok: false, error: g.pick(["invalid_auth", "not_authed", "ratelimited", "channel_not_found"]) }),
    () => ({ status: "error", message: msg(), timestamp: g.iso() }),
    () => ({ error: "rate_limited", message: "Too many requests", retry_after: g.pick([30, 60, 120]) }),
  ];
  return truncateUtf8(json(g, g.pick(make)()));
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Not Allowed",
  413: "Request Entity Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};

function html(g: Gen): string {
  const code = g.pick([502, 502, 504, 504, 503, 500, 404, 404, 403, 401, 429, 405, 400, 413]);
  const reason = REASONS[code] ?? "Error";
  const host = g.host();
  const path = g.path();
  const make: Array<() => string> = [
    // nginx / openresty default error pages (CRLF line ends, as nginx sends them).
    () =>
      `<html>\r\n<head><title>${code} ${reason}</title></head>\r\n<body>\r\n<center><h1>${code} ${reason}</h1></center>\r\n<hr><center>${g.pick(["nginx", "nginx/1.18.0 (Ubuntu)", "nginx/1.24.0", "nginx/1.25.3", "openresty", "openresty/1.21.4.1"])}</center>\r\n</body>\r\n</html>\r\n`,
    // The load balancers' plain variant (no server line).
    () =>
      `<html>\r\n<head><title>${code} ${reason}</title></head>\r\n<body>\r\n<center><h1>${code} ${reason}</h1></center>\r\n</body>\r\n</html>\r\n`,
    () =>
      `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${code} ${REASONS[code] ?? "Error"}</title>\n</head><body>\n<h1>${(REASONS[code] ?? "Error").replace("Temporarily ", "")}</h1>\n<p>${code === 404 ? "The requested URL was not found on this server." : code === 403 ? "You don't have permission to access this resource." : "The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request."}</p>\n<hr>\n<address>${g.pick(["Apache/2.4.41 (Ubuntu)", "Apache/2.4.58 (Debian)", "Apache"])} Server at ${host} Port ${g.pick([80, 443])}</address>\n</body></html>\n`,
    () => {
      const cf = g.pick([
        [520, "Web server is returning an unknown error"],
        [521, "Web server is down"],
        [522, "Connection timed out"],
        [523, "Origin is unreachable"],
        [524, "A timeout occurred"],
        [525, "SSL handshake failed"],
        [526, "Invalid SSL certificate"],
        [502, "Bad gateway"],
      ] as const);
      return truncateUtf8(
        `<!DOCTYPE html>\n<!--[if lt IE 7]> <html class="no-js ie6 oldie" lang="en-US"> <![endif]-->\n<!--[if IE 7]>    <html class="no-js ie7 oldie" lang="en-US"> <![endif]-->\n<!--[if IE 8]>    <html class="no-js ie8 oldie" lang="en-US"> <![endif]-->\n<!--[if gt IE 8]><!--> <html class="no-js" lang="en-US"> <!--<![endif]-->\n<head>\n\n\n<title>${host} | ${cf[0]}: ${cf[1]}</title>\n<meta charset="UTF-8" />\n<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n<meta http-equiv="X-UA-Compatible" content="IE=Edge" />\n<meta name="robots" content="noindex, nofollow" />\n<meta name="viewport" content="width=device-width,initial-scale=1" />\n<link rel="stylesheet" id="cf_styles-css" href="/cdn-cgi/styles/main.css" />\n\n\n</head>\n<body>\n<div id="cf-wrapper">\n    <div id="cf-error-details" class="p-0">\n        <header class="mx-auto pt-10 lg:pt-6 lg:px-8 w-240 lg:w-full mb-8">\n            <h1 class="inline-block sm:block sm:mb-2 font-light text-60 lg:text-4xl text-black-dark leading-tight mr-2">\n              <span class="inline-block">${cf[1]}</span>\n              <span class="code-label">Error code ${cf[0]}</span>\n            </h1>\n            <div>\n               Visit <a href="https://www.cloudflare.com/5xx-error-landing?utm_source=errorcode_${cf[0]}&utm_campaign=${host}" target="_blank" rel="noopener noreferrer">cloudflare.com</a> for more information.\n            </div>\n            <div class="mt-3">${new Date(Date.UTC(2025, 0, 1) + g.int(0, 3e10)).toISOString().slice(0, 19).replace("T", " ")} UTC</div>\n        </header>`,
      );
    },
    () =>
      truncateUtf8(
        `<!DOCTYPE html>\n<html lang="en-US">\n<head>\n<title>Just a moment...</title>\n<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n<meta http-equiv="X-UA-Compatible" content="IE=Edge">\n<meta name="robots" content="noindex,nofollow">\n<meta name="viewport" content="width=device-width,initial-scale=1">\n<style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15;-webkit-text-size-adjust:100%;color:#313131;font-family:system-ui,-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif}body{display:flex;flex-direction:column;height:100vh;min-height:100vh}.main-content{margin:8rem auto;max-width:60rem;padding-left:1.5rem}@media (width <= 720px){.main-content{margin-top:4rem}}.h2{font-size:1.5rem;font-weight:500;line-height:2.25rem}</style>\n<meta http-equiv="refresh" content="390">\n</head>\n<body>\n<div class="main-wrapper" role="main">\n<div class="main-content">\n<noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue</span></div></noscript>\n</div>\n</div>\n<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "${host}",cType: 'managed',cRay: '${g.hex(16)}',cH: '${g.b62(40)}'`,
      ),
    () =>
      `<!DOCTYPE html>\n<html>\n  <head>\n    <meta name="viewport" content="width=device-width, initial-scale=1">\n    <meta charset="utf-8">\n    <title>Application Error</title>\n    <style media="screen">\n      html,body,iframe {\n        margin: 0;\n        padding: 0;\n      }\n      html,body {\n        height: 100%;\n        overflow: hidden;\n      }\n      iframe {\n        width: 100%;\n        height: 100%;\n        border: 0;\n      }\n    </style>\n  </head>\n  <body>\n    <iframe src="//www.herokucdn.com/error-pages/application-error.html"></iframe>\n  </body>\n</html>\n`,
    () =>
      `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot ${g.pick(["GET", "POST"])} ${path}</pre>\n</body>\n</html>\n`,
    () => {
      const next = encodeURIComponent(path);
      return g.pick([
        `<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>Redirecting…</title>\n<meta http-equiv="refresh" content="0; url=https://${host}/login?next=${next}">\n</head>\n<body>\n<p>Redirecting to <a href="https://${host}/login?next=${next}">https://${host}/login?next=${next}</a>.</p>\n</body>\n</html>\n`,
        `<html><body>You are being <a href="https://${host}/users/sign_in">redirected</a>.</body></html>`,
        `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="/login?next=${next}">/login?next=${next}</a>. If not, click the link.\n`,
        `Found. Redirecting to /login?returnTo=${next}`,
        `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · ${g.pick(["Acme", "Dashboard", "Admin"])}</title><link rel="stylesheet" href="/assets/app-${g.hex(8)}.css"></head><body class="login"><form method="post" action="/login"><input type="hidden" name="csrf_token" value="${g.b62(43)}"><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required><button type="submit">Sign in</button></form></body></html>`,
      ]);
    },
    () =>
      `<!DOCTYPE html><html><head><meta charSet="utf-8"/><meta name="viewport" content="width=device-width"/><title>404: This page could not be found</title><meta name="next-head-count" content="3"/><noscript data-n-css=""></noscript><script defer="" nomodule="" src="/_next/static/chunks/polyfills-${g.hex(16)}.js"></script></head><body><div id="__next"><div style="font-family:system-ui,&quot;Segoe UI&quot;,Roboto,Helvetica,Arial,sans-serif;height:100vh;text-align:center;display:flex;flex-direction:column;align-items:center;justify-content:center"><div><h1 class="next-error-h1">404</h1><div style="display:inline-block"><h2>This page could not be found.</h2></div></div></div></div></body></html>`,
    () =>
      `<!doctype html><html lang="en"><head><title>HTTP Status ${code} – ${reason}</title><style type="text/css">body {font-family:Tahoma,Arial,sans-serif;} h1, h2, h3, b {color:white;background-color:#525D76;} h1 {font-size:22px;} h2 {font-size:16px;} h3 {font-size:14px;} p {font-size:12px;} a {color:black;} .line {height:1px;background-color:#525D76;border:none;}</style></head><body><h1>HTTP Status ${code} – ${reason}</h1><hr class="line" /><p><b>Type</b> Status Report</p><p><b>Description</b> The origin server did not find a current representation for the target resource.</p><hr class="line" /><h3>Apache Tomcat/9.0.${g.int(40, 90)}</h3></body></html>`,
    () =>
      `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">\n  <title>Error ${code} (Server Error)!!1</title>\n  <style>\n    *{margin:0;padding:0}html,code{font:15px/22px arial,sans-serif}html{background:#fff;color:#222;padding:15px}body{margin:7% auto 0;max-width:390px;min-height:180px;padding:30px 0 15px}\n  </style>\n  <p><b>${code}.</b> <ins>That’s an error.</ins>\n  <p>The server encountered a temporary error and could not complete your request.<p>Please try again in 30 seconds.  <ins>That’s all we know.</ins>\n`,
    () =>
      `<!DOCTYPE html>\n<html lang="en">\n<head>\n    <meta charset="UTF-8">\n    <meta name="viewport" content="width=device-width, initial-scale=1.0">\n    <title>${code} ${reason}</title>\n</head>\n<body>\n    <h1>${reason}</h1>\n    <p>${g.pick(["The server is temporarily unable to service your request.", "Sorry, something went wrong.", "We're down for maintenance. Please check back soon.", "The page you are looking for does not exist."])}</p>\n</body>\n</html>\n`,
    () =>
      `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>\n<title>${code} - ${reason}</title>\n<style type="text/css">\n<!--\nbody{margin:0;font-size:.7em;font-family:Verdana, Arial, Helvetica, sans-serif;background:#EEEEEE;}\nfieldset{padding:0 15px 10px 15px;} \nh1{font-size:2.4em;margin:0;color:#FFF;}\n-->\n</style>\n</head>\n<body>\n<div id="header"><h1>Server Error</h1></div>\n<div id="content">\n <div class="content-container"><fieldset>\n  <h2>${code} - ${reason}</h2>\n </fieldset></div>\n</div>\n</body>\n</html>\n`,
  ];
  return truncateUtf8(g.pick(make)());
}

function text(g: Gen): string {
  const make: Array<() => string> = [
    () =>
      g.pick(["OK", "ok", "OK\n", "done", "Done", "Success", "success", "Accepted", "pong", "healthy", "true", "1"]),
    () =>
      g.pick(["Internal Server Error", "Not Found", "Unauthorized", "Forbidden", "Bad Gateway", "Service Unavailable"]),
    () => g.pick(["Too Many Requests", "Method Not Allowed", "Gateway Timeout", "Bad Request", "Request Timeout"]),
    () => `error code: ${g.pick([1015, 1020, 1101, 1102, 502, 520, 521, 522, 524, 525, 526])}`,
    () => "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
    () => "upstream connect error or disconnect/reset before headers. reset reason: connection termination",
    () => g.pick(["no healthy upstream", "upstream request timeout", "404 page not found", "404: NOT_FOUND"]),
    () => `Cannot ${g.pick(["GET", "POST"])} ${g.path()}`,
    () => `Processed ${g.int(0, 5000)} records in ${(g.int(5, 90_000) / 1000).toFixed(1)}s`,
    () => `${g.iso()} INFO ${g.pick(WORDS)} job finished in ${g.int(3, 9000)}ms`,
    () =>
      `[${g.iso()}] ${g.pick(["INFO", "WARN", "ERROR"])}: ${g.pick(["Starting", "Finished", "Skipped"])} ${g.pick(WORDS)} (${g.int(0, 900)} items)\n[${g.iso()}] INFO: done\n`,
    () => `Cache cleared (${g.int(1, 900)} keys)`,
    () => `Backup completed: ${g.int(1, 90)} files, ${(g.int(1, 9000) / 10).toFixed(1)} MB`,
    () => `Sent ${g.int(0, 500)} emails`,
    () => `Rate limit exceeded. Try again in ${g.pick([30, 60, 120, 3600])} seconds.`,
    () => "A server error has occurred\n\nFUNCTION_INVOCATION_FAILED\n",
    () =>
      `An error occurred with your deployment\n\nFUNCTION_INVOCATION_TIMEOUT\n\n${g.pick(CF_COLOS).toLowerCase()}1::${g.b62(5)}-${Date.UTC(2025, 0, 1) + g.int(0, 1e10)}-${g.hex(12)}\n`,
    () => "The page could not be found\n\nNOT_FOUND\n",
    () => `Function execution took ${g.int(10, 60_000)} ms, finished with status code: ${g.pick([200, 500, 204])}`,
    () => "Internal Server Error\n\nThe server encountered an internal error and was unable to complete your request.",
    () => `Hello from ${g.host()}!`,
    () => `# HELP cron_runs_total Total runs\n# TYPE cron_runs_total counter\ncron_runs_total ${g.int(1, 1e6)}\n`,
    () =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<response><status>ok</status><processed>${g.int(0, 500)}</processed></response>\n`,
    () =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>${g.hex(16).toUpperCase()}</RequestId><HostId>${g.b62(56)}=</HostId></Error>`,
    () => `ERROR: relation "${g.pick(WORDS)}s" does not exist`,
    () =>
      g.pick([
        "Unauthorized: invalid token",
        "Invalid signature",
        "Missing Authorization header",
        "Invalid CRON_SECRET",
      ]),
    () => `Queued ${g.pick(WORDS)} job ${g.uuid()}`,
    () => `Synchronisation terminée : ${g.int(0, 900)} éléments mis à jour`,
    () => `同期が完了しました（${g.int(0, 900)}件）`,
    () => `✅ Done in ${g.int(1, 900)}ms 🚀`,
  ];
  return truncateUtf8(g.pick(make)());
}

function mock(g: Gen, i: number, seed: number): string {
  // The mock executor's outcomes (what the demo history and every test log hold): bodies and error messages.
  for (let tries = 0; ; tries++) {
    const out = mockOutcome({
      executionId: `${seed}-${i}-${tries}-${g.hex(8)}`,
      timeoutSeconds: g.pick([30, 60, 120]),
      endpointUrl: g.url(),
    });
    const pickBody = out.responseBody !== null && (out.errorMessage === null || g.chance(0.7));
    const value = pickBody ? out.responseBody : out.errorMessage;
    if (value !== null) return value;
  }
}

function errorMessage(g: Gen): string {
  const host = g.host();
  const reasonUrl = () =>
    g.pick([
      `http://${g.pick(["10", "192.168", "172.16"])}.${g.int(0, 255)}.${g.int(0, 255)}/cron`,
      `http://127.0.0.${g.int(1, 9)}:${g.pick([3000, 8080, 8787])}/`,
      "http://169.254.169.254/latest/meta-data/",
      "http://localhost:3000/api/cron",
      `http://${g.pick(["db", "redis", "app"])}.internal/run`,
      `http://printer.local/`,
      "http://[::1]:8080/",
      `http://[fd00::${g.hex(4)}]/`,
      "http://100.64.0.1/",
      "http://0.0.0.0/",
      "ftp://files.example.com/",
      "file:///etc/passwd",
    ]);
  const make: Array<() => string> = [
    () =>
      failureMessage(
        g.pick([400, 401, 403, 404, 404, 405, 408, 409, 422, 429, 500, 500, 502, 503, 504, 520, 522, 524]),
      ),
    () => failureMessage(g.pick([500, 502, 503, 504])),
    () => timeoutResult(g.pick([5, 10, 15, 30, 30, 60, 120, 300, 900])).errorMessage ?? "",
    () => "Connection refused",
    () => `DNS lookup failed for ${host}`,
    () => "Connection reset by peer",
    () => "Network connection lost",
    () => g.pick(["TLS handshake failed: certificate has expired", "TLS handshake failed: self-signed certificate"]),
    () => `Could not connect to ${host}${g.chance(0.3) ? `:${g.pick([8080, 8443, 3000])}` : ""}`,
    () => refusedTargetReason(new URL(reasonUrl())) ?? "",
    () =>
      `Refused redirect target: ${(refusedTargetReason(new URL(reasonUrl())) ?? "").replace("Refused target: ", "")}`,
    () => "Too many redirects (more than 5)",
    () => `Invalid redirect location: ${g.pick(["http://", "https://:80", "//[bad"])}`,
    () => "Invalid URL: endpoint_url is not an absolute URL",
    () => `Invalid request headers: ${g.pick(["Invalid header name.", "Invalid header value."])}`,
    () => `Redirect to another origin not followed: it would resend the request body to https://${g.host()}`,
    () => `Response body does not contain ${JSON.stringify(g.pick(['"ok":true', "success", "OK", '"status":"ok"']))}`,
    () => `Response body contains ${JSON.stringify(g.pick(["error", '"ok":false', "Exception", "failed"]))}`,
    () => unknownOutcome("undelivered", g.int(3, 10)).errorMessage ?? "",
    () => unknownOutcome("lease-expired", g.int(1, 3)).errorMessage ?? "",
    () => "Endpoint returned status code 200",
  ];
  return g.pick(make)();
}

function headers(g: Gen): string {
  const ct = () =>
    g.pick([
      "application/json",
      "application/json; charset=utf-8",
      "application/json; charset=utf-8",
      "application/json;charset=UTF-8",
      "text/html; charset=utf-8",
      "text/html",
      "text/html; charset=UTF-8",
      "text/plain; charset=utf-8",
      "text/plain;charset=UTF-8",
      "application/problem+json",
      "application/xml",
    ]);
  const len = () => String(g.int(2, 1500));
  const ray = () => `${g.hex(16)}-${g.pick(CF_COLOS)}`;
  const etag = () =>
    g.pick([`W/"${g.int(2, 999).toString(16)}-${g.b62(27)}"`, `"${g.hex(32)}"`, `"${g.hex(8)}-${g.hex(12)}"`]);
  const h: Record<string, string> = {};
  const profile = g.pick([
    "cloudflare",
    "nginx",
    "express",
    "vercel",
    "aws",
    "apache",
    "caddy",
    "google",
    "bare",
    "redirect",
  ]);
  if (profile !== "redirect" || g.chance(0.5)) h["content-type"] = ct();
  if (g.chance(0.6)) h["content-length"] = len();
  if (g.chance(0.25)) h["x-request-id"] = g.pick([g.uuid(), g.hex(32), g.b62(20)]);
  if (g.chance(0.08)) h["x-correlation-id"] = g.uuid();
  if (g.chance(0.07)) h["request-id"] = `req_${g.b62(14)}`;
  if (g.chance(0.12)) h["retry-after"] = g.pick(["30", "60", "120", "3600", "Wed, 21 Oct 2026 07:28:00 GMT"]);
  if (g.chance(0.35)) h.etag = etag();
  switch (profile) {
    case "cloudflare":
      h["cf-ray"] = ray();
      h.server = "cloudflare";
      break;
    case "nginx":
      h.server = g.pick(["nginx", "nginx/1.18.0 (Ubuntu)", "nginx/1.24.0", "openresty"]);
      break;
    case "express":
      if (g.chance(0.5)) h["cf-ray"] = ray();
      if (g.chance(0.5)) h.server = g.pick(["cloudflare", "Cowboy", "heroku"]);
      break;
    case "vercel":
      h.server = "Vercel";
      break;
    case "aws":
      h.server = g.pick(["awselb/2.0", "AmazonS3", "Server", "CloudFront"]);
      break;
    case "apache":
      h.server = g.pick(["Apache", "Apache/2.4.58 (Ubuntu)", "LiteSpeed"]);
      break;
    case "caddy":
      h.server = g.pick(["Caddy", "Fly/8f3c6b0d (2025-01-01)", "uvicorn", "gunicorn", "Kestrel"]);
      break;
    case "google":
      h.server = g.pick(["Google Frontend", "ESF", "envoy"]);
      break;
    case "redirect":
      h.location = g.pick([`/login?next=${encodeURIComponent(g.path())}`, g.url(), `https://${g.host()}/`, "/"]);
      if (g.chance(0.5)) h.server = g.pick(["cloudflare", "nginx", "Vercel"]);
      if (h.server === "cloudflare") h["cf-ray"] = ray();
      break;
  }
  return JSON.stringify(keptResponseHeaders(new Headers(h)));
}

/** `counts` samples of each category, the same for the same seed. */
export function generateSamples(seed: number, counts = SAMPLE_COUNTS): Record<Category, string[]> {
  const out = {} as Record<Category, string[]>;
  CATEGORIES.forEach((category, c) => {
    const g = new Gen(mulberry32(seed * 1009 + c));
    const make: Record<Category, (i: number) => string> = {
      "json-small": () => jsonSmall(g),
      "json-listing": () => jsonListing(g),
      "json-error": () => jsonError(g),
      html: () => html(g),
      text: () => text(g),
      mock: (i) => mock(g, i, seed),
      errors: () => errorMessage(g),
      headers: () => headers(g),
    };
    out[category] = Array.from({ length: counts[category] }, (_, i) => {
      g.isoFormat = g.int(0, 3);
      return make[category](i);
    });
  });
  return out;
}

/**
 * Held-out bodies of shapes the generator never makes (other APIs, other servers), to see how the dictionary does
 * on what it was not built from.
 */
export function novelSamples(): string[] {
  const g = new Gen(mulberry32(424242));
  const repos = Array.from({ length: 12 }, (_, i) => ({
    id: 700_000_000 + i * 7919,
    node_id: `R_kgDO${g.b62(6)}`,
    name: `${g.pick(WORDS)}-${g.pick(["service", "worker", "cli", "sdk"])}`,
    full_name: `octo-org/${g.pick(WORDS)}`,
    private: g.chance(0.3),
    html_url: `https://github.com/octo-org/${g.pick(WORDS)}`,
    pushed_at: g.iso(),
    stargazers_count: g.int(0, 5000),
  }));
  return [
    truncateUtf8(JSON.stringify(repos)),
    truncateUtf8(
      JSON.stringify({
        order: {
          id: 5_551_234_567,
          email: "ana@example.net",
          financial_status: "paid",
          total_price: "129.90",
          line_items: [
            { title: "Tee", quantity: 2, price: "29.95" },
            { title: "Mug", quantity: 1, price: "70.00" },
          ],
        },
      }),
    ),
    "ok",
    JSON.stringify({
      id: g.hex(32),
      level: "error",
      culprit: "app/jobs/sync.py in run",
      title: "KeyError: 'customer_id'",
    }),
    `<!DOCTYPE html>\n<html>\n<head>\n  <title>We're sorry, but something went wrong (500)</title>\n  <meta name="viewport" content="width=device-width,initial-scale=1">\n</head>\n<body class="rails-default-error-page">\n  <div class="dialog">\n    <div>\n      <h1>We're sorry, but something went wrong.</h1>\n    </div>\n    <p>If you are the application owner check the logs for more information.</p>\n  </div>\n</body>\n</html>\n`,
    'Traceback (most recent call last):\n  File "/app/cron.py", line 42, in handler\n    rows = fetch_rows(since)\n  File "/app/db.py", line 17, in fetch_rows\n    raise TimeoutError("query took too long")\nTimeoutError: query took too long\n',
    `<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error, so you are seeing this as a fallback.</p><div id='created'>Tue Mar 04 10:15:02 UTC 2025</div><div>There was an unexpected error (type=Internal Server Error, status=500).</div></body></html>`,
    JSON.stringify({
      message: "Server Error",
      exception: "Illuminate\\Database\\QueryException",
      file: "/var/www/vendor/laravel/framework/src/Illuminate/Database/Connection.php",
      line: 829,
    }),
    JSON.stringify({ error: "Failed to revalidate", digest: String(g.int(1e9, 4e9)) }),
    "Accepted for processing at 2025-06-01 03:00:00",
  ];
}

/** The held-out seed (the corpus is seed 1). */
export const HELD_OUT_SEED = 2;

/** The held-out samples by group: each category, the full-size (≥ 1000 B) listings, the novel shapes, and all. */
export function heldOut(): Array<[label: string, samples: string[]]> {
  const quarter = Object.fromEntries(CATEGORIES.map((c) => [c, Math.ceil(SAMPLE_COUNTS[c] / 4)]));
  const held = generateSamples(HELD_OUT_SEED, quarter as Record<Category, number>);
  const groups: Array<[string, string[]]> = CATEGORIES.map((c) => [c, held[c]]);
  const listings = held["json-listing"].filter((s) => Buffer.byteLength(s) >= 1000);
  groups.splice(2, 0, ["1 KB listing", listings]);
  groups.push(["novel", novelSamples()]);
  groups.push(["all", [...CATEGORIES.flatMap((c) => held[c]), ...novelSamples()]]);
  return groups;
}
