/**
 * A Host's observed status from its connection state (and, when connected, what the host said).
 * Pure: the host controller gathers the facts and writes the result.
 */
import { isDeepStrictEqual } from 'node:util';
import { HostConditions as C, parseBytes, type Condition, type Host, type HostStatus } from '../api';
import { removeCondition, setCondition } from '../api/setCondition';
import type { SshConnectionState } from '../providers/ssh/sshConnection';
import { sumLoad } from './scheduler';

export interface HostFacts {
  state: SshConnectionState;
  presentedKey?: { line: string; fingerprint: string };
  /** When connected: the host's OS, and its engine (docker mode) or the error using it. */
  os?: string;
  docker?: { ok: true; version: string } | { ok: false; message: string };
  /** Environments placed there, with their explicit requests. */
  environments: { name: string; cpus?: number; memoryBytes?: number }[];
}

const LAST_SEEN_EVERY_MS = 15_000;
const FAILED = new Set(['HostKeyMismatch', 'AuthenticationFailed', 'NoCredentials', 'DockerUnavailable']);

export function hostStatus(host: Host, facts: HostFacts, now: Date): HostStatus {
  const gen = host.metadata.generation;
  let conds: Condition[] = host.status.conditions;
  const set = (type: string, status: Condition['status'], reason: string, message: string) => {
    conds = setCondition(conds, { type, status, reason, message }, gen, now);
  };
  const s = host.spec;
  const where = `${s.user}@${s.address}:${s.port}`;
  const st = facts.state;
  const status: HostStatus = structuredClone(host.status);
  if (facts.presentedKey) {
    status.observedHostKey = facts.presentedKey.line;
    status.observedHostKeyFingerprint = facts.presentedKey.fingerprint;
  }
  if (st.phase === 'ready') {
    set(
      C.HostKeyVerified,
      'True',
      'Verified',
      `the host presented the pinned key ${facts.presentedKey?.fingerprint ?? ''}`.trim(),
    );
    set(C.Reachable, 'True', 'Connected', `connected to ${where} (${st.serverVersion})`);
    // Not on every look: each status change is a write to disk.
    const last = status.lastSeen ? Date.parse(status.lastSeen) : 0;
    if (now.getTime() - last >= LAST_SEEN_EVERY_MS) status.lastSeen = now.toISOString();
    const parts = [st.serverVersion, facts.os];
    if (s.mode === 'docker') {
      if (facts.docker?.ok) {
        set(C.DockerAvailable, 'True', 'Available', `Docker ${facts.docker.version} at ${s.dockerSocket}`);
        parts.push(`Docker ${facts.docker.version}`);
      } else {
        set(
          C.DockerAvailable,
          'False',
          'DockerUnavailable',
          `cannot use ${s.dockerSocket} on the host as ${s.user}: ${facts.docker?.message ?? 'not checked yet'}`,
        );
      }
    } else {
      conds = removeCondition(conds, C.DockerAvailable);
      parts.push('plain (no Docker)');
    }
    status.serverInfo = parts.filter(Boolean).join('; ');
  } else if (st.phase === 'connecting') {
    set(C.Reachable, 'Unknown', 'Connecting', `connecting to ${where}`);
  } else if (st.phase === 'down') {
    if (st.reason === 'AwaitingAcceptance' || st.reason === 'HostKeyMismatch') {
      set(C.HostKeyVerified, 'False', st.reason, st.message);
    }
    set(C.Reachable, 'False', st.reason, `${st.message} (retrying in ${Math.round(st.retryInMs / 1000)}s)`);
  }
  const ok = (t: string) => conds.find((c) => c.type === t)?.status === 'True';
  const ready = ok(C.Reachable) && ok(C.HostKeyVerified) && (s.mode === 'plain' || ok(C.DockerAvailable));
  const problem = conds.find((c) => c.type !== C.Ready && c.status !== 'True');
  if (ready) set(C.Ready, 'True', 'Ready', `environments can run on ${host.metadata.name}`);
  else set(C.Ready, 'False', problem?.reason ?? 'Connecting', problem?.message ?? `connecting to ${where}`);
  status.conditions = conds;
  status.phase = ready
    ? 'Ready'
    : problem && FAILED.has(problem.reason)
      ? 'Failed'
      : !problem || problem.reason === 'Connecting' || problem.reason === 'AwaitingAcceptance'
        ? 'Pending'
        : 'Unreachable';
  status.observedGeneration = gen;
  status.environments = facts.environments.map((e) => e.name).sort();
  status.free = freeCapacity(host, facts.environments);
  return status;
}

function freeCapacity(host: Host, envs: HostFacts['environments']): HostStatus['free'] {
  const c = host.spec.capacity;
  if (!c) return undefined;
  const used = sumLoad(envs);
  const free: NonNullable<HostStatus['free']> = {};
  if (c.maxEnvironments !== undefined) free.environments = Math.max(0, c.maxEnvironments - used.count);
  if (c.cpus !== undefined) free.cpus = c.cpus - used.cpus;
  if (c.memory !== undefined) free.memory = (parseBytes(c.memory) ?? 0) - used.memoryBytes;
  return free;
}

export function statusChanged(a: HostStatus, b: HostStatus): boolean {
  return !isDeepStrictEqual(a, b);
}
