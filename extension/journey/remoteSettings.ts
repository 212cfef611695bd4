// Before a Remote-SSH window opens on an environment: the VS Code server's machine settings there turn
// VS Code's port auto-forwarding off (machineSettings.ts), so each port the environment listens on is
// forwarded once — by the runner — not a second time by VS Code. Written as the remote user through the
// runner's exec; a failure is logged and opening goes on (a second forward is a nuisance, not an error).

import type { RunnerClient } from '../../runner/client/runnerClient';
import { machineSettingsPath, withAutoForwardOff } from './machineSettings';

/** Runs `command` in environment `name` with `input` on stdin; its stdout, or an error naming the exit code. */
export async function runInEnvironment(
  client: Pick<RunnerClient, 'stream' | 'call'>,
  name: string,
  command: string[],
  input?: string,
): Promise<string> {
  let out = '';
  let err = '';
  let code: number | null = null;
  const h = await client.stream('exec', { name, command }, (e) => {
    if (e.kind === 'stdout') out += Buffer.from(e.data, 'base64').toString('utf8');
    else if (e.kind === 'stderr') err += Buffer.from(e.data, 'base64').toString('utf8');
    else code = e.code;
  });
  await client.call('exec.input', {
    id: h.id,
    ...(input ? { data: Buffer.from(input, 'utf8').toString('base64') } : {}),
    eof: true,
  });
  await h.done;
  if (code !== 0) throw new Error(`${command[0]} exited with ${code}: ${err.trim()}`);
  return out;
}

/** Makes sure the environment's VS Code machine settings say `remote.autoForwardPorts: false`. */
export async function turnOffVsCodeAutoForward(
  client: Pick<RunnerClient, 'stream' | 'call'>,
  name: string,
  appName: string,
): Promise<'written' | 'already'> {
  const rel = machineSettingsPath(appName);
  const current = await runInEnvironment(client, name, [
    'sh',
    '-c',
    `cat "$HOME/${rel}" 2>/dev/null || true`,
  ]);
  const next = withAutoForwardOff(current);
  if (next === undefined) return 'already';
  const dir = rel.slice(0, rel.lastIndexOf('/'));
  await runInEnvironment(
    client,
    name,
    [
      'sh',
      '-c',
      `mkdir -p "$HOME/${dir}" && cat > "$HOME/${rel}.devrig-tmp" && mv "$HOME/${rel}.devrig-tmp" "$HOME/${rel}"`,
    ],
    next,
  );
  return 'written';
}
