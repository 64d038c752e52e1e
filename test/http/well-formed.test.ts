import { describe, expect, it } from "vitest";
import { bodyIssues, illFormedAt } from "../../src/schemas/well-formed";

describe("bodyIssues (issue 15, items 9 and 10)", () => {
  it("finds lone surrogates in values and keys, and __proto__ keys, naming each path", () => {
    const body = JSON.parse('{"a":["ok","x\\ud800"],"b":{"\\udc00k":1,"__proto__":{"c":"\\ud83d"}},"e":"😀"}');
    expect(bodyIssues(body).map((i) => i.field)).toEqual(["a.1", "b", "b.__proto__"]);
  });

  it("is well-formed for surrogate pairs and plain text", () => {
    expect(illFormedAt("😀 café")).toBe(-1);
    expect(illFormedAt("a\ud83d")).toBe(1);
    expect(illFormedAt("\ude00b")).toBe(0);
    expect(bodyIssues({ a: ["😀"], __proto_: 1 })).toEqual([]);
  });

  it("walks a body nested 100,000 levels deep without overflowing the stack", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}"\\ud800"${"]".repeat(100_000)}`);
    const issues = bodyIssues(deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field.split(".")).toHaveLength(100_000);
  });
});
