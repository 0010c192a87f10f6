import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConferenceEvents } from '../../src/app/conferenceEvents';
import { ConferenceMetrics } from '../../src/app/conferenceMetrics';

/** docs/grafana/conference-dashboard.json, as an admin imports it into Grafana. */
interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string }>;
}
const dashboard = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'grafana', 'conference-dashboard.json'), 'utf8')) as {
  schemaVersion: number;
  templating: { list: Array<{ name: string; type: string; query: unknown; datasource?: { uid: string } }> };
  panels: Panel[];
};

/** Every series name the app's registry can expose: a histogram's as its _bucket, _sum and _count. */
function registeredSeries(): Set<string> {
  const metrics = new ConferenceMetrics(
    new ConferenceEvents(),
    () => ({
      rooms: 0,
      permanentRooms: 0,
      lectureRooms: 0,
      participants: 0,
      leaders: 0,
      handsRaised: 0,
      onHold: 0,
      talking: 0,
      recordings: 0,
    }),
    { eventsLog: { heldLines: 0, lostLines: 0 }, writes: [] },
    () => true,
  );
  const names = new Set<string>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  }
  return names;
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** The metric names a PromQL query reads: the words left once strings, label sets, ranges, label lists, variables and function calls are taken out. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  return [...bare.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)]
    .filter((m) => m[2] === undefined)
    .map((m) => m[1]!)
    .filter((word) => !PROMQL_WORDS.has(word.toLowerCase()));
}

const panels = dashboard.panels.filter((p) => p.type !== 'row');
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
const variableQueries = dashboard.templating.list
  .filter((v) => v.type === 'query')
  .map((v) => {
    const query = typeof v.query === 'string' ? v.query : (v.query as { query: string }).query;
    const labelValues = /^label_values\((\w+),\s*\w+\)$/.exec(query);
    return { panel: `variable ${v.name}`, expr: labelValues ? labelValues[1]! : query };
  });

describe('the Grafana dashboard (docs/grafana/conference-dashboard.json)', () => {
  it('is a Grafana 10 dashboard whose panels all query the Prometheus data source chosen in its variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(38);
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels)
      expect([panel.title, panel.datasource]).toEqual([panel.title, { type: 'prometheus', uid: '${datasource}' }]);
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query'))
      expect(variable.datasource?.uid).toBe('${datasource}');
  });

  it('reads only metrics the app registers', () => {
    const registered = registeredSeries();
    const unknown = [...queries, ...variableQueries].flatMap(({ panel, expr }) =>
      metricNames(expr)
        .filter((name) => !registered.has(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
    // The reading of names finds the names (a query it read as none would pass the check above).
    for (const { panel, expr } of queries) expect([panel, metricNames(expr).length]).not.toEqual([panel, 0]);
  });

  it('shows every conference metric the app registers (its process metrics in part)', () => {
    const shown = new Set([...queries, ...variableQueries].flatMap(({ expr }) => metricNames(expr)));
    const missing = [...registeredSeries()].filter(
      (name) =>
        name.startsWith('conference_') &&
        !name.startsWith('conference_process_') &&
        !name.endsWith('_bucket') &&
        !name.endsWith('_count') &&
        !name.endsWith('_sum'),
    );
    expect(missing.filter((name) => !shown.has(name))).toEqual([]);
    expect(shown.has('conference_join_latency_seconds_bucket')).toBe(true);
  });
});
