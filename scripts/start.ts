/**
 * `npm start`: migrate the local D1, seed the demo account (idempotently), print how to call it,
 * then run `wrangler dev` on :8787 with scheduled triggers testable. Fully offline.
 */
import { spawn } from "node:child_process";
import { offlineEnv } from "./lib/d1";
import { DEMO } from "./lib/demo";
import { seed } from "./seed";

const PORT = 8787;
const base = `http://localhost:${PORT}`;

console.log("Applying migrations and seeding the demo account…");
const r = await seed();
const job = "00000000-0000-4000-8000-0000000a0001";
const auth = `-H "X-API-Key: ${DEMO.api_key}" -H "X-API-Secret: ${DEMO.api_secret}"`;
console.log(`
edgecron is starting on ${base}

Demo account (LOCAL ONLY — these credentials are public and work nowhere else):
  account id:  ${DEMO.account_id}
  X-API-Key:    ${DEMO.api_key}
  X-API-Secret: ${DEMO.api_secret}
  demo history: ${r.logs} executions over 35 days (re-seeding skips existing ones)

Try it:
  curl "${base}/v1/cron-jobs/${DEMO.account_id}/logs/${job}?page=1&limit=5&status=failure" ${auth}
  curl "${base}/v1/cron-jobs/${DEMO.account_id}/list" ${auth}
  open ${base}/docs for the API reference

Run the scheduler by hand (dispatch tick / retention sweep):
  curl "${base}/__scheduled?cron=*+*+*+*+*"
  curl "${base}/__scheduled?cron=17+3+*+*+*"
`);

const child = spawn(
  "npx",
  [
    "--no-install",
    "wrangler",
    "dev",
    "--port",
    String(PORT),
    "--test-scheduled",
    "--var",
    "ALLOW_PRIVATE_TARGETS:true",
  ],
  { env: offlineEnv, stdio: "inherit" },
);
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
