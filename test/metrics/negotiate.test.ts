import { describe, expect, it } from "vitest";
import { negotiateFormat } from "../../src/metrics/negotiate";

describe("metrics content negotiation", () => {
  it.each<[string, string | undefined, "openmetrics" | "prometheus" | null]>([
    ["no Accept", undefined, "prometheus"],
    ["an empty Accept", "", "prometheus"],
    ["curl's */*", "*/*", "prometheus"],
    ["a browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "prometheus"],
    [
      "Prometheus 2.x",
      "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
      "openmetrics",
    ],
    [
      "Prometheus 3.x",
      "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
      "openmetrics",
    ],
    [
      "Prometheus with scrape_protocols: [PrometheusText0.0.4] first",
      "text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,*/*;q=0.1",
      "prometheus",
    ],
    ["OpenMetrics without a version", "application/openmetrics-text", "openmetrics"],
    ["the draft OpenMetrics version only", "application/openmetrics-text; version=0.0.1", "openmetrics"],
    ["plain text", "text/plain", "prometheus"],
    ["text/*", "text/*", "prometheus"],
    ["application/*", "application/*", "openmetrics"],
    ["both named at the same q: OpenMetrics", "text/plain, application/openmetrics-text", "openmetrics"],
    ["case and spaces", "Application/OpenMetrics-Text ; Version=1.0.0 ; q=0.9 , TEXT/PLAIN ; q=0.8", "openmetrics"],
    ["q=0 refuses a type a wildcard would allow", "application/openmetrics-text;q=0, */*", "prometheus"],
    ["JSON only", "application/json", null],
    ["an unknown OpenMetrics version only", "application/openmetrics-text;version=2.0.0", null],
    ["Prometheus text 1.0.0 only", "text/plain;version=1.0.0", null],
    ["everything refused", "*/*;q=0", null],
    ["garbage", "not a media type", null],
  ])("%s → %s", (_name, accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});
