/**
 * The chart `make bench-sip` draws of its figures against N (participants), app beside native:
 * one self-contained SVG (plain text, a generic font, no scripts) that any browser or viewer opens.
 */

export interface Chart {
  title: string;
  subtitle?: string;
  panels: Panel[];
}

/** One figure (or a few of the same unit, e.g. p50 and p99) against N. */
export interface Panel {
  title: string;
  /** Shown as the y axis's label, e.g. "ms" or "% of packets". */
  unit: string;
  series: Series[];
  /** A limit drawn across the panel, e.g. { value: 30, label: '30 ms jitter' }. */
  threshold?: { value: number; label: string };
}

export interface Series {
  /** "app", "native", ...: sets the colour, the same in every panel and every chart. */
  side: string;
  label: string;
  /** A value that is undefined or not finite leaves a gap in the line. */
  points: Array<{ n: number; value: number | undefined }>;
  /** Dashed line and hollow points, e.g. a p50 beside the same side's solid p99. */
  dashed?: boolean;
}

// Okabe-Ito colours, told apart with the common colour-vision deficiencies.
const SIDE_COLOURS: Record<string, string> = { app: '#0072B2', native: '#D55E00' };
const OTHER_COLOURS = ['#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

const WIDTH = 760;
const PLOT_LEFT = 72;
const PLOT_RIGHT = WIDTH - 24;
const PANEL_HEIGHT = 270;
const PLOT_TOP = 46; // within a panel: below its title and its series legend
const PLOT_HEIGHT = 180;
const CHAR_WIDTH = 7; // of 12 px sans-serif, roughly: enough to space legend entries

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Ticks at round steps (1, 2 or 5 times a power of ten), about `target` of them, covering lo..hi. */
function niceTicks(lo: number, hi: number, target: number): { ticks: number[]; decimals: number } {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].find((m) => m * power >= raw)! * power;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const ticks: number[] = [];
  // Counting in steps and rounding each tick keeps 0.1 * 3 from showing as 0.30000000000000004.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toFixed(decimals)));
  return { ticks, decimals };
}

const finite = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value);
const coordinate = (value: number): string => value.toFixed(1);

interface Scale {
  ticks: number[];
  decimals: number;
  at: (value: number) => number;
}

function scale(lo: number, hi: number, from: number, to: number, target: number): Scale {
  const { ticks, decimals } = niceTicks(lo, hi, target);
  const min = ticks[0]!;
  const max = ticks.at(-1)!;
  return { ticks, decimals, at: (value) => from + ((value - min) / (max - min)) * (to - from) };
}

function sideColours(chart: Chart): Map<string, string> {
  const colours = new Map<string, string>();
  for (const series of chart.panels.flatMap((panel) => panel.series))
    if (!colours.has(series.side)) {
      const others = [...colours.keys()].filter((side) => SIDE_COLOURS[side] === undefined).length;
      colours.set(series.side, SIDE_COLOURS[series.side] ?? OTHER_COLOURS[others % OTHER_COLOURS.length]!);
    }
  return colours;
}

/** The points of a series in order of N, as runs without a missing value between them. */
function runs(series: Series): Array<Array<{ n: number; value: number }>> {
  const sorted = [...series.points].sort((a, b) => a.n - b.n);
  const result: Array<Array<{ n: number; value: number }>> = [[]];
  for (const { n, value } of sorted) {
    if (finite(value)) result.at(-1)!.push({ n, value });
    else if (result.at(-1)!.length > 0) result.push([]);
  }
  return result.filter((run) => run.length > 0);
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${coordinate(x)}" y="${coordinate(y)}"${attributes}>${escapeXml(content)}</text>`;
}

