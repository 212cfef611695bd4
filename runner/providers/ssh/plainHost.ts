/**
 * What a plain host (no Docker) keeps on disk, and the shell scripts that read and change it.
 * Pure: the provider runs the scripts over SSH.
 *
 *   ~/.devrig/containers/<id>/container.json   an environment's "container" record (one line of JSON)
 *   ~/.devrig/containers/<id>/root/...         where paths outside the home folder land (markers)
 *   ~/.devrig/volumes/<name>.json              a volume record: labels and the folder it is
 *   ~/<workspaceRoot>/<environment>            the workspace folder (the workspace volume's folder)
 *
 * Every process started for an environment carries DEVRIG_PLAIN_ID=<id> in its environment: that
 * is how stop and remove find its process tree.
 */
import { posix } from 'node:path';
import { MARKED_PIDS_FUNCTION, SIGNAL_MARKED_SCRIPT } from '../markedProcesses';
import { LABELS, type ContainerObservation, type ContainerState } from '../provider';

export const STATE_DIR = '.devrig';
export const PROCESS_MARKER = 'DEVRIG_PLAIN_ID';
const NEVER = '0001-01-01T00:00:00Z';

export interface PlainContainerRecord {
  id: string;
  name: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  workspace: string;
  state: 'created' | 'running' | 'exited';
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  /** The kernel boot the environment was started in: after a reboot its processes are gone. */
  bootId: string;
  /** What the devcontainer asks for that a plain host cannot give. */
  ignored: string[];
}

export interface PlainVolumeRecord {
  name: string;
  labels: Record<string, string>;
  path: string;
}

export function newRecord(
  input: Omit<PlainContainerRecord, 'state' | 'startedAt' | 'finishedAt' | 'exitCode' | 'bootId'>,
): PlainContainerRecord {
  return { ...input, state: 'created', startedAt: NEVER, finishedAt: NEVER, exitCode: 0, bootId: '' };
}

/** A record as the reconciler sees containers: running only if started in this boot. */
export function observe(r: PlainContainerRecord, bootId: string): ContainerObservation {
  const alive = r.state === 'running' && r.bootId === bootId;
  const state: ContainerState = alive ? 'running' : r.state === 'created' ? 'created' : 'exited';
  return {
    id: r.id,
    name: r.name,
    state,
    running: alive,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    exitCode: r.exitCode,
    oomKilled: false,
    labels: r.labels,
    imageId: 'plain',
  };
}

export function matchesLabels(have: Record<string, string>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

/** Parses the output of LIST_*: a first line (boot id, for containers) then one JSON object per line. */
export function parseRecords<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      out.push(JSON.parse(t) as T);
    } catch {
      /* a record being rewritten; the next look sees it whole */
    }
  }
  return out;
}

/**
 * Where a path "in the environment" is on the host: the home folder is shared; anything else
 * (devrig's own markers under /var/lib/devrig) goes to the environment's private folder, since
 * the remote user cannot write system folders and environments must not share them.
 */
export function hostPath(path: string, home: string, containerDir: string): string {
  const p = posix.normalize(path.startsWith('/') ? path : `/${path}`);
  if (p === home || p.startsWith(home.endsWith('/') ? home : `${home}/`)) return p;
  return posix.join(containerDir, 'root', p).replace(/\/+$/, '');
}

export function containerDir(home: string, id: string): string {
  return posix.join(home, STATE_DIR, 'containers', id);
}

/** The folder a volume is: the workspace volume is the workspace folder people see. */
export function volumePath(
  home: string,
  workspaceRoot: string,
  name: string,
  labels: Record<string, string>,
): string {
  const env = labels[LABELS.environment];
  if (labels[LABELS.kind] === 'workspace' && env) {
    return posix.join(workspaceRootPath(home, workspaceRoot), env);
  }
  return posix.join(home, STATE_DIR, 'volumes', name);
}

/** Only folders strictly inside devrig's own roots (its state folder, the workspace root) are removed. */
export function safeToRemove(path: string, roots: readonly string[]): boolean {
  if (posix.normalize(path) !== path || !path.startsWith('/')) return false;
  return roots.some((r) => path.startsWith(`${r.replace(/\/+$/, '')}/`) && path.length > r.length + 1);
}

export function workspaceRootPath(home: string, workspaceRoot: string): string {
  return workspaceRoot.startsWith('/') ? posix.normalize(workspaceRoot) : posix.join(home, workspaceRoot);
}

