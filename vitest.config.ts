import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import type { Reporter, Vitest } from "vitest/node";
import { buildAssets } from "./scripts/build-assets.ts";

/** Appends every console line of the tests and the Worker to `path`, under the test that wrote it. */
function consoleToFile(path: string): Reporter {
  let vitest: Vitest | undefined;
  return {
    onInit(ctx) {
      vitest = ctx;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, "");
    },
    onUserConsoleLog(log) {
      const task = log.taskId ? vitest?.state.idMap.get(log.taskId) : undefined;
      const where = task ? `${task.file.name} > ${task.name}` : "outside a test";
      appendFileSync(path, `${log.type} | ${where}\n${log.content.endsWith("\n") ? log.content : `${log.content}\n`}`);
    },
  };
}

export default defineConfig(async () => {
  // Wrangler's info lines ("Using secrets defined in .dev.vars", once per test file) say nothing about the tests:
  // the bindings below override those values.
  process.env.WRANGLER_LOG ??= "warn";
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
        // workerd's verbose mode prints internal errors the tests provoke and assert on (5 lines per refused
        // connection); unhandled rejections still fail the run through vitest.
        verbose: false,
        miniflare: {
          // wrangler.toml is production (EXECUTOR http): tests run the mock executor unless a test swaps it.
          bindings: {
            CONTROL_MIGRATIONS: controlMigrations,
            SHARD_MIGRATIONS: shardMigrations,
            EXECUTOR: "mock",
            ALLOW_PRIVATE_TARGETS: "true",
            RATE_LIMIT_REQUESTS: "1000000",
            RATE_LIMIT_ACCOUNT_REQUESTS: "1000000",
            RATE_LIMIT_PING_REQUESTS: "1000000",
            // Confirmation links and the OpenAPI servers name this origin (test/http/public-origin.test.ts sets another).
            PUBLIC_ORIGIN: "http://localhost",
            // A test-only master key (the committed .dev.vars holds the local one): job secrets are sealed with it.
            SECRETS_MASTER_KEY: "test:qDx4WhwqLrt+9tqo/PYwFVihDPZ8MuuPq9sJjWQa9Y4=",
          },
          // wrangler.toml's [assets] (the /docs script) plus a binding wrangler.toml does not give the Worker: SELF
          // reaches the Worker alone, so test/docs/docs.test.ts reads the assets through it.
          assets: { directory: new URL("./assets", import.meta.url).pathname, binding: "ASSETS" },
          // Suites send hundreds of requests per key and account: RATE_LIMITER and RATE_LIMITER_ACCOUNT get a budget
          // they never reach; test/http/rate-limit.test.ts swaps in the tight ones.
          ratelimits: {
            RATE_LIMITER: { namespace_id: "1001", simple: { limit: 1_000_000, period: 60 } },
            RATE_LIMITER_TIGHT: { namespace_id: "1002", simple: { limit: 3, period: 60 } },
            RATE_LIMITER_ACCOUNT: { namespace_id: "1003", simple: { limit: 1_000_000, period: 60 } },
            RATE_LIMITER_ACCOUNT_TIGHT: { namespace_id: "1004", simple: { limit: 5, period: 60 } },
            RATE_LIMITER_PING: { namespace_id: "1005", simple: { limit: 1_000_000, period: 60 } },
            RATE_LIMITER_PING_TIGHT: { namespace_id: "1006", simple: { limit: 3, period: 60 } },
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      // A green run prints a summary: `minimal` shows only failing tests, each with its own console output. Every
      // console line (the Worker's structured logs) goes to test-artifacts/worker-console.log; `--reporter=default`
      // lists every test and prints its logs as before.
      reporters: [
        "minimal",
        consoleToFile(new URL("./test-artifacts/worker-console.log", import.meta.url).pathname),
        ...(process.env.GITHUB_ACTIONS === "true" ? ["github-actions"] : []),
      ],
      // Engine tests drive many ticks and deliveries through local D1; on a 2-core machine under load the default
      // 5 s is a flake, not a finding (speed is measured in bench/, never by timed assertions).
      testTimeout: 30_000,
      globalSetup: ["./test/setup/target-server.ts"],
      // One workerd and module graph for every file instead of one per file (≈ 4× less CPU for the suite, see
      // bench/RESULTS.md); the setup file empties the databases before each file, so each still starts fresh.
      isolate: false,
      setupFiles: ["./test/setup/apply-migrations.ts"],
    },
  };
});
