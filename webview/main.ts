// The details page: builds its skeleton once, asks the extension for a snapshot, then redraws the parts
// each message changes. Everything shown comes from the extension's messages (watch, log and stats
// streams); the page itself never asks the runner for anything.

import '../runner/api/zodJitless';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'lit';
import type { DetailsPanelState, DetailsTab } from '../runner/api';
import { onHostMessage, post, savedState, saveState } from './host';
import { statsReadout, statsSeries } from './model/statsSeries';
import { formatBytes } from './model/time';
import { PageState } from './pageState';
import { LogView } from './view/logView';
import { skeleton, type Parts } from './view/skeleton';
import {
  conditionsTemplate,
  headerTemplate,
  historyTemplate,
  overviewTemplate,
  portsTemplate,
  usageTemplate,
} from './view/templates';
import { UsageChart } from './view/usageChart';
import { detailsViewModel } from './viewModel';

const app = document.getElementById('app')!;
const initialName = app.dataset.name ?? '';
const saved = savedState();
// UI choices survive hiding and window reloads (setState); a fresh panel starts from the defaults.
const ui: DetailsPanelState =
  saved?.name === initialName ? saved : { name: initialName, tab: 'conditions', follow: true, search: '' };
const page = new PageState(initialName);

const parts: Parts = skeleton(app, ui, {
  selectTab: (tab: DetailsTab) => {
    ui.tab = tab;
    persist();
    if (tab === 'log') drawLog();
  },
  setFollow: (follow) => setFollow(follow),
  search: (text) => {
    ui.search = text;
    persist();
    drawLog();
  },
  showLogs: () => post({ type: 'command', command: 'showLogs' }),
});

const logView = new LogView(parts.log, page.log, ui, () => setFollow(false));
const cpuChart = new UsageChart(parts.cpuChart, {
  label: 'CPU',
  colorVar: '--vscode-charts-blue',
  format: (v) => `${+v.toFixed(1)}%`,
  minTop: 5,
});
const memoryChart = new UsageChart(parts.memoryChart, {
  label: 'Memory',
  colorVar: '--vscode-charts-purple',
  format: (mib) => formatBytes(mib * 1024 * 1024),
  minTop: 1,
});

function persist(): void {
  saveState({ ...ui, name: page.name, search: ui.search.slice(0, 200) });
}

function setFollow(follow: boolean): void {
  if (ui.follow === follow) return;
  ui.follow = follow;
  persist();
  drawLog();
}

function viewModel() {
  const { name, environment, runner, sshCommand } = page;
  return detailsViewModel({ name, environment, runner, sshCommand, now: Date.now() });
}

function drawDetails(): void {
  const vm = viewModel();
  document.title = `devrig: ${vm.name}`;
  app.dataset.phase = vm.phase.label;
  render(headerTemplate(vm, post), parts.header);
  render(overviewTemplate(vm, post), parts.overview);
  render(conditionsTemplate(vm), parts.conditions);
  render(historyTemplate(vm), parts.history);
  render(portsTemplate(vm, post), parts.ports);
  parts.counts.conditions.textContent = String(vm.conditions.length);
  parts.counts.ports.textContent = String(vm.ports.length);
  parts.counts.history.textContent = String(vm.history.length);
  drawUsage(vm);
}

function drawUsage(vm = viewModel()): void {
  const series = statsSeries(page.samples);
  cpuChart.set(series.x, series.cpu);
  memoryChart.set(series.x, series.memory);
  parts.usage.dataset.samples = String(series.count);
  // The last sample of a stopped container is not its current use.
  const current = vm.statsLive ? page.samples[page.samples.length - 1] : undefined;
  render(usageTemplate(vm, statsReadout(current), series.count), parts.readouts);
}

function drawLog(): void {
  const { shown, total } = logView.render();
  const pending = logView.pending;
  parts.logFollow.textContent = ui.follow ? 'Pause' : pending ? `Follow (${pending} new)` : 'Follow';
  parts.logFollow.setAttribute('icon', ui.follow ? 'debug-pause' : 'play');
  parts.logStatus.textContent = ui.search ? `${shown} of ${total} lines` : `${total} lines`;
  if (page.log.dropped) parts.logStatus.textContent += ` (oldest ${page.log.dropped} dropped)`;
}

// Redraws are batched per animation frame: a burst of log or stats messages costs one paint.
const dirty = { details: false, log: false, stats: false };
let frame = 0;
function schedule(changed: typeof dirty): void {
  dirty.details ||= changed.details;
  dirty.log ||= changed.log;
  dirty.stats ||= changed.stats;
  frame ||= requestAnimationFrame(() => {
    frame = 0;
    if (dirty.details) drawDetails();
    else if (dirty.stats) drawUsage();
    if (dirty.log) drawLog();
    dirty.details = dirty.log = dirty.stats = false;
  });
}

onHostMessage((m) => {
  schedule(page.apply(m));
  if (m.type === 'snapshot') persist();
});

// Relative times ("5m ago") age; this only redraws, it asks nobody for data.
setInterval(() => schedule({ details: true, log: false, stats: false }), 15_000);

// Chart colours are painted into canvases: rebuild them when VS Code switches theme (body class).
new MutationObserver(() => {
  cpuChart.rebuild();
  memoryChart.rebuild();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// Reports for tests and for the curious: CSP violations would mean something tried to load or run.
document.addEventListener('securitypolicyviolation', (e) => {
  app.dataset.cspViolations = String(Number(app.dataset.cspViolations ?? 0) + 1);
  console.warn(`devrig details: CSP blocked ${e.blockedURI} (${e.violatedDirective})`);
});

drawDetails();
drawLog();
post({ type: 'ready' });
