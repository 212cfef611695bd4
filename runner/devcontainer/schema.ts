import { z } from 'zod';
import { parseBytes } from '../api/quantity';

// Loose objects everywhere: unknown keys must reach the warning logic instead of failing validation.

const StringArray = z.array(z.string());
const StringMap = z.record(z.string(), z.string());
const Size = z
  .string()
  .refine((s) => parseBytes(s) !== undefined, { error: 'must be a size like "4gb" or "512mb"' });

export const PORT_RANGE_MESSAGE = 'must be a port number between 1 and 65535';
const PortNumber = z
  .number()
  .int({ error: PORT_RANGE_MESSAGE })
  .min(1, { error: PORT_RANGE_MESSAGE })
  .max(65535, {
    error: PORT_RANGE_MESSAGE,
  });

const HOST_PORT = /^([^:\s]+):(\d+)$/;
const FORWARD_PORT_MESSAGE = 'must be a number or "host:port" string';

/** `"localhost:3000"` → host and port; undefined when it is not that shape. */
export function splitHostPort(text: string): { host: string; port: number } | undefined {
  const match = HOST_PORT.exec(text);
  return match ? { host: match[1] ?? '', port: Number(match[2]) } : undefined;
}

export const ForwardPortSchema = z.union(
  [
    PortNumber,
    z
      .string()
      .refine((s) => splitHostPort(s) !== undefined, { error: FORWARD_PORT_MESSAGE, abort: true })
      .refine(
        (s) => {
          const port = splitHostPort(s)?.port ?? 0;
          return port >= 1 && port <= 65535;
        },
        { error: PORT_RANGE_MESSAGE },
      ),
  ],
  { error: FORWARD_PORT_MESSAGE },
);

export const MountObjectSchema = z.looseObject({
  type: z.enum(['bind', 'volume', 'tmpfs']),
  source: z.string().optional(),
  target: z.string(),
  readonly: z.boolean().optional(),
});
export type MountObject = z.infer<typeof MountObjectSchema>;

export const MountSchema = z.union([z.string(), MountObjectSchema], {
  error: 'must be a mount string like "type=bind,source=/a,target=/b" or an object { type, source, target }',
});

const SingleCommand = z.union([z.string(), StringArray], {
  error: 'must be a command string or an array of arguments',
});
export const LifecycleCommandSchema = z.union(
  [z.string(), StringArray, z.record(z.string(), SingleCommand)],
  {
    error: 'must be a command string, an array of arguments, or an object of named commands',
  },
);
export type LifecycleCommandValue = z.infer<typeof LifecycleCommandSchema>;

export const OnAutoForwardSchema = z.enum([
  'notify',
  'openBrowser',
  'openBrowserOnce',
  'openPreview',
  'silent',
  'ignore',
]);

export const PortAttributesSchema = z.looseObject({
  label: z.string().optional(),
  onAutoForward: OnAutoForwardSchema.optional(),
  protocol: z.enum(['http', 'https']).optional(),
  elevateIfNeeded: z.boolean().optional(),
  requireLocalPort: z.boolean().optional(),
});
export type PortAttributes = z.infer<typeof PortAttributesSchema>;

export const BuildSchema = z.looseObject({
  dockerfile: z.string().optional(),
  context: z.string().optional(),
  args: StringMap.optional(),
  target: z.string().optional(),
  cacheFrom: z
    .union([z.string(), StringArray], { error: 'must be a string or an array of strings' })
    .optional(),
  options: StringArray.optional(),
});

export const GpuRequirementSchema = z.union(
  [
    z.boolean(),
    z.literal('optional'),
    z.looseObject({ cores: z.number().int().min(1).optional(), memory: Size.optional() }),
  ],
  { error: 'must be true, false, "optional" or an object { cores, memory }' },
);

export const HostRequirementsSchema = z.looseObject({
  cpus: z.number().int().min(1).optional(),
  memory: Size.optional(),
  storage: Size.optional(),
  gpu: GpuRequirementSchema.optional(),
});

/** waitFor: the last hook Ready waits for; later ones go on in the background. */
export const WaitForSchema = z.enum([
  'initializeCommand',
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
]);

export type WaitFor = z.infer<typeof WaitForSchema>;

export const UserEnvProbeSchema = z.enum(['none', 'loginShell', 'loginInteractiveShell', 'interactiveShell']);
export type UserEnvProbe = z.infer<typeof UserEnvProbeSchema>;

const AppPortEntry = z.union([PortNumber, z.string()], {
  error: 'must be a port number or a "host:container" string',
});

export const VsCodeCustomizationsSchema = z.looseObject({
  extensions: StringArray.optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});

/** The devcontainer.json properties devrig reads (https://containers.dev/implementors/json_reference/). */
export const DevcontainerConfigSchema = z.looseObject({
  name: z.string().optional(),
  image: z.string().optional(),
  build: BuildSchema.optional(),
  /** Legacy spellings of build.dockerfile and build.context. */
  dockerFile: z.string().optional(),
  context: z.string().optional(),
  containerEnv: StringMap.optional(),
  /** null unsets a variable. */
  remoteEnv: z.record(z.string(), z.string().nullable()).optional(),
  remoteUser: z.string().optional(),
  containerUser: z.string().optional(),
  updateRemoteUserUID: z.boolean().optional(),
  workspaceFolder: z.string().optional(),
  workspaceMount: z.string().optional(),
  mounts: z.array(MountSchema).optional(),
  runArgs: StringArray.optional(),
  forwardPorts: z.array(ForwardPortSchema).optional(),
  portsAttributes: z.record(z.string(), PortAttributesSchema).optional(),
  otherPortsAttributes: PortAttributesSchema.optional(),
  initializeCommand: LifecycleCommandSchema.optional(),
  onCreateCommand: LifecycleCommandSchema.optional(),
  updateContentCommand: LifecycleCommandSchema.optional(),
  postCreateCommand: LifecycleCommandSchema.optional(),
  postStartCommand: LifecycleCommandSchema.optional(),
  postAttachCommand: LifecycleCommandSchema.optional(),
  overrideCommand: z.boolean().optional(),
  shutdownAction: z.enum(['none', 'stopContainer', 'stopCompose']).optional(),
  hostRequirements: HostRequirementsSchema.optional(),
  customizations: z.looseObject({ vscode: VsCodeCustomizationsSchema.optional() }).optional(),
  /** Legacy top-level spellings of customizations.vscode.extensions / settings. */
  extensions: StringArray.optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  init: z.boolean().optional(),
  privileged: z.boolean().optional(),
  capAdd: StringArray.optional(),
  securityOpt: StringArray.optional(),
  dockerComposeFile: z
    .union([z.string(), StringArray], { error: 'must be a string or an array of strings' })
    .optional(),
  service: z.string().min(1, { error: 'must name a service of the Compose files' }).optional(),
  runServices: StringArray.optional(),
  waitFor: WaitForSchema.optional(),
  userEnvProbe: UserEnvProbeSchema.optional(),
  appPort: z
    .union([PortNumber, z.string(), z.array(AppPortEntry)], {
      error: 'must be a port number, a "host:container" string, or an array of them',
    })
    .optional(),
});
export type DevcontainerConfig = z.infer<typeof DevcontainerConfigSchema>;
