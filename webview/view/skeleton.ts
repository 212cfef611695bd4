// The page's fixed structure, built once: header, overview, resource use, and tabs for conditions, ports,
// history and the log. Sections are filled by separate renders so the tabs element is never re-rendered.

import { html, render } from 'lit';
import { DetailsTab, type DetailsPanelState } from '../../runner/api';

export interface Parts {
  header: HTMLElement;
  overview: HTMLElement;
  usage: HTMLElement;
  readouts: HTMLElement;
  cpuChart: HTMLElement;
  memoryChart: HTMLElement;
  conditions: HTMLElement;
  ports: HTMLElement;
  history: HTMLElement;
  counts: { conditions: HTMLElement; ports: HTMLElement; history: HTMLElement };
  log: HTMLElement;
  logFollow: HTMLElement;
  logStatus: HTMLElement;
}

export interface SkeletonEvents {
  selectTab(tab: DetailsTab): void;
  setFollow(follow: boolean): void;
  search(text: string): void;
  showLogs(): void;
}

const TABS = DetailsTab.options;

export function skeleton(root: HTMLElement, ui: DetailsPanelState, on: SkeletonEvents): Parts {
  const onTab = (e: CustomEvent<{ selectedIndex: number }>) => {
    const tab = TABS[e.detail.selectedIndex];
    if (tab) on.selectTab(tab);
  };
  const onSearch = (e: Event) => on.search((e.target as HTMLInputElement).value);
  const header = (label: string, id: string) =>
    html`<vscode-tab-header slot="header" data-tab=${id}
      >${label}
      <vscode-badge variant="counter" slot="content-after" data-count=${id}
        >0</vscode-badge
      ></vscode-tab-header
    >`;
  root.replaceChildren(); // the "Loading…" text the extension's HTML shows before the script runs
  render(
    html`<header class="top" data-part="header"></header>
      <div class="cards">
        <section class="card">
          <h2>Overview</h2>
          <div data-part="overview"></div>
        </section>
        <section class="card" data-part="usage" data-testid="usage" data-samples="0">
          <h2>Resource use <span class="muted">(last 5 minutes)</span></h2>
          <div data-part="readouts"></div>
          <div class="charts">
            <figure>
              <figcaption>CPU</figcaption>
              <div data-part="cpu-chart" class="chart"></div>
            </figure>
            <figure>
              <figcaption>Memory</figcaption>
              <div data-part="memory-chart" class="chart"></div>
            </figure>
          </div>
        </section>
      </div>
      <vscode-tabs selected-index=${TABS.indexOf(ui.tab)} @vsc-tabs-select=${onTab} panel>
        ${header('Conditions', 'conditions')} ${header('Ports', 'ports')} ${header('History', 'history')}
        <vscode-tab-header slot="header" data-tab="log">Log</vscode-tab-header>
        <vscode-tab-panel><div data-part="conditions"></div></vscode-tab-panel>
        <vscode-tab-panel><div data-part="ports"></div></vscode-tab-panel>
        <vscode-tab-panel><div data-part="history"></div></vscode-tab-panel>
        <vscode-tab-panel>
          <div class="log-toolbar">
            <vscode-textfield
              type="search"
              placeholder="Search the log"
              aria-label="Search the log"
              .value=${ui.search}
              @input=${onSearch}
              data-testid="log-search"
              ><vscode-icon slot="content-before" name="search"></vscode-icon
            ></vscode-textfield>
            <vscode-button
              secondary
              data-part="log-follow"
              @click=${() => on.setFollow(!ui.follow)}
            ></vscode-button>
            <vscode-button
              secondary
              icon="output"
              title="Show the log in an output channel"
              @click=${on.showLogs}
              >Output</vscode-button
            >
            <span class="muted" data-part="log-status" aria-live="polite"></span>
          </div>
          <pre class="log" data-part="log" data-testid="log" tabindex="0"></pre>
        </vscode-tab-panel>
      </vscode-tabs>`,
    root,
  );
  root.removeAttribute('aria-live');
  const part = (name: string) => {
    const el = root.querySelector<HTMLElement>(`[data-part="${name}"]`);
    if (!el) throw new Error(`details page: missing part ${name}`);
    return el;
  };
  const count = (name: string) => root.querySelector<HTMLElement>(`[data-count="${name}"]`)!;
  return {
    header: part('header'),
    overview: part('overview'),
    usage: part('usage'),
    readouts: part('readouts'),
    cpuChart: part('cpu-chart'),
    memoryChart: part('memory-chart'),
    conditions: part('conditions'),
    ports: part('ports'),
    history: part('history'),
    counts: { conditions: count('conditions'), ports: count('ports'), history: count('history') },
    log: part('log'),
    logFollow: part('log-follow'),
    logStatus: part('log-status'),
  };
}
