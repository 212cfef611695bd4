import { z } from 'zod';

// Gitpod-style automations: long-running services and one-shot tasks, from
// .devrig/automations.yaml beside the code and/or spec.automations.

/** Where automations live beside the code, relative to the workspace folder. */
export const AUTOMATIONS_FILE = '.devrig/automations.yaml';

/**
 * postEnvironmentStart and postDevcontainerStart both fire once per container start, after the
 * lifecycle commands (postStartCommand included); manual only through the API or CLI.
 */
export const Trigger = z.enum(['postEnvironmentStart', 'postDevcontainerStart', 'manual']);
export type Trigger = z.infer<typeof Trigger>;

const AutomationId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'ids are 1-63 of letters, digits, "_", "." and "-"');

// Strict objects: a misspelt key (`dependson`) or an unsupported one (`runsOn`) is an error, not ignored.
export const ServiceSpec = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  triggeredBy: z.array(Trigger).default(['postEnvironmentStart']),
  commands: z.strictObject({
    start: z.string().min(1),
    ready: z.string().optional(),
    stop: z.string().optional(),
  }),
});
export type ServiceSpec = z.infer<typeof ServiceSpec>;

export const TaskSpec = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  triggeredBy: z.array(Trigger).default(['manual']),
  dependsOn: z.array(AutomationId).default([]),
  command: z.string().min(1),
});
export type TaskSpec = z.infer<typeof TaskSpec>;

export const AutomationsSpec = z.strictObject({
  services: z.record(AutomationId, ServiceSpec).default({}),
  tasks: z.record(AutomationId, TaskSpec).default({}),
});
export type AutomationsSpec = z.infer<typeof AutomationsSpec>;

export const AutomationPhase = z.enum([
  'Pending',
  'Starting',
  'Running',
  'Ready',
  'Stopping',
  'Stopped',
  'Succeeded',
  'Failed',
]);
export type AutomationPhase = z.infer<typeof AutomationPhase>;

export const AutomationStatus = z.object({
  kind: z.enum(['service', 'task']),
  id: z.string(),
  name: z.string(),
  phase: AutomationPhase,
  message: z.string().default(''),
  exitCode: z.number().int().optional(),
  restarts: z.number().int().nonnegative().default(0),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  logTail: z.string().optional(),
});
export type AutomationStatus = z.infer<typeof AutomationStatus>;
