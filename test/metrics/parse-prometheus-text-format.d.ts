declare module "parse-prometheus-text-format" {
  /** Metric families as prom2json prints them: values stay strings. */
  export default function parsePrometheusTextFormat(text: string): Array<{
    name: string;
    help: string;
    type: string;
    metrics: Array<{ labels?: Record<string, string>; value: string }>;
  }>;
}
