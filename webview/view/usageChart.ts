// One uPlot line chart (CPU or memory) in the theme's colours, resized with its container and redrawn
// when the theme changes. The data comes from model/statsSeries.ts.

import uPlot from 'uplot';

export interface UsageChartOptions {
  label: string;
  /** A `--vscode-*` variable for the line. */
  colorVar: string;
  /** How a y value is labelled on the axis. */
  format(value: number): string;
  /** The y axis reaches at least this far, so an idle line does not fill the chart. */
  minTop: number;
  height?: number;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** `#rrggbb` at 20 % opacity for the area under the line; nothing for colours in other forms. */
function translucent(color: string): string | undefined {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}33` : undefined;
}

/** `18:23:45`: the window is minutes long, so the date and am/pm would only crowd the axis. */
function clockTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/** The x axis spans the samples: at least half a minute, at most five. */
const MIN_WINDOW_S = 30;
const MAX_WINDOW_S = 5 * 60;

export class UsageChart {
  private plot: uPlot | undefined;
  private data: uPlot.AlignedData = [[], []];
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(
    private readonly host: HTMLElement,
    private readonly opts: UsageChartOptions,
  ) {
    this.resize.observe(host);
    this.build();
  }

  set(x: number[], y: (number | null)[]): void {
    this.data = [x, y];
    if (!this.plot) return;
    this.plot.setData(this.data, false);
    const to = x[x.length - 1] ?? Date.now() / 1000;
    const from = Math.max(to - MAX_WINDOW_S, Math.min(x[0] ?? to, to - MIN_WINDOW_S));
    this.plot.setScale('x', { min: from, max: to });
  }

  /** Theme changed: colours are baked into the canvas, so build the chart again. */
  rebuild(): void {
    this.plot?.destroy();
    this.plot = undefined;
    this.build();
  }

  private build(): void {
    const fg = cssVar('--vscode-descriptionForeground', '#888');
    const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
    const line = cssVar(this.opts.colorVar, '#3794ff');
    const font = `11px ${cssVar('--vscode-font-family', 'sans-serif')}`;
    const { format, minTop } = this.opts;
    const axis: uPlot.Axis = {
      stroke: fg,
      font,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
    };
    this.plot = new uPlot(
      {
        width: Math.max(120, this.host.clientWidth),
        height: this.opts.height ?? 140,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: {
          x: { time: true },
          y: { range: (_u, _min, dataMax) => [0, Math.max(dataMax * 1.15, minTop)] },
        },
        axes: [
          { ...axis, space: 70, values: (_u, ticks) => ticks.map(clockTime) },
          { ...axis, size: 64, values: (_u, ticks) => ticks.map(format) },
        ],
        series: [
          {},
          {
            label: this.opts.label,
            stroke: line,
            width: 1.5,
            fill: translucent(line),
            spanGaps: false,
            points: { show: false },
          },
        ],
      },
      this.data,
      this.host,
    );
    this.set(this.data[0] as number[], this.data[1] as (number | null)[]);
  }

  private fit(): void {
    const width = Math.max(120, this.host.clientWidth);
    if (this.plot && this.plot.width !== width) this.plot.setSize({ width, height: this.plot.height });
  }

  dispose(): void {
    this.resize.disconnect();
    this.plot?.destroy();
  }
}
