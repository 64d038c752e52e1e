import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { buildAssets } from "./scripts/build-assets";

export default defineConfig(async () => {
  // The Worker imports the dashboard bundle as a generated module; the API reference is a static asset (assets/).
  await buildAssets();
  // The control plane (DB) and every shard (SHARD_0, SHARD_1: two, so every path runs across shards) get their own
  // migrations, as `npm run db:migrate` applies them.
  const controlMigrations = await readD1Migrations(new URL("./drizzle/control", import.meta.url).pathname);
  const shardMigrations = await readD1Migrations(new URL("./drizzle/shard", import.meta.url).pathname);
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // wrangler.toml is production (EXECUTOR http): tests run the mock executor unless a test swaps it.
          bindings: {
            CONTROL_MIGRATIONS: controlMigrations,
            SHARD_MIGRATIONS: shardMigrations,
            EXECUTOR: "mock",
            ALLOW_PRIVATE_TARGETS: "true",
            RATE_LIMIT_REQUESTS: "1000000",
            RATE_LIMIT_ACCOUNT_REQUESTS: "1000000",
            // Confirmation links and the OpenAPI servers name this origin (test/http/public-origin.test.ts sets another).
            PUBLIC_ORIGIN: "http://localhost",
            // A test-only master key (the committed .dev.vars holds the local one): job secrets are sealed with it.
            SECRETS_MASTER_KEY: "test:qDx4WhwqLrt+9tqo/PYwFVihDPZ8MuuPq9sJjWQa9Y4=",
          },
          // wrangler.toml's [assets] (the /docs script) plus a binding wrangler.toml does not give the Worker: SELF
          // reaches the Worker alone, so test/dashboard/docs.test.ts reads the assets through it.
          assets: { directory: new URL("./assets", import.meta.url).pathname, binding: "ASSETS" },
          // Suites send hundreds of requests per key and account: RATE_LIMITER and RATE_LIMITER_ACCOUNT get a budget
          // they never reach; test/http/rate-limit.test.ts swaps in the tight ones.
          ratelimits: {
            RATE_LIMITER: { namespace_id: "1001", simple: { limit: 1_000_000, period: 60 } },
            RATE_LIMITER_TIGHT: { namespace_id: "1002", simple: { limit: 3, period: 60 } },
            RATE_LIMITER_ACCOUNT: { namespace_id: "1003", simple: { limit: 1_000_000, period: 60 } },
            RATE_LIMITER_ACCOUNT_TIGHT: { namespace_id: "1004", simple: { limit: 5, period: 60 } },
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      // Engine tests drive many ticks and deliveries through local D1; on a 2-core machine under load the default
      // 5 s is a flake, not a finding (speed is measured in bench/, never by timed assertions).
      testTimeout: 30_000,
      globalSetup: ["./test/setup/target-server.ts"],
      setupFiles: ["./test/setup/apply-migrations.ts"],
    },
  };
});
