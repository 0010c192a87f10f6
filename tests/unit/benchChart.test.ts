import { Chart, chartSvg } from '../../bench/sip/chart';

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Character data with its five predefined entities decoded; a bare & or < is not well-formed. */
function decode(raw: string, at: number): string {
  if (raw.includes('<')) throw new Error(`raw < at ${at}`);
  return raw.replace(/&([a-z]+);|&/g, (match, name: string | undefined) => {
    const decoded = name === undefined ? undefined : ENTITIES[name];
    if (decoded === undefined) throw new Error(`bare or unknown entity ${match} at ${at}`);
    return decoded;
  });
}

/** A minimal XML parser: elements, attributes, text; throws where the document is not well-formed. */
function parseXml(xml: string): XmlElement {
  const document: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const open = [document];
  const token = /<\/([\w:-]+)\s*>|<([\w:-]+)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/y;
  while (token.lastIndex < xml.length) {
    const at = token.lastIndex;
    const match = token.exec(xml);
    if (match === null) throw new Error(`not well-formed at ${at}: ${xml.slice(at, at + 40)}`);
    const [, closing, name, attributeText, selfClosing, characters] = match;
    const parent = open.at(-1)!;
    if (characters !== undefined) {
      if (parent === document && characters.trim() !== '') throw new Error(`text outside the root at ${at}`);
      parent.text += decode(characters, at);
    } else if (closing !== undefined) {
      if (closing !== parent.name) throw new Error(`</${closing}> closes <${parent.name}> at ${at}`);
      open.pop();
    } else {
      const element: XmlElement = { name: name!, attributes: {}, children: [], text: '' };
      for (const [, key, value] of attributeText!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
        if (key! in element.attributes) throw new Error(`attribute ${key} twice at ${at}`);
        element.attributes[key!] = decode(value!, at);
      }
      if (parent === document && document.children.length > 0) throw new Error(`a second root element at ${at}`);
      parent.children.push(element);
      if (selfClosing === '') open.push(element);
    }
  }
  if (open.length !== 1) throw new Error(`<${open.at(-1)!.name}> is not closed`);
  return document.children[0]!;
}

function all(element: XmlElement, test: (e: XmlElement) => boolean): XmlElement[] {
  return [...(test(element) ? [element] : []), ...element.children.flatMap((child) => all(child, test))];
}
const ofClass = (name: string) => (e: XmlElement) => e.attributes.class === name;
const texts = (element: XmlElement): string[] => all(element, (e) => e.name === 'text').map((e) => e.text);

const pointsOf = (polyline: XmlElement): Array<[number, number]> =>
  polyline.attributes.points!.split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);

const chart: Chart = {
  title: 'Joins & audio <per N>',
  subtitle: "the 'same' run",
  panels: [
    {
      title: 'Join latency',
      unit: 'ms',
      series: [
        {
          side: 'app',
          label: 'p99',
          points: [
            { n: 10, value: 12 },
            { n: 50, value: 18 },
            { n: 100, value: undefined },
            { n: 200, value: 43 },
            { n: 300, value: 71 },
          ],
        },
        {
          side: 'native',
          label: 'p99',
          points: [
            { n: 300, value: 64 },
            { n: 10, value: 5 },
            { n: 100, value: 20 },
          ],
        },
        { side: 'native', label: 'p50', dashed: true, points: [{ n: 10, value: 2 }] },
      ],
    },
    {
      title: 'Loss < 1 %?',
      unit: '% of packets',
      threshold: { value: 1, label: '1 % loss' },
      series: [
        {
          side: 'native',
          label: 'median',
          points: [
            { n: 10, value: 0.05 },
            { n: 300, value: NaN },
          ],
        },
        {
          side: 'app',
          label: 'median',
          points: [
            { n: 10, value: 0.1 },
            { n: 300, value: 0.35 },
          ],
        },
      ],
    },
  ],
};