function drawPanel(panel: Panel, top: number, x: Scale, colours: Map<string, string>): string {
  const values = panel.series.flatMap((series) => series.points.map((point) => point.value)).filter(finite);
  if (panel.threshold !== undefined) values.push(panel.threshold.value);
  // From 0, so that heights compare as amounts; the threshold is in range so that the data can be read against it.
  const y = scale(Math.min(0, ...values), Math.max(0, ...values), top + PLOT_TOP + PLOT_HEIGHT, top + PLOT_TOP, 5);
  const bottom = top + PLOT_TOP + PLOT_HEIGHT;
  const parts: string[] = [`<g class="panel">`, text(PLOT_LEFT, top + 16, panel.title, ' font-size="14" font-weight="bold"')];

  let legendX = PLOT_LEFT;
  for (const series of panel.series) {
    const dash = series.dashed === true ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<line x1="${legendX}" y1="${top + 30}" x2="${legendX + 24}" y2="${top + 30}" stroke="${colours.get(series.side)}" stroke-width="2"${dash}/>`,
      text(legendX + 28, top + 34, series.label),
    );
    legendX += 28 + series.label.length * CHAR_WIDTH + 16;
  }

  parts.push(`<g class="y-axis" font-size="11" text-anchor="end">`);
  for (const tick of y.ticks)
    parts.push(
      `<g class="y-tick"><line x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${coordinate(y.at(tick))}" y2="${coordinate(y.at(tick))}" ` +
        `stroke="#e0e0e0"/>${text(PLOT_LEFT - 6, y.at(tick) + 4, tick.toFixed(y.decimals))}</g>`,
    );
  const middle = top + PLOT_TOP + PLOT_HEIGHT / 2;
  parts.push(`</g>`, text(18, middle, panel.unit, ` text-anchor="middle" transform="rotate(-90 18 ${coordinate(middle)})"`));

  parts.push(`<g class="x-axis" font-size="11" text-anchor="middle">`);
  for (const tick of x.ticks)
    parts.push(
      `<g class="x-tick"><line x1="${coordinate(x.at(tick))}" x2="${coordinate(x.at(tick))}" y1="${bottom}" y2="${bottom + 4}" ` +
        `stroke="#444"/>${text(x.at(tick), bottom + 16, tick.toFixed(x.decimals))}</g>`,
    );
  parts.push(
    `</g>`,
    `<line x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${bottom}" y2="${bottom}" stroke="#444"/>`,
    text((PLOT_LEFT + PLOT_RIGHT) / 2, bottom + 32, 'participants (N)', ' text-anchor="middle"'),
  );

  if (panel.threshold !== undefined) {
    const at = coordinate(y.at(panel.threshold.value));
    parts.push(
      `<g class="threshold"><line x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${at}" y2="${at}" stroke="#777" stroke-dasharray="2 3"/>`,
      `${text(PLOT_RIGHT - 4, y.at(panel.threshold.value) - 4, panel.threshold.label, ' text-anchor="end" fill="#555"')}</g>`,
    );
  }

  for (const series of panel.series) {
    const colour = colours.get(series.side)!;
    const dash = series.dashed === true ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<g class="series" data-side="${escapeXml(series.side)}" data-label="${escapeXml(series.label)}" ` +
        `stroke="${colour}" stroke-width="2" fill="none"${dash}>`,
    );
    for (const run of runs(series)) {
      const points = run.map((point) => `${coordinate(x.at(point.n))},${coordinate(y.at(point.value))}`);
      parts.push(`<polyline points="${points.join(' ')}"/>`);
      const fill = series.dashed === true ? '#fff' : colour;
      for (const point of points) {
        const [cx, cy] = point.split(',');
        parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${fill}" stroke-dasharray="none"/>`);
      }
    }
    parts.push(`</g>`);
  }
  parts.push(`</g>`);
  return parts.join('\n');
}

/** The chart as an SVG document: the title, a legend of the sides, then the panels stacked, sharing one N axis. */
export function chartSvg(chart: Chart): string {
  for (const panel of chart.panels)
    for (const series of panel.series)
      for (const point of series.points)
        if (!Number.isFinite(point.n))
          throw new Error(`chartSvg: series '${series.label}' of panel '${panel.title}' has a point with n = ${point.n}`);
  const ns = chart.panels.flatMap((panel) => panel.series.flatMap((series) => series.points.map((point) => point.n)));
  // The N axis is wider than a panel is tall: room for a tick more.
  const x = ns.length > 0 ? scale(Math.min(...ns), Math.max(...ns), PLOT_LEFT, PLOT_RIGHT, 6) : scale(0, 1, PLOT_LEFT, PLOT_RIGHT, 6);
  const colours = sideColours(chart);

  const headerHeight = chart.subtitle === undefined ? 64 : 84;
  const height = headerHeight + chart.panels.length * PANEL_HEIGHT;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ` +
      `font-family="sans-serif" font-size="12" fill="#222">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    text(PLOT_LEFT, 28, chart.title, ' font-size="18" font-weight="bold"'),
  ];
  if (chart.subtitle !== undefined) parts.push(text(PLOT_LEFT, 48, chart.subtitle, ' fill="#555"'));
  parts.push(`<g class="legend">`);
  let legendX = PLOT_LEFT;
  for (const [side, colour] of colours) {
    parts.push(
      `<rect x="${legendX}" y="${headerHeight - 22}" width="14" height="14" fill="${colour}"/>`,
      text(legendX + 20, headerHeight - 11, side),
    );
    legendX += 20 + side.length * CHAR_WIDTH + 24;
  }
  parts.push(`</g>`);
  chart.panels.forEach((panel, i) => parts.push(drawPanel(panel, headerHeight + i * PANEL_HEIGHT, x, colours)));
  parts.push(`</svg>`, '');
  return parts.join('\n');
}
