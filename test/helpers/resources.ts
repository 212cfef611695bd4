// Builders for Environment and Host objects as the runner returns them, for pure-logic tests.

import type { Condition, Environment, EnvironmentPhase, Host } from '../../runner/api';

const T = '2026-01-01T00:00:00.000Z';

export function cond(
  type: string,
  status: Condition['status'],
  reason: string,
  message = `${type} ${reason}`,
  observedGeneration = 1,
): Condition {
  return { type, status, reason, message, lastTransitionTime: T, observedGeneration };
}

export function env(
  name: string,
  phase: EnvironmentPhase,
  over: {
    conditions?: Condition[];
    state?: 'Running' | 'Stopped';
    folder?: string;
    git?: string;
    host?: string;
    generation?: number;
    observedGeneration?: number;
    resourceVersion?: string;
    status?: Partial<Environment['status']>;
    deleting?: boolean;
  } = {},
): Environment {
  const generation = over.generation ?? 1;
  return {
    kind: 'Environment',
    metadata: {
      name,
      uid: `uid-${name}`,
      generation,
      resourceVersion: over.resourceVersion ?? '1',
      creationTimestamp: T,
      finalizers: [],
      labels: {},
      ...(over.deleting ? { deletionTimestamp: T } : {}),
    },
    spec: {
      source: over.git ? { git: { url: over.git } } : { folder: over.folder ?? `/src/${name}` },
      state: over.state ?? (phase === 'Stopped' || phase === 'Stopping' ? 'Stopped' : 'Running'),
      ...(over.host ? { host: over.host } : {}),
    },
    status: {
      phase,
      observedGeneration: over.observedGeneration ?? generation,
      conditions: over.conditions ?? [],
      ports: [],
      automations: [],
      history: [],
      ...over.status,
    },
  };
}

export function host(
  name: string,
  phase: Host['status']['phase'],
  over: { observedHostKey?: string; hostKey?: string } = {},
): Host {
  return {
    kind: 'Host',
    metadata: {
      name,
      uid: `uid-${name}`,
      generation: 1,
      resourceVersion: '1',
      creationTimestamp: T,
      finalizers: [],
      labels: {},
    },
    spec: {
      address: `${name}.example.com`,
      port: 22,
      user: 'dev',
      mode: 'docker',
      dockerSocket: '/var/run/docker.sock',
      workspaceRoot: '.devrig/workspaces',
      ...(over.hostKey ? { hostKey: over.hostKey } : {}),
    },
    status: {
      phase,
      observedGeneration: 1,
      conditions: [],
      environments: [],
      ...(over.observedHostKey
        ? { observedHostKey: over.observedHostKey, observedHostKeyFingerprint: 'SHA256:abc' }
        : {}),
    },
  };
}
