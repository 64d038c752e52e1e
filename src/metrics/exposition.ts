/**
 * The two text exposition formats a scraper may ask for: OpenMetrics 1.0 (prometheus.io/docs/specs/om/
 * open_metrics_spec) and the Prometheus text format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats).
 * Pure: families in, text out.
 */

export type ExpositionFormat = "openmetrics" | "prometheus";

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  openmetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8",
  prometheus: "text/plain; version=0.0.4; charset=utf-8",
};

export type Labels = ReadonlyArray<readonly [name: string, value: string]>;

export interface Sample {
  /** Shared by a job's samples: rendered once per exposition. */
  labels: Labels;
  /** One more label after them (a state, status, reason or quantile). */
  extra?: readonly [name: string, value: string];
  value: number;
}

/**
 * A metric family. `name` is the OpenMetrics family name: a counter's samples add `_total`, and a family with a unit
 * ends with `_<unit>`. A stateset's samples carry a label named like the family, one sample per state (1 or 0).
 */
export interface Family {
  name: string;
  type: "gauge" | "counter" | "stateset";
  help: string;
  unit?: string;
  samples: Sample[];
}

/** Label values escape backslash, double quote and line feed in both formats (OpenMetrics ABNF `escaped-string`). */
export function escapeLabelValue(value: string): string {
  if (!/[\\"\n]/.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text: OpenMetrics escapes as label values; 0.0.4 escapes only backslash and line feed. */
function escapeHelp(text: string, format: ExpositionFormat): string {
  const escaped = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  return format === "openmetrics" ? escaped.replace(/"/g, '\\"') : escaped;
}

/** A sample value: integers as such, other finite numbers in JS's shortest round-trip form (valid in both ABNFs). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

const labelPair = ([k, v]: readonly [string, string]) => `${k}="${escapeLabelValue(v)}"`;

/**
 * The exposition of `families` in `format`. OpenMetrics names a counter family without `_total` and ends with
 * `# EOF`; 0.0.4 names it as its samples, has no UNIT line and no stateset type (a stateset is a gauge there).
 */
export function renderExposition(families: readonly Family[], format: ExpositionFormat): string {
  let out = "";
  // A job's label set is shared by its samples: escaped once per exposition.
  const rendered = new Map<Labels, string>();
  const om = format === "openmetrics";
  for (const f of families) {
    const sampleName = f.type === "counter" ? `${f.name}_total` : f.name;
    const metaName = om ? f.name : sampleName;
    const type = !om && f.type === "stateset" ? "gauge" : f.type;
    out += `# HELP ${metaName} ${escapeHelp(f.help, format)}\n# TYPE ${metaName} ${type}\n`;
    if (om && f.unit) out += `# UNIT ${metaName} ${f.unit}\n`;
    for (const s of f.samples) {
      let set = rendered.get(s.labels);
      if (set === undefined) {
        set = s.labels.map(labelPair).join(",");
        rendered.set(s.labels, set);
      }
      if (s.extra) set = set ? `${set},${labelPair(s.extra)}` : labelPair(s.extra);
      out += set ? `${sampleName}{${set}} ${formatValue(s.value)}\n` : `${sampleName} ${formatValue(s.value)}\n`;
    }
  }
  return om ? `${out}# EOF\n` : out;
}
