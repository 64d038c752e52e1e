/**
 * Test helpers that read an exposition back. Prometheus text 0.0.4 goes through parse-prometheus-text-format (a
 * port of the Prometheus Go client's text parser); OpenMetrics, which no maintained npm package parses, is checked
 * line by line against the OpenMetrics 1.0 ABNF subset we emit, then parsed the same way.
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { expect } from "vitest";

export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value: string }>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Parses 0.0.4 text and checks what the parser leaves loose: names, numbers, unique families and label sets. */
export function parsePrometheus(text: string): ParsedFamily[] {
  expect(text.endsWith("\n")).toBe(true);
  const families = parsePrometheusTextFormat(text) as ParsedFamily[];
  const names = families.map((f) => f.name);
  expect(new Set(names).size, "family names are unique").toBe(names.length);
  for (const f of families) {
    expect(f.name).toMatch(NAME);
    expect(["GAUGE", "COUNTER"], f.name).toContain(f.type);
    expect(f.help, f.name).not.toBe("");
    const seen = new Set<string>();
    for (const m of f.metrics) {
      expect(Number.isFinite(Number(m.value)), `${f.name} ${m.value}`).toBe(true);
      for (const l of Object.keys(m.labels ?? {})) expect(l).toMatch(LABEL_NAME);
      const key = JSON.stringify(Object.entries(m.labels ?? {}).sort());
      expect(seen.has(key), `${f.name} ${key} is unique`).toBe(false);
      seen.add(key);
    }
  }
  return families;
}

// OpenMetrics 1.0 ABNF (prometheus.io/docs/specs/om/open_metrics_spec/#abnf), the parts this exposition uses.
const OM_ESCAPED = String.raw`(?:[^"\\\n]|\\\\|\\"|\\n)*`;
const OM_LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="${OM_ESCAPED}"`;
const OM_NUMBER = String.raw`[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|inf|NaN)`;
const OM_SAMPLE = new RegExp(
  String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?:${OM_LABEL}(?:,${OM_LABEL})*)?\})? (${OM_NUMBER})$`,
);
const OM_META = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/;
const OM_TYPES = ["counter", "gauge", "histogram", "gaugehistogram", "stateset", "info", "summary", "unknown"];

/**
 * Checks OpenMetrics text line by line: the ABNF of each line, `# EOF` last, metadata before its samples and once
 * each, UNIT a suffix of the family name, counter samples `_total`, a stateset's samples 0/1 with the family's label;
 * then parses it as 0.0.4 (its sample lines are the same grammar) for the values.
 */
export function parseOpenMetrics(text: string): Map<string, { type: string; unit?: string; samples: string[] }> {
  expect(text.endsWith("# EOF\n")).toBe(true);
  const lines = text.slice(0, -"# EOF\n".length).split("\n");
  expect(lines.pop()).toBe("");
  const families = new Map<string, { type: string; unit?: string; help?: string; samples: string[] }>();
  let current: string | null = null;
  for (const line of lines) {
    const meta = OM_META.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (current !== name) {
        expect(families.has(name), `${name} appears once`).toBe(false);
        families.set(name, { type: "unknown", samples: [] });
        current = name;
      }
      const f = families.get(name) as { type: string; unit?: string; help?: string; samples: string[] };
      expect(f.samples, `${kind} of ${name} before its samples`).toEqual([]);
      if (kind === "TYPE") {
        expect(OM_TYPES).toContain(rest);
        f.type = rest;
      } else if (kind === "UNIT") {
        expect(name.endsWith(`_${rest}`), `${name} ends with its unit`).toBe(true);
        f.unit = rest;
      } else {
        expect(rest).toMatch(new RegExp(`^${OM_ESCAPED}$`));
        f.help = rest;
      }
      continue;
    }
    const sample = OM_SAMPLE.exec(line);
    expect(sample, `an OpenMetrics sample line: ${line}`).not.toBeNull();
    const [, sampleName, value] = sample as unknown as [string, string, string];
    expect(current, `${sampleName} follows its metadata`).not.toBeNull();
    const f = families.get(current as string) as { type: string; samples: string[] };
    if (f.type === "counter") expect(sampleName).toBe(`${current}_total`);
    else expect(sampleName).toBe(current);
    if (f.type === "stateset") {
      expect(["0", "1"]).toContain(value);
      expect(line).toContain(`${current}="`);
    }
    f.samples.push(line);
  }
  parsePrometheusTextFormat(lines.filter((l) => !l.startsWith("# ")).join("\n"));
  return families;
}

/** The value of the sample of `family` whose labels include `labels` (0.0.4 parse result), or undefined. */
export function sampleValue(
  families: ParsedFamily[],
  family: string,
  labels: Record<string, string>,
): number | undefined {
  const f = families.find((x) => x.name === family);
  const m = f?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return m === undefined ? undefined : Number(m.value);
}
