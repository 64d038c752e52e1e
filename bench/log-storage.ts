/**
 * Bytes per log before issue 12's compact logs (migrations 0000–0014) and in the compact schema (fbedcaf), on the same
 * logs of 1,000 jobs in 10 accounts with and without the mock bodies: dbstat of every table and index.
 *   npx tsx bench/log-storage.ts [--logs 1000000] [--smoke]
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { mockOutcome } from "../src/engine/executors/mock";
import * as h from "./lib/harness";
import { type Bytes, build, makeShard } from "./lib/log-layouts";

const N = Number(h.arg("logs", String(h.size(1_000_000, 2_000))));
const JOBS = h.size(1000, 20);
const shard = makeShard(
  3,
  10,
  Array.from({ length: JOBS }, () => ({ role: "job", logs: Math.ceil(N / JOBS), days: 35, retries: true })),
  (id, row) =>
    mockOutcome({ executionId: id, timeoutSeconds: row.timeoutSeconds, endpointUrl: row.endpointUrl }).status !==
    "success",
);
const layouts = [
  {
    file: join(h.STATE_DIR, "log-storage-before.sqlite"),
    migrations: h.migrationsAt(null, "drizzle/shard", "0014"),
    writer: "text" as const,
  },
  {
    file: join(h.STATE_DIR, "log-storage-compact.sqlite"),
    migrations: h.migrationsAt("fbedcaf", "drizzle/shard"),
    writer: "inline" as const,
  },
];
const [before, compact] = (await build(shard, "mock_no_body", layouts, false)) as [Bytes, Bytes];
const [beforeBodies, compactBodies] = (await build(shard, "mock", layouts, false)) as [Bytes, Bytes];
for (const l of layouts) rmSync(l.file, { force: true });
/** Share of the bytes in indexes: objects other than the tables themselves. */
const indexShare = (m: Bytes) =>
  h.round(
    (100 *
      m.tables
        .flatMap((t) => Object.entries(t.objects).filter(([o]) => o !== t.table))
        .reduce((a, [, v]) => a + v, 0)) /
      m.per_execution,
    1,
  );
const objects = (label: string, m: typeof before) =>
  m.tables.flatMap((t) => Object.entries(t.objects).map(([o, v]) => [`${label}: ${o}`, v] as const));
const rows = [
  ["without response bodies", before.per_execution, compact.per_execution],
  [
    `with the mock bodies (${beforeBodies?.text.response_body?.raw} B average)`,
    beforeBodies?.per_execution,
    compactBodies?.per_execution,
  ],
  ["% of those bytes in indexes (without bodies)", indexShare(before), indexShare(compact)],
] as const;
h.writeResult(
  "log-storage",
  {
    logs: before.executions,
    without_bodies: { before, compact },
    with_bodies: { before: beforeBodies, compact: compactBodies },
  },
  [
    h.table(
      `Bytes per log, ${before.executions.toLocaleString("en")} logs`,
      [...rows],
      [
        ["bytes per log", (r) => r[0]],
        ["before (execution_logs)", (r) => r[1]],
        ["compact (logs)", (r) => r[2]],
      ],
    ),
    h.table(
      "Per object, without bodies (bytes per log)",
      [...objects("before", before), ...objects("compact", compact)],
      [
        ["object", (o) => o[0]],
        ["bytes per log", (o) => o[1]],
      ],
    ),
  ],
);