describe('the chart of make bench-sip', () => {
  const svg = chartSvg(chart);
  const root = parseXml(svg);
  const panels = all(root, ofClass('panel'));

  it('is an SVG document that parses as XML, one panel per figure', () => {
    expect(root.name).toBe('svg');
    expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(panels.map((panel) => texts(panel)[0])).toEqual(['Join latency', 'Loss < 1 %?']);
    expect(texts(panels[1]!)).toContain('% of packets');
  });

  it('draws each series with a point marked per value, a missing value splitting its line', () => {
    const lines = (panel: XmlElement) =>
      all(panel, ofClass('series')).map((series) => ({
        series: `${series.attributes['data-side']} ${series.attributes['data-label']}`,
        polylines: series.children.filter((e) => e.name === 'polyline').map((polyline) => pointsOf(polyline).length),
        marks: series.children.filter((e) => e.name === 'circle').length,
      }));
    expect(lines(panels[0]!)).toEqual([
      { series: 'app p99', polylines: [2, 2], marks: 4 },
      { series: 'native p99', polylines: [3], marks: 3 },
      { series: 'native p50', polylines: [1], marks: 1 },
    ]);
    expect(lines(panels[1]!)).toEqual([
      { series: 'native median', polylines: [1], marks: 1 },
      { series: 'app median', polylines: [2], marks: 2 },
    ]);
  });

  it('draws the points in order of N, where the axes put them', () => {
    const [nativeP99] = all(panels[0]!, (e) => e.attributes['data-label'] === 'p99' && e.attributes['data-side'] === 'native');
    const [x10, x100, x300] = pointsOf(nativeP99!.children.find((e) => e.name === 'polyline')!).map(([x]) => x);
    const xTick = (label: string) =>
      Number(all(panels[0]!, ofClass('x-tick')).find((tick) => tick.children[1]!.text === label)!.children[0]!.attributes.x1);
    const yTick = (label: string) =>
      Number(all(panels[0]!, ofClass('y-tick')).find((tick) => tick.children[1]!.text === label)!.children[0]!.attributes.y1);
    expect(x10! < x100! && x100! < x300!).toBe(true);
    expect(x100).toBeCloseTo(xTick('100'), 0);
    expect(x300).toBeCloseTo(xTick('300'), 0);
    const [, y20] = pointsOf(nativeP99!.children.find((e) => e.name === 'polyline')!)[1]!;
    expect(y20).toBeCloseTo(yTick('20'), 0);
  });

  it.each([
    [0, 'y-tick', [2, 71]],
    [1, 'y-tick', [0.05, 1]], // the threshold is within the axis
    [0, 'x-tick', [10, 300]],
  ])("ticks panel %i's %s at round numbers, evenly, from 0 or below the data to above it", (panel, tickClass, [lo, hi]) => {
    const ticks = all(panels[panel]!, ofClass(tickClass)).map((tick) => Number(tick.children[1]!.text));
    const step = ticks[1]! - ticks[0]!;
    const power = 10 ** Math.floor(Math.log10(step));
    expect([1, 2, 5].map((m) => m * power).some((round) => Math.abs(step - round) < 1e-9)).toBe(true);
    ticks.forEach((tick, i) => expect(tick).toBeCloseTo(ticks[0]! + i * step, 9));
    ticks.forEach((tick) => expect(Math.abs(tick / step - Math.round(tick / step))).toBeLessThan(1e-9));
    expect(ticks[0]).toBeLessThanOrEqual(Math.min(0, lo!));
    expect(ticks.at(-1)).toBeGreaterThanOrEqual(hi!);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(8);
  });

  it('draws the threshold across the panel with its label', () => {
    const [threshold] = all(panels[1]!, ofClass('threshold'));
    expect(texts(threshold!)).toEqual(['1 % loss']);
    expect(all(panels[0]!, ofClass('threshold'))).toEqual([]);
  });

  it('names each side in the legend, each in one colour everywhere, the same in every chart', () => {
    const [legend] = all(root, ofClass('legend'));
    expect(texts(legend!)).toEqual(['app', 'native']);
    const colours = (svgText: string, side: string) =>
      new Set(all(parseXml(svgText), (e) => e.attributes['data-side'] === side).map((e) => e.attributes.stroke));
    expect(colours(svg, 'app').size).toBe(1);
    expect(colours(svg, 'native').size).toBe(1);
    expect(colours(svg, 'app')).not.toEqual(colours(svg, 'native'));
    const nativeOnly = chartSvg({ title: 't', panels: [{ ...chart.panels[1]!, series: [chart.panels[1]!.series[0]!] }] });
    expect(colours(nativeOnly, 'native')).toEqual(colours(svg, 'native'));
  });

  it('escapes text for XML', () => {
    expect(svg).toContain('Joins &amp; audio &lt;per N&gt;');
    expect(texts(root)).toEqual(expect.arrayContaining(['Joins & audio <per N>', "the 'same' run", 'Loss < 1 %?']));
  });

  it('refuses a point without a finite N, naming the series and panel', () => {
    expect(() =>
      chartSvg({ title: 't', panels: [{ title: 'P', unit: 'ms', series: [{ side: 'app', label: 'L', points: [{ n: NaN, value: 1 }] }] }] }),
    ).toThrow("chartSvg: series 'L' of panel 'P' has a point with n = NaN");
  });
});
