import { z } from 'zod';
import { ApplyMeta, ObjectMeta } from './meta';
import { Condition } from './conditions';
import { ByteSize } from './quantity';

export const LOCAL_HOST = 'local';

/** Held by a Host while environments are placed on it: removing it waits for them. */
export const HOST_FINALIZER = 'devrig.dev/host';

/** Condition types a Host reports. */
export const HostConditions = {
  HostKeyVerified: 'HostKeyVerified',
  Reachable: 'Reachable',
  DockerAvailable: 'DockerAvailable',
  Ready: 'Ready',
} as const;

/** An OpenSSH public key line: `ssh-ed25519 AAAA...` (a trailing comment is allowed). */
export const HOST_KEY_PATTERN =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) [A-Za-z0-9+/]+={0,2}( .*)?$/;
export const HostKeyLine = z
  .string()
  .regex(HOST_KEY_PATTERN, 'must be an OpenSSH public key line, e.g. ssh-ed25519 AAAA...');

export const HostSpec = z.object({
  address: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1),
  /** Private key on the runner's machine; otherwise the SSH agent ($SSH_AUTH_SOCK). */
  identityFile: z.string().optional(),
  /** The host key devrig must see, as `ssh-ed25519 AAAA...`. Unset until accepted. */
  hostKey: HostKeyLine.optional(),
  mode: z.enum(['docker', 'plain']).default('docker'),
  /** Remote Docker socket path (docker mode). */
  dockerSocket: z.string().default('/var/run/docker.sock'),
  /** Where plain-mode workspaces live on the host (relative to the user's home). */
  workspaceRoot: z.string().default('.devrig/workspaces'),
  capacity: z
    .object({
      maxEnvironments: z.number().int().positive().optional(),
      cpus: z.number().positive().optional(),
      memory: ByteSize.optional(),
    })
    .optional(),
});
export type HostSpec = z.infer<typeof HostSpec>;

export const HostStatus = z.object({
  phase: z.enum(['Pending', 'Ready', 'Unreachable', 'Failed']).default('Pending'),
  observedGeneration: z.number().int().nonnegative().default(0),
  conditions: z.array(Condition).default([]),
  lastSeen: z.string().optional(),
  /** The key the host presented, for first-use acceptance. */
  observedHostKey: z.string().optional(),
  observedHostKeyFingerprint: z.string().optional(),
  serverInfo: z.string().optional(),
  environments: z.array(z.string()).default([]),
  free: z
    .object({
      environments: z.number().optional(),
      cpus: z.number().optional(),
      memory: z.number().optional(),
    })
    .optional(),
});
export type HostStatus = z.infer<typeof HostStatus>;

export const Host = z.object({
  kind: z.literal('Host'),
  metadata: ObjectMeta,
  spec: HostSpec,
  status: HostStatus,
});
export type Host = z.infer<typeof Host>;

export const HostApply = z.object({
  kind: z.literal('Host'),
  metadata: ApplyMeta.refine((m) => m.name !== LOCAL_HOST, {
    message: `"${LOCAL_HOST}" is the built-in host (this machine's Docker engine)`,
    path: ['name'],
  }),
  spec: HostSpec,
});
export type HostApply = z.input<typeof HostApply>;
