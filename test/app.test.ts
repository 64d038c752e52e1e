/**
 * A feature's routers are mounted in one place, src/app.ts: it imports every routes module
 * (src/<feature>/routes.ts or *.routes.ts), and lint refuses an import left unused.
 */
import { describe, expect, it } from "vitest";
import { API_TAGS } from "../src/app";
import appSource from "../src/app.ts?raw";
import { api } from "./helpers/http";

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

describe("OpenAPI tags", () => {
  it("every operation carries exactly one tag of API_TAGS, and the document lists them all in order", async () => {
    const doc = (await api("/openapi.json")).body as {
      tags: Array<{ name: string; description: string }>;
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    const names: string[] = Object.values(API_TAGS).map((t) => t.name);
    expect(doc.tags.map((t) => t.name)).toEqual(names);
    const untagged: string[] = [];
    const used = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.tags?.length !== 1 || !names.includes(op.tags[0] as string)) untagged.push(`${method} ${path}`);
        else used.add(op.tags[0] as string);
      }
    }
    expect(untagged).toEqual([]);
    expect([...used].sort()).toEqual([...names].sort());
  });
});