export function statsFrom(
  prev: { busy: number; total: number } | undefined,
  cpuLine: string,
  memTotalKiB: number,
  memAvailableKiB: number,
  cpus: number,
): {
  sample: { cpuPercent: number; memoryBytes: number; memoryLimitBytes: number };
  cpu: { busy: number; total: number };
} {
  const f = cpuLine.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
  const cpu = { busy: total - idle, total };
  const dt = prev ? cpu.total - prev.total : 0;
  const cpuPercent = prev && dt > 0 ? ((cpu.busy - prev.busy) / dt) * cpus * 100 : 0;
  return {
    sample: {
      cpuPercent: Math.round(cpuPercent * 100) / 100,
      memoryBytes: Math.max(0, (memTotalKiB - memAvailableKiB) * 1024),
      memoryLimitBytes: memTotalKiB * 1024,
    },
    cpu,
  };
}

/** The host's boot id (a record's "running" holds only within the boot that started it). */
const READ_BOOT_ID = 'cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo none';

export const SCRIPTS = {
  info: [
    'nproc 2>/dev/null || getconf _NPROCESSORS_ONLN',
    "awk '/^MemTotal:/ { print $2 * 1024 }' /proc/meminfo",
    'uname -srm',
    'printf "%s\\n" "$HOME"',
  ].join('\n'),
  listContainers: [
    READ_BOOT_ID,
    `for f in "$HOME"/${STATE_DIR}/containers/*/container.json; do [ -f "$f" ] && { cat "$f"; echo; }; done`,
    'exit 0',
  ].join('\n'),
  inspectContainer: [
    READ_BOOT_ID,
    `f="$HOME/${STATE_DIR}/containers/$1/container.json"`,
    '[ -f "$f" ] || exit 44',
    'cat "$f"',
  ].join('\n'),
  /** $1 id, $2 workspace folder; the record on stdin. */
  writeContainer: [
    `d="$HOME/${STATE_DIR}/containers/$1"`,
    'mkdir -p "$d" "$2" || exit 1',
    'cat > "$d/container.json.tmp" && mv -f "$d/container.json.tmp" "$d/container.json"',
  ].join('\n'),
  removeContainer: `rm -rf -- "$HOME/${STATE_DIR}/containers/$1"`,
  /** $1 name, $2 folder, $3 record. Exit 45: it existed. */
  ensureVolume: [
    `f="$HOME/${STATE_DIR}/volumes/$1.json"`,
    '[ -f "$f" ] && exit 45',
    `mkdir -p "$HOME/${STATE_DIR}/volumes" "$2" || exit 1`,
    'printf "%s\\n" "$3" > "$f.tmp" && mv -f "$f.tmp" "$f"',
  ].join('\n'),
  listVolumes: [
    `for f in "$HOME"/${STATE_DIR}/volumes/*.json; do [ -f "$f" ] && { cat "$f"; echo; }; done`,
    'exit 0',
  ].join('\n'),
  /** $1 name, $2 its folder (checked by the caller). */
  removeVolume: [`rm -rf -- "$2"`, `rm -f -- "$HOME/${STATE_DIR}/volumes/$1.json"`].join('\n'),
  /** $1 workdir, then NAME=VALUE... then -- then the argv. */
  exec: [
    'cd "$1" || exit 126',
    'shift',
    'while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do export "$1"; shift; done',
    'shift',
    'exec "$@"',
  ].join('\n'),
  /** $1 signal, $2 NAME=VALUE a process must have in its environment. */
  signalMarked: SIGNAL_MARKED_SCRIPT,
  /** $1 NAME=VALUE, $2 seconds: TERM, wait, then KILL what is left. */
  stopMarked: [
    MARKED_PIDS_FUNCTION,
    'found=$(marked "$1"); [ -z "$found" ] && exit 0',
    'kill -s TERM $found 2>/dev/null',
    'n=$(( $2 * 5 ))',
    'while [ "$n" -gt 0 ]; do sleep 0.2; found=$(marked "$1"); [ -z "$found" ] && exit 0; n=$((n - 1)); done',
    'kill -s KILL $found 2>/dev/null',
    'exit 0',
  ].join('\n'),
  /** $1 folder to extract into; the tar on stdin. */
  putArchive: 'mkdir -p "$1" && tar -x --no-same-owner -f - -C "$1"',
  /** $1 path. Exit 44: it does not exist. */
  getArchive: '[ -e "$1" ] || exit 44\ncd "$(dirname "$1")" && tar -c -f - "$(basename "$1")"',
  stats: [
    'while :; do',
    '  head -n 1 /proc/stat',
    "  awk '/^(MemTotal|MemAvailable):/ { print $1, $2 }' /proc/meminfo",
    '  echo .',
    '  sleep 1',
    'done',
  ].join('\n'),
} as const;
