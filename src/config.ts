import { z } from "zod";
import { type KeyringStatus, parseKeyring } from "./lib/secrets/keyring";

const flag = z
  .enum(["true", "false", "1", "0", ""])
  .default("false")
  .transform((v) => v === "true" || v === "1");

const ConfigSchema = z.object({
  /** http (production) runs the real request; mock invents deterministic outcomes (npm start, tests). */
  EXECUTOR: z.enum(["mock", "http"]).default("http"),
  /** send (production) POSTs callbacks; record only logs them (npm start under the mock executor). */
  CALLBACKS: z.enum(["send", "record"]).default("send"),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  ALLOW_PRIVATE_TARGETS: flag,
  MAX_ACTIVE_JOBS: z.coerce.number().int().min(1).default(100),
  /** Jobs per account in any state but deleted (paused, disabled, completed); docs/API-NOTES.md "Limits". */
  MAX_JOBS: z.coerce.number().int().min(1).default(500),
  /** Usable (unrevoked, unexpired) API keys per account; keys can mint keys, so this bounds the per-key budgets. */
  MAX_API_KEYS: z.coerce.number().int().min(1).default(20),
  /** Live monitors per account (src/monitors); `?create=1` pings beyond it get 429. */
  MAX_MONITORS: z.coerce.number().int().min(1).default(100),
  /** Idempotency keys per account within their 24-hour window (src/lib/idempotency/store.ts). */
  MAX_IDEMPOTENCY_KEYS: z.coerce.number().int().min(1).default(10_000),
  /** Must match the RATE_LIMITER binding's `simple.limit`: the binding enforces it, these only describe it. */
  RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).default(100),
  /** Must match the binding's `simple.period` (the binding accepts 10 or 60). */
  RATE_LIMIT_PERIOD_SECONDS: z.enum(["10", "60"]).default("60").transform(Number),
  /** Must match the RATE_LIMITER_ACCOUNT binding's `simple.limit`: one budget for all of an account's keys. */
  RATE_LIMIT_ACCOUNT_REQUESTS: z.coerce.number().int().min(1).default(300),
  /** Must match the RATE_LIMITER_ACCOUNT binding's `simple.period` (10 or 60). */
  RATE_LIMIT_ACCOUNT_PERIOD_SECONDS: z.enum(["10", "60"]).default("60").transform(Number),
  /** Must match the RATE_LIMITER_PING binding's `simple.limit`: pings per ping key (one per account). */
  RATE_LIMIT_PING_REQUESTS: z.coerce.number().int().min(1).default(1000),
  /** Must match the RATE_LIMITER_PING binding's `simple.period` (10 or 60). */
  RATE_LIMIT_PING_PERIOD_SECONDS: z.enum(["10", "60"]).default("60").transform(Number),
  /** How long an isolate trusts a key it verified (0: check D1 on every request); also a revoked key's grace. */
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  /** How long an isolate trusts the shard directory (src/shards/directory.ts); 0 reads it on every request. */
  DIRECTORY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  /** From of alert and confirmation e-mails: an address of the Email Service domain (docs/OPERATING.md "Deploy"). */
  ALERT_EMAIL_FROM: z.string().default("alerts@edgecron.example"),
  /** Alert e-mail addresses (pending or confirmed) per account (docs/API-NOTES.md "Limits"). */
  MAX_ALERT_RECIPIENTS: z.coerce.number().int().min(1).default(50),
  /** Confirmation e-mails an account may cause per rolling hour, any address (docs/API-NOTES.md "Limits"). */
  MAX_CONFIRMATION_EMAILS_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** The public origin for absolute links, never the request's Host, which a client chooses. */
  PUBLIC_ORIGIN: z
    .string()
    .default("http://localhost:8787")
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol) && new URL(v).origin === v, {
      message: "must be an http(s) origin: scheme, host and optional port, no path or trailing slash",
    }),
});

export type Config = z.infer<typeof ConfigSchema> & {
  /** The master keys that seal job secrets (Worker secrets, never `[vars]`); without them secrets fail closed. */
  secrets: KeyringStatus;
};

const cache = new WeakMap<object, Config>();

/** Parses the Worker's vars once per env object; a bad deployment fails loudly, not per request. */
export function config(env: Partial<Record<keyof Config, string>>): Config {
  let parsed = cache.get(env);
  if (!parsed) {
    const vars = ConfigSchema.parse({
      EXECUTOR: env.EXECUTOR || undefined,
      CALLBACKS: env.CALLBACKS || undefined,
      RETENTION_DAYS: env.RETENTION_DAYS || undefined,
      ALLOW_PRIVATE_TARGETS: env.ALLOW_PRIVATE_TARGETS || undefined,
      MAX_ACTIVE_JOBS: env.MAX_ACTIVE_JOBS || undefined,
      MAX_JOBS: env.MAX_JOBS || undefined,
      MAX_API_KEYS: env.MAX_API_KEYS || undefined,
      MAX_IDEMPOTENCY_KEYS: env.MAX_IDEMPOTENCY_KEYS || undefined,
      MAX_MONITORS: env.MAX_MONITORS || undefined,
      RATE_LIMIT_REQUESTS: env.RATE_LIMIT_REQUESTS || undefined,
      RATE_LIMIT_PERIOD_SECONDS: env.RATE_LIMIT_PERIOD_SECONDS || undefined,
      RATE_LIMIT_ACCOUNT_REQUESTS: env.RATE_LIMIT_ACCOUNT_REQUESTS || undefined,
      RATE_LIMIT_ACCOUNT_PERIOD_SECONDS: env.RATE_LIMIT_ACCOUNT_PERIOD_SECONDS || undefined,
      RATE_LIMIT_PING_REQUESTS: env.RATE_LIMIT_PING_REQUESTS || undefined,
      RATE_LIMIT_PING_PERIOD_SECONDS: env.RATE_LIMIT_PING_PERIOD_SECONDS || undefined,
      API_KEY_CACHE_SECONDS: env.API_KEY_CACHE_SECONDS || undefined,
      DIRECTORY_CACHE_SECONDS: env.DIRECTORY_CACHE_SECONDS || undefined,
      ALERT_EMAIL_FROM: env.ALERT_EMAIL_FROM || undefined,
      MAX_ALERT_RECIPIENTS: env.MAX_ALERT_RECIPIENTS || undefined,
      MAX_CONFIRMATION_EMAILS_PER_HOUR: env.MAX_CONFIRMATION_EMAILS_PER_HOUR || undefined,
      PUBLIC_ORIGIN: env.PUBLIC_ORIGIN || undefined,
    });
    const keys = env as { SECRETS_MASTER_KEY?: string; SECRETS_MASTER_KEY_PREVIOUS?: string };
    parsed = { ...vars, secrets: parseKeyring(keys.SECRETS_MASTER_KEY, keys.SECRETS_MASTER_KEY_PREVIOUS) };
    cache.set(env, parsed);
  }
  return parsed;
}
