import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ExpositionFormat, type Family, type Labels, renderExposition } from "../../src/metrics/exposition";

/** Label values and help texts: the characters either format escapes, and some it does not. */
const text = fc.string({
  unit: fc.constantFrom("a", "Z", " ", "\\", '"', "\n", "{", "}", ",", "=", "é", "#"),
  maxLength: 6,
});
const labelName = fc.constantFrom("job_id", "job_name", "tags", "a");
/** A label set; sets are shared between samples by reference, as a job's are. */
const labelSet: fc.Arbitrary<Labels> = fc.uniqueArray(fc.tuple(labelName, text), {
  selector: ([k]) => k,
  maxLength: 3,
});
const value = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);

const familiesArb: fc.Arbitrary<Family[]> = fc.array(labelSet, { minLength: 1, maxLength: 3 }).chain((sets) =>
  fc.array(
    fc.record(
      {
        name: fc.constantFrom("edgecron_job_up", "edgecron_job_runs", "edgecron_job_response_time_seconds"),
        type: fc.constantFrom("gauge" as const, "counter" as const, "stateset" as const),
        help: text,
        unit: fc.constantFrom("seconds", ""),
        samples: fc.array(
          fc.record(
            {
              labels: fc.constantFrom(...sets),
              extra: fc.tuple(fc.constantFrom("status", "quantile", "edgecron_job_state"), text),
              value,
            },
            { requiredKeys: ["labels", "value"] },
          ),
          { maxLength: 4 },
        ),
      },
      { requiredKeys: ["name", "type", "help", "samples"] },
    ),
    { maxLength: 4 },
  ),
);

const unescapeValue = (s: string) => s.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;

/** A sample line read back: its name, labels in order (unescaped) and value. */
function readSample(line: string): { name: string; labels: Array<[string, string]>; value: number } {
  const m = SAMPLE.exec(line);
  expect(m, line).not.toBeNull();
  const [, name, set, v] = m as unknown as [string, string, string | undefined, string];
  const labels: Array<[string, string]> = [];
  let rest = set ?? "";
  expect(set, `no empty braces: ${line}`).not.toBe("");
  while (rest !== "") {
    const l = LABEL.exec(rest);
    expect(l, `a label pair: ${rest}`).not.toBeNull();
    const [all, k, escaped] = l as unknown as [string, string, string];
    labels.push([k, unescapeValue(escaped)]);
    rest = rest.slice(all.length);
  }
  const number = v === "+Inf" ? Number.POSITIVE_INFINITY : v === "-Inf" ? Number.NEGATIVE_INFINITY : Number(v);
  expect(v, "a finite value in JS's shortest form, or NaN/±Inf").toMatch(/^(NaN|[+-]Inf|-?\d+(\.\d+)?(e[+-]\d+)?)$/);
  return { name, labels, value: number };
}

/**
 * Reads `out` back family by family: HELP, TYPE, UNIT (OpenMetrics, when the family has one), then one line a sample
 * in order, every line newline-terminated, and `# EOF` last in OpenMetrics; nothing else.
 */
function readBack(out: string, families: readonly Family[], format: ExpositionFormat) {
  const om = format === "openmetrics";
  expect(out.endsWith("\n") || out === "").toBe(true);
  const lines = out === "" ? [] : out.slice(0, -1).split("\n");
  if (om) expect(lines.pop()).toBe("# EOF");
  let i = 0;
  const next = () => {
    expect(i, "a line for each piece").toBeLessThan(lines.length);
    return lines[i++] as string;
  };
  for (const f of families) {
    const sampleName = f.type === "counter" ? `${f.name}_total` : f.name;
    const meta = om ? f.name : sampleName;
    const help = next();
    expect(help.startsWith(`# HELP ${meta} `), help).toBe(true);
    const helpText = help.slice(`# HELP ${meta} `.length);
    // OpenMetrics escapes HELP as a label value; 0.0.4 escapes backslash and line feed only.
    expect(helpText).toMatch(om ? /^(?:[^"\\\n]|\\\\|\\"|\\n)*$/ : /^(?:[^\\\n]|\\\\|\\n)*$/);
    expect(
      om ? unescapeValue(helpText) : helpText.replace(/\\([\\n])/g, (_, c: string) => (c === "n" ? "\n" : c)),
    ).toBe(f.help);
    expect(next()).toBe(`# TYPE ${meta} ${!om && f.type === "stateset" ? "gauge" : f.type}`);
    if (om && f.unit) expect(next()).toBe(`# UNIT ${meta} ${f.unit}`);
    for (const s of f.samples) {
      const got = readSample(next());
      expect(got.name).toBe(sampleName);
      expect(got.labels).toEqual([...s.labels.map(([k, v]) => [k, v]), ...(s.extra ? [[...s.extra]] : [])]);
      if (Number.isNaN(s.value)) expect(got.value).toBeNaN();
      else expect(got.value).toBe(s.value === 0 ? 0 : s.value);
    }
  }
  expect(i, "no line left over").toBe(lines.length);
}

describe("metrics exposition text", () => {
  for (const format of ["openmetrics", "prometheus"] as const) {
    it(`${format}: reads back as its families, line by line`, () => {
      fc.assert(
        fc.property(familiesArb, (families) => readBack(renderExposition(families, format), families, format)),
        { numRuns: 2_000 },
      );
    });
  }

  it("renders no family as no line: `# EOF` alone in OpenMetrics, nothing in 0.0.4", () => {
    expect(renderExposition([], "openmetrics")).toBe("# EOF\n");
    expect(renderExposition([], "prometheus")).toBe("");
  });
});
