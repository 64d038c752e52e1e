/**
 * A feature's routers are mounted in one place, src/app.ts: it imports every routes module
 * (src/<feature>/routes.ts or *.routes.ts), and lint refuses an import left unused.
 */
import { describe, expect, it } from "vitest";
import appSource from "../src/app.ts?raw";

const routeModules = [
  ...Object.keys(import.meta.glob<string>("../src/*/routes.{ts,tsx}", { query: "?raw", import: "default" })),
  ...Object.keys(import.meta.glob<string>("../src/*/*.routes.{ts,tsx}", { query: "?raw", import: "default" })),
];

describe("app.ts", () => {
  it("finds the feature routes modules", () => {
    expect(routeModules.length).toBeGreaterThan(8);
  });

  it.each(routeModules)("imports %s", (file) => {
    const specifier = `"./${file.replace("../src/", "").replace(/\.tsx?$/, "")}"`;
    expect(appSource).toContain(`from ${specifier}`);
  });
});
