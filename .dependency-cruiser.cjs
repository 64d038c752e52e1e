/**
 * Import direction, highest to lowest (docs/ARCHITECTURE.md):
 * index (+ ticks) → app → feature routes → engine + retention → feature domain → shards → lib → db.
 * http/ is cross-cutting request code used by routes, app and domain; it knows no feature and no engine.
 * config.ts and triggers.ts sit with lib. Folder cycles: `scripts/folder-cycles.mjs` on the same graph.
 */
const FEATURES = "(accounts|alerts|dashboard|deliveries|docs|jobs|keys|logs|metrics|monitors|runs|signing)";
const ROUTES = `^src/${FEATURES}/(routes|[^/]+[.]routes)[.]tsx?$`;
const DOMAIN = `^src/${FEATURES}/`;
const ENGINE = "^src/(engine|retention)/";
const LIB = "^src/(lib/|config[.]ts$|triggers[.]ts$)";

const forbid = (name, comment, from, to) => ({ name, comment, severity: "error", from, to });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid("no-circular", "A module cycle, type-only imports included.", {}, { circular: true }),
    forbid("not-to-index", "Only the runtime imports the Worker entry.", {}, { path: "^src/index[.]ts$" }),
    forbid(
      "not-to-ticks",
      "The per-shard tick is the Worker entry's.",
      { pathNot: "^src/index[.]ts$" },
      { path: "^src/ticks[.]ts$" },
    ),
    forbid(
      "not-to-app",
      "Only the Worker entry imports the app.",
      { pathNot: "^src/index[.]ts$" },
      { path: "^src/app[.]ts$" },
    ),
    forbid(
      "routes-only-from-app",
      "Feature routes are mounted by app.ts; nothing below imports them.",
      { pathNot: ["^src/(index|ticks|app)[.]ts$", ROUTES] },
      { path: ROUTES },
    ),
    forbid(
      "engine-from-above-only",
      "The pipeline calls feature domain code, never the other way round.",
      { path: [DOMAIN, "^src/(http|shards|lib|db)/", LIB], pathNot: ROUTES },
      { path: ENGINE },
    ),
    forbid(
      "domain-from-above-only",
      "Feature domain code is used by routes and the engine, not by shards, lib, db or http.",
      { path: ["^src/(http|shards|lib|db)/", LIB] },
      { path: DOMAIN, pathNot: ROUTES },
    ),
    forbid(
      "shards-from-above-only",
      "shards is below every feature.",
      { path: ["^src/(lib|db)/", LIB] },
      { path: "^src/shards/" },
    ),
    forbid(
      "http-from-requests-only",
      "http is request code: the pipeline, shards, lib and db never import it.",
      { path: ["^src/(engine|retention|shards|lib|db)/", LIB] },
      { path: "^src/http/" },
    ),
    forbid("lib-from-above-only", "db is the lowest layer.", { path: "^src/db/" }, { path: LIB }),
    forbid(
      "db-imports-db-only",
      "db holds the drizzle schemas and clients only.",
      { path: "^src/db/" },
      { path: "^src/", pathNot: "^src/db/" },
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^src/dashboard/client/", "^src/dashboard/generated/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["es6"],
  },
};
