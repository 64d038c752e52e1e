/**
 * `npm start [-- --port 8787] [--executor mock|http] [--callbacks record|send] [--persist-to <dir>]`: migrate the
 * local D1 and seed the demo account (idempotently) in this process while `wrangler dev` starts, print the URL once
 * /health answers, and run the local clock that fires the Worker's Cron Triggers on schedule (scripts/lib/clock.ts).
 * Fully offline. The port comes from --port, else PORT, else 8787; a taken port is an error before anything else is
 * printed. --persist-to moves the local state (wrangler's own flag, default .wrangler/state).
 *
 * Arguments: node:util parseArgs (strict: unknown options and missing values are errors) — the standard
 * library's parser is enough for a handful of flags and adds no dependency.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DISPATCH_CRON, SWEEP_CRON } from "../src/triggers";
import { startClock } from "./lib/clock";
import { offlineEnv } from "./lib/d1";
import { DEMO } from "./lib/demo-account";
import { checkEdgecron, type DevServerInfo, portFree, removeDevServer, writeDevServer } from "./lib/dev-server";
import { fail, failOnUncaught } from "./lib/fail";
import { DEFAULT_PERSIST_TO } from "./lib/local-d1";

const HOST = "127.0.0.1";
const USAGE =
  "usage: npm start -- [--port <1-65535>] [--executor mock|http] [--callbacks record|send] [--persist-to <dir>]";

failOnUncaught();

const opts = options();
if (!(await portFree(opts.port, HOST))) {
  fail(`port ${opts.port} is already in use on ${HOST}; pick another with --port <n> or PORT=<n>`);
}
const base = `http://${HOST}:${opts.port}`;
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

// wrangler dev starts (Node, the [build] step, the bundle, workerd) while this process prepares the local D1: workerd
// opens a D1 file only when a request reaches that database, and nothing is announced before both are done.
console.log(
  `Starting wrangler dev on ${base}; meanwhile preparing the local D1 in ${relative(process.cwd(), opts.persistTo) || "."}…`,
);
const child = startWrangler();
// Loaded after the spawn: its imports (node:sqlite, part of src/) then overlap wrangler's start-up.
const prepared = import("./lib/local-seed")
  .then(({ prepareLocalD1 }) => prepareLocalD1({ persistTo: opts.persistTo, progress: (line) => console.log(line) }))
  .then((r) => {
    console.log(
      `Local D1 ready after ${seconds()}${r.migrations > 0 ? ` (${r.migrations} migrations applied)` : ""}; waiting for wrangler dev to answer…`,
    );
    return r;
  })
  .catch((e: unknown) => {
    child.kill("SIGTERM");
    return fail(`preparing the local D1 failed: ${(e as Error).message}`);
  });
let stopClock = () => {};
let stopping = false;

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    stopping = true;
    stopClock();
    removeDevServer(process.pid);
    child.kill(sig);
  });
}
child.on("exit", (code, signal) => {
  stopClock();
  removeDevServer(process.pid);
  if (!stopping && code !== 0) console.error(`error: wrangler dev exited (${signal ?? `code ${code}`})`);
  process.exit(code ?? 0);
});

await waitUntilServing();
const seeded = await prepared;
console.log(banner(seeded.logs));
const info: DevServerInfo = {
  base,
  port: opts.port,
  pid: process.pid,
  executor: opts.executor,
  callbacks: opts.callbacks,
  started_at: new Date().toISOString(),
};
writeDevServer(info);
stopClock = startClock({
  base,
  crons: [DISPATCH_CRON, SWEEP_CRON],
  onRun: ({ cron, scheduledTime, result }) => {
    const what = cron === DISPATCH_CRON ? "dispatch tick" : "retention sweep";
    const at = new Date(scheduledTime).toISOString().slice(11, 16);
    if (result.ok) console.log(`[clock] ${at}Z ${what}`);
    else if (!stopping) console.error(`[clock] ${at}Z ${what} failed: ${result.outcome}`);
  },
});
console.log(`[clock] running: the dispatch tick at every minute, the retention sweep at 03:17 UTC (${base})`);

function parse() {
  try {
    return parseArgs({
      options: {
        port: { type: "string" },
        executor: { type: "string", default: "mock" },
        callbacks: { type: "string" },
        "persist-to": { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    return fail(`${(e as Error).message} (${USAGE})`, 2);
  }
}

function options() {
  const { values } = parse();
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const rawPort = values.port ?? process.env.PORT ?? "8787";
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    fail(`${values.port === undefined ? "PORT" : "--port"} must be a port number from 1 to 65535, not "${rawPort}"`, 2);
  }
  const executor = values.executor;
  if (executor !== "mock" && executor !== "http") fail(`--executor must be mock or http, not "${executor}"`, 2);
  // Under the mock nothing real is called, so neither are callbacks, unless asked; the real executor sends them.
  const callbacks = values.callbacks ?? (executor === "mock" ? "record" : "send");
  if (callbacks !== "record" && callbacks !== "send") fail(`--callbacks must be record or send, not "${callbacks}"`, 2);
  const rawPersist = values["persist-to"];
  if (rawPersist !== undefined && rawPersist.trim() === "") fail("--persist-to must name a directory", 2);
  // Relative to the working directory, as wrangler resolves its own --persist-to.
  const persistTo = rawPersist === undefined ? DEFAULT_PERSIST_TO : resolve(rawPersist);
  return { port, executor, callbacks, persistTo, persistGiven: rawPersist !== undefined } as const;
}

function banner(historyRows: number | null): string {
  const executorText =
    opts.executor === "mock"
      ? [
          "Executor: mock — NO job's endpoint is called. Every run (scheduled or POST /trigger) gets an invented,",
          "  deterministic outcome (mostly success, some failures, errors and timeouts) so logs and the dashboard fill up.",
          "  For real requests: npm start -- --executor http",
        ]
      : [
          "Executor: http — every run sends the real request to the job's endpoint_url and records what came back",
          "  (loopback addresses are allowed locally: ALLOW_PRIVATE_TARGETS=true; private and metadata ones are not).",
        ];
  const callbackText =
    opts.callbacks === "record"
      ? "Callbacks and alert webhooks: recorded, not sent — each shows up below as a callback_recorded or alert_recorded log line (--callbacks send to POST them)."
      : "Callbacks: sent — success/failure URLs receive signed POSTs.";
  return `
edgecron is running on ${base} (ready after ${seconds()})

${[...executorText, callbackText].join("\n")}
Scheduler: a local clock fires the Cron Triggers on time — the dispatch tick at every minute boundary (jobs run
  on schedule by themselves), the retention sweep daily at 03:17 UTC. Fire one now: npm run cli -- tick | sweep

Demo account (LOCAL ONLY — these credentials are public and work nowhere else):
  account id:   ${DEMO.account_id}
  X-API-Key:    ${DEMO.api_key}
  X-API-Secret: ${DEMO.api_secret}
  demo history: ${
    historyRows === null
      ? "seeded on the first start (`npx tsx scripts/seed.ts` adds the days since)"
      : `${historyRows.toLocaleString("en")} executions over 35 days, seeded now (re-seeding skips existing ones)`
  }

Set these in your shell; the README's examples use them:
  BASE=${base} ACCOUNT=${DEMO.account_id} KEY=${DEMO.api_key} SECRET=${DEMO.api_secret}

Try it:
  curl "$BASE/v1/cron-jobs/$ACCOUNT/list" -H "X-API-Key: $KEY" -H "X-API-Secret: $SECRET"
  open ${base}/dashboard (sign in with the demo account) and ${base}/docs (API reference)
`;
}

function startWrangler(): ChildProcess {
  // wrangler's own bin under this Node, not through npx: one Node start fewer (seconds on a busy 2-core machine).
  return spawn(
    process.execPath,
    [
      join(import.meta.dirname, "../node_modules/wrangler/bin/wrangler.js"),
      "dev",
      "--ip",
      HOST,
      "--port",
      String(opts.port),
      "--show-interactive-dev-session=false",
      "--var",
      `EXECUTOR:${opts.executor}`,
      "--var",
      `CALLBACKS:${opts.callbacks}`,
      "--var",
      "ALLOW_PRIVATE_TARGETS:true",
      // Confirmation links and the OpenAPI servers name this server's own address.
      "--var",
      `PUBLIC_ORIGIN:${base}`,
      ...(opts.persistGiven ? ["--persist-to", opts.persistTo] : []),
    ],
    // In npm start's process group: Ctrl-C, or killing the group, reaches wrangler and its workerd directly.
    { env: offlineEnv, stdio: ["ignore", "inherit", "inherit"] },
  );
}

async function waitUntilServing() {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    // The port was free, so whatever answers is our wrangler: until the Worker is up it may answer with errors.
    // The first request builds the Worker's isolate: on a busy machine that takes seconds, so wait it out
    // rather than abort it and queue another.
    if ((await checkEdgecron(base, 30_000)).ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGTERM");
  fail(`wrangler dev did not answer on ${base} within 180 s`);
}
