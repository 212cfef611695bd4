// The panel's sections as lit templates over the view-model. Lit escapes every value it inserts, and
// styles go through the CSSOM (styleProps), so nothing here needs 'unsafe-inline'.

import { html, nothing, type TemplateResult } from 'lit';
import type { PanelCommand, ViewMessage } from '../../runner/api';
import type { IconView } from '../model/phase';
import type { StatsReadout } from '../model/statsSeries';
import type { DetailsViewModel } from '../viewModel';
import { styleProps } from './styleProps';

export type Send = (m: ViewMessage) => void;

export function icon(i: IconView, label = ''): TemplateResult {
  return html`<vscode-icon
    name=${i.name}
    ?spin=${i.spin}
    aria-label=${label || nothing}
    ${styleProps({ color: i.color })}
  ></vscode-icon>`;
}

export function headerTemplate(vm: DetailsViewModel, send: Send): TemplateResult {
  const command = (c: PanelCommand) => () => send({ type: 'command', command: c });
  return html`
    <div class="title-row">
      ${icon(vm.phase.icon)}
      <h1>${vm.name}</h1>
      <span class="phase tone-${vm.phase.tone}" data-testid="phase" data-phase=${vm.phase.label}
        >${vm.phase.label}</span
      >
      ${vm.phaseDetail ? html`<span class="phase-detail">${vm.phaseDetail}</span>` : nothing}
    </div>
    <div class="actions" role="toolbar" aria-label="Environment actions">
      ${vm.actions.map(
        (a) =>
          html`<vscode-button
            data-command=${a.command}
            icon=${a.icon}
            ?secondary=${!a.primary}
            ?disabled=${!a.enabled}
            title=${a.title}
            @click=${a.enabled ? command(a.command) : nothing}
            >${a.label}</vscode-button
          >`,
      )}
    </div>
    ${vm.notice ? html`<div class="notice tone-${vm.notice.tone}" role="status">${vm.notice.text}</div>` : nothing}
  `;
}

export function overviewTemplate(vm: DetailsViewModel, send: Send): TemplateResult {
  return html`<dl class="overview">
    ${vm.overview.map(
      (r) =>
        html`<dt>${r.label}</dt>
          <dd class=${r.code ? 'code' : ''} title=${r.title ?? r.value}>${r.value}</dd>`,
    )}
    <dt>SSH</dt>
    <dd class="ssh">
      <code data-testid="ssh-command">${vm.sshCommand}</code>
      <vscode-icon
        name="copy"
        action-icon
        label="Copy SSH command"
        title="Copy SSH command"
        @vsc-click=${() => send({ type: 'command', command: 'copySshCommand' })}
      ></vscode-icon>
    </dd>
  </dl>`;
}

export function usageTemplate(vm: DetailsViewModel, readout: StatsReadout, samples: number): TemplateResult {
  const hint = vm.statsLive
    ? samples === 0
      ? 'Waiting for the first sample…'
      : ''
    : 'Resource use is sampled while the environment is running.';
  return html`<div class="readouts">
      <span><span class="muted">CPU</span> <strong data-testid="cpu-now">${readout.cpu}</strong></span>
      <span
        ><span class="muted">Memory</span> <strong data-testid="memory-now">${readout.memory}</strong></span
      >
      <span><span class="muted">Processes</span> <strong>${readout.pids}</strong></span>
    </div>
    ${hint ? html`<p class="muted hint">${hint}</p>` : nothing}`;
}

export function conditionsTemplate(vm: DetailsViewModel): TemplateResult {
  if (!vm.conditions.length) return html`<p class="muted empty">No conditions reported yet.</p>`;
  return html`<table class="grid-table" data-testid="conditions">
    <thead>
      <tr>
        <th>Condition</th>
        <th>Status</th>
        <th>Reason</th>
        <th>Message</th>
        <th>Since</th>
      </tr>
    </thead>
    <tbody>
      ${vm.conditions.map(
        (c) =>
          html`<tr class="tone-${c.tone}" data-condition=${c.type} data-status=${c.status}>
            <td class="nowrap">${icon(c.icon)} ${c.type}</td>
            <td>${c.status}</td>
            <td class="nowrap" title=${c.reasonText}>${c.reason}</td>
            <td class="message">${c.message}</td>
            <td class="nowrap" title=${c.sinceTitle}>${c.since}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function historyTemplate(vm: DetailsViewModel): TemplateResult {
  if (!vm.history.length) return html`<p class="muted empty">No phase changes recorded yet.</p>`;
  return html`<table class="grid-table" data-testid="history">
    <thead>
      <tr>
        <th>Phase</th>
        <th>When</th>
        <th>Lasted</th>
        <th>Reason</th>
      </tr>
    </thead>
    <tbody>
      ${vm.history.map(
        (h) =>
          html`<tr data-phase=${h.phase.label}>
            <td class="nowrap">${icon(h.phase.icon)} ${h.phase.label}</td>
            <td class="nowrap" title=${h.whenTitle}>${h.when}</td>
            <td class="nowrap">${h.lasted}</td>
            <td class="message">${h.reason}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function portsTemplate(vm: DetailsViewModel, send: Send): TemplateResult {
  if (!vm.ports.length) {
    return html`<p class="muted empty">
      No ports. Ports in <code>forwardPorts</code> and ones the environment listens on show up here.
    </p>`;
  }
  const act = (action: 'open' | 'copy', port: number) => () => send({ type: 'port', action, port });
  return html`<table class="grid-table" data-testid="ports">
    <thead>
      <tr>
        <th>Port</th>
        <th>Label</th>
        <th>State</th>
        <th>Forwarded to</th>
        <th>Source</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${vm.ports.map(
        (p) =>
          html`<tr data-port=${p.port}>
            <td class="nowrap">${icon(p.icon)} ${p.port}</td>
            <td>${p.label}</td>
            <td class="nowrap" title=${p.message}>${p.state}</td>
            <td class="code">${p.address}</td>
            <td>${p.source}</td>
            <td class="row-actions">
              ${
                p.canOpen
                  ? html`<vscode-icon
                      name="globe"
                      action-icon
                      label="Open in browser"
                      title="Open in browser"
                      @vsc-click=${act('open', p.port)}
                    ></vscode-icon>`
                  : nothing
              }
              ${
                p.canCopy
                  ? html`<vscode-icon
                      name="copy"
                      action-icon
                      label="Copy address"
                      title="Copy address"
                      @vsc-click=${act('copy', p.port)}
                    ></vscode-icon>`
                  : nothing
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
