import { z } from "zod";

const flag = z
  .enum(["true", "false", "1", "0", ""])
  .default("false")
  .transform((v) => v === "true" || v === "1");

const ConfigSchema = z.object({
  EXECUTOR: z.enum(["mock", "http"]).default("mock"),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  ALLOW_PRIVATE_TARGETS: flag,
  MAX_ACTIVE_JOBS: z.coerce.number().int().min(1).default(100),
});

export type Config = z.infer<typeof ConfigSchema>;

const cache = new WeakMap<object, Config>();

/** Parses the Worker's vars once per env object; a bad deployment fails loudly, not per request. */
export function config(env: Partial<Record<keyof Config, string>>): Config {
  let parsed = cache.get(env);
  if (!parsed) {
    parsed = ConfigSchema.parse({
      EXECUTOR: env.EXECUTOR || undefined,
      RETENTION_DAYS: env.RETENTION_DAYS || undefined,
      ALLOW_PRIVATE_TARGETS: env.ALLOW_PRIVATE_TARGETS || undefined,
      MAX_ACTIVE_JOBS: env.MAX_ACTIVE_JOBS || undefined,
    });
    cache.set(env, parsed);
  }
  return parsed;
}
