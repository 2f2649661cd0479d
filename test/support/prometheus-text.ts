/**
 * The Prometheus text exposition format parsed by a real parser (parse-prometheus-text-format,
 * a port of the Python client's: sample syntax, escaping, HELP and TYPE), typed, so tests read
 * families and samples rather than match regexes.
 *
 * That parser folds a histogram's series into one object only when the histogram has no
 * labels (and loses its labels otherwise), so histograms are read from a second pass without
 * TYPE lines, where `_bucket`, `_sum` and `_count` come back as plain labelled samples, and
 * are grouped here by their labels other than `le`.
 */
// @ts-expect-error the package ships no type declarations; its shape is declared below
import parse from 'parse-prometheus-text-format';

export interface Sample {
  readonly labels?: Readonly<Record<string, string>>;
  /** counters, gauges, untyped */
  readonly value?: string;
  /** histograms: cumulative counts by upper bound ("+Inf" included) */
  readonly buckets?: Readonly<Record<string, string>>;
  readonly count?: string;
  readonly sum?: string;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  readonly metrics: readonly Sample[];
}

const parseText = parse as (text: string) => MetricFamily[];

function histogramSeries(name: string, untyped: ReadonlyMap<string, MetricFamily>): Sample[] {
  const series = new Map<string, { labels: Record<string, string>; buckets: Record<string, string>; count?: string; sum?: string }>();
  const entry = (labels: Readonly<Record<string, string>> = {}) => {
    const { le: _le, ...rest } = labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let s = series.get(key);
    if (!s) series.set(key, (s = { labels: rest, buckets: {} }));
    return s;
  };
  for (const sample of untyped.get(`${name}_bucket`)?.metrics ?? []) {
    const le = sample.labels?.le;
    if (le === undefined || sample.value === undefined) throw new Error(`${name}_bucket: a sample without "le" or value`);
    entry(sample.labels).buckets[le] = sample.value;
  }
  for (const sample of untyped.get(`${name}_sum`)?.metrics ?? []) entry(sample.labels).sum = sample.value;
  for (const sample of untyped.get(`${name}_count`)?.metrics ?? []) entry(sample.labels).count = sample.value;
  return [...series.values()].map((s) => ({ ...(Object.keys(s.labels).length ? { labels: s.labels } : {}), buckets: s.buckets, ...(s.count !== undefined ? { count: s.count } : {}), ...(s.sum !== undefined ? { sum: s.sum } : {}) }));
}

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const typed = parseText(text);
  // untyped, each run of same-named lines is a family of its own: `_bucket` comes back once per series
  const untyped = new Map<string, MetricFamily>();
  for (const f of parseText(text.split('\n').filter((line) => !line.startsWith('# TYPE ')).join('\n'))) {
    const seen = untyped.get(f.name);
    untyped.set(f.name, seen ? { ...seen, metrics: [...seen.metrics, ...f.metrics] } : f);
  }
  return new Map(typed.map((f) => [f.name, f.type === 'HISTOGRAM' ? { ...f, metrics: histogramSeries(f.name, untyped) } : f]));
}

/** The sample of a family whose labels include `labels`, if exactly one matches. */
export function sampleOf(family: MetricFamily | undefined, labels: Readonly<Record<string, string>> = {}): Sample | undefined {
  const matching = (family?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (matching.length > 1) throw new Error(`${family?.name}: ${matching.length} samples match ${JSON.stringify(labels)}`);
  return matching[0];
}
