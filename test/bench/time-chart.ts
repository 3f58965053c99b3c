/**
 * A small self-contained SVG line chart (no library, no script): time in
 * seconds against records, one line per series, for docs/PERFORMANCE.md.
 */

/** One line of the chart: `[records, milliseconds]` points. */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 64, right: 24, top: 40, bottom: 72 };
const COLOURS = ['#1f5fa8', '#c2571a', '#2e7d32', '#6a1b9a'];

const xmlText = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Round tick steps (1, 2 or 5 times a power of ten), about `count` of them, the last at or past `max`. */
function ticks(max: number, count = 5): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  return Array.from({ length: Math.ceil(max / step) + 1 }, (_, i) => i * step);
}

const records = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

/** The chart as an SVG document. */
export function timeChart(options: {
  readonly title: string;
  readonly series: readonly ChartSeries[];
}): string {
  const all = options.series.flatMap((s) => s.points);
  const xTicks = ticks(Math.max(1, ...all.map(([x]) => x)));
  const yTicks = ticks(Math.max(1, ...all.map(([, ms]) => ms / 1000)));
  const maxX = xTicks[xTicks.length - 1] ?? 1;
  const maxY = yTicks[yTicks.length - 1] ?? 1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (v: number) => MARGIN.left + (v / maxX) * plotW;
  const y = (seconds: number) => MARGIN.top + plotH - (seconds / maxY) * plotH;
  const parts: string[] = [];
  parts.push(
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${xmlText(options.title)}</text>`,
  );
  for (const t of yTicks) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11">${t}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#333"/>`,
      `<text x="${x(t).toFixed(1)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle" font-size="11">${records(t)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 36}" text-anchor="middle" font-size="12">records of the subject</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">seconds</text>`,
  );
  options.series.forEach((series, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const sorted = [...series.points].sort((a, b) => a[0] - b[0]);
    const path = sorted.map(([px, ms]) => `${x(px).toFixed(1)},${y(ms / 1000).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [px, ms] of sorted) {
      parts.push(
        `<circle cx="${x(px).toFixed(1)}" cy="${y(ms / 1000).toFixed(1)}" r="3.5" fill="${colour}"><title>${records(px)} records: ${(ms / 1000).toFixed(2)} s</title></circle>`,
      );
    }
    const ly = HEIGHT - 18;
    const lx = MARGIN.left + i * 280;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${lx + 30}" y="${ly}" font-size="12">${xmlText(series.name)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" role="img" aria-label="${xmlText(options.title)}">\n${parts.join('\n')}\n</svg>\n`;
}
