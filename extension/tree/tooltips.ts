// Tooltip text (markdown) for tree items and the status bar. Pure.

import { displayWithId } from '../../runner/presentation/displayName';
import { failingCondition, type Environment, type Host } from '../../runner/api';
import { agentSessionOf } from '../../runner/api/agentLabels';
import { forwardOf } from '../../runner/presentation/forwardedPort';
import { sshHostAlias } from '../../runner/sshConfig/remoteUri';
import { mdCode, mdText } from './markdown';

export function environmentTooltip(env: Environment): string {
  const s = env.status;
  const lines: string[] = [`**${mdText(displayWithId(env))}** — ${mdText(s.phase)}`, ''];
  const row = (label: string, value: string | undefined, code = false) => {
    if (value) lines.push(`${label}: ${code ? mdCode(value) : mdText(value)}  `);
  };
  const src = env.spec.source;
  row(
    'Source',
    src.folder ?? (src.git ? `${src.git.url}${src.git.ref ? `@${src.git.ref}` : ''}` : undefined),
    true,
  );
  row('Host', s.host ?? env.spec.host ?? 'local');
  row('Image', s.image, true);
  row('Workspace', s.workspaceFolder, true);
  row('User', s.remoteUser);
  row('Container', s.containerName ?? s.containerId?.slice(0, 12), true);
  row('Desired state', env.spec.state);
  const agent = agentSessionOf(env);
  if (agent) row('Created by', `an AI agent (MCP session ${agent})`);
  if (env.spec.network === 'none') row('Network', 'none');
  row('SSH', `ssh ${sshHostAlias(env.metadata.name)}`, true);
  const forwarded = s.ports.map(forwardOf).filter((f) => f !== undefined);
  if (forwarded.length) {
    row('Ports', forwarded.map((f) => `${f.port.port}→${f.address}`).join(', '));
  }
  const failing = failingCondition(env.status.conditions);
  if (failing) {
    lines.push(
      '',
      `$(error) **${mdText(failing.type)}**: ${mdText(failing.reason)}  `,
      mdText(failing.message),
    );
  }
  const notTrue = s.conditions.filter((c) => c.status !== 'True' && c !== failing);
  if (notTrue.length) {
    lines.push('', ...notTrue.map((c) => `- ${mdText(c.type)} ${mdText(c.status)}: ${mdText(c.message)}`));
  }
  return lines.join('\n');
}

export function hostTooltip(host: Host | undefined, name: string): string {
  if (!host) return `**${mdText(name)}**  \nThe Docker engine on this machine, run by the devrig runner.`;
  const s = host.status;
  const lines = [
    `**${mdText(name)}** — ${mdText(s.phase)}`,
    '',
    `Address: ${mdCode(`${host.spec.user}@${host.spec.address}:${host.spec.port}`)}  `,
    `Mode: ${mdText(host.spec.mode)}  `,
  ];
  if (s.observedHostKeyFingerprint && !host.spec.hostKey) {
    lines.push(`Host key to accept: ${mdCode(s.observedHostKeyFingerprint)}  `);
  }
  for (const c of s.conditions.filter((c) => c.status !== 'True')) {
    lines.push(`- ${mdText(c.type)} ${mdText(c.status)}: ${mdText(c.message)}`);
  }
  return lines.join('\n');
}
