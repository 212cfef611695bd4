import { z } from 'zod';
import { ALLOWANCES } from './allowances';

export { ALLOWANCE_MEANING, ALLOWANCES, missingAllowances } from './allowances';

export const Allowance = z.enum(ALLOWANCES);
export type Allowance = z.infer<typeof Allowance>;

/** Where a host-access request was written. */
export const RequestOrigin = z.enum(['runArgs', 'property', 'imageMetadata', 'feature', 'compose']);
export type RequestOrigin = z.infer<typeof RequestOrigin>;

/** One thing an environment asks for that reaches this machine, as status reports it. */
export const HostAccessItem = z.object({
  /** The allowance it needs; absent when nothing can allow it (devrig's state folder). */
  allowance: Allowance.optional(),
  origin: RequestOrigin,
  /** Feature id, Compose service, image. */
  name: z.string().optional(),
  /** The property, e.g. `runArgs[2]`, `mounts[0]`, `capAdd[1]`. */
  property: z.string().optional(),
  /** `file:line:col` (or just the file) when known. */
  location: z.string().optional(),
  /** What is asked, for people: `--network=host shares this machine's network`. */
  detail: z.string(),
  /** The whole sentence: where, what, and how to allow it. */
  message: z.string(),
});
export type HostAccessItem = z.infer<typeof HostAccessItem>;

export const HostAccessStatus = z.object({
  allowed: z.array(HostAccessItem).default([]),
  refused: z.array(HostAccessItem).default([]),
});
export type HostAccessStatus = z.infer<typeof HostAccessStatus>;

/** The initializeCommand of a source that needs consent to run it on this machine. */
export const InitializeCommandStatus = z.object({
  /** The command as it will run, for people to read before they allow it. */
  text: z.string(),
  /** What spec.allowInitializeCommand must be to allow exactly this command. */
  hash: z.string(),
  allowed: z.boolean(),
  /** Why it needs consent: `the git source https://…`, `the folder /…, which is not trusted`. */
  why: z.string(),
});
export type InitializeCommandStatus = z.infer<typeof InitializeCommandStatus>;

/** Condition reasons of HostAccessAllowed and InitializeCommandAllowed. */
export const ConsentReasons = {
  /** Something needs the user's consent: the environment does not start until the spec allows it. */
  ConsentRequired: 'ConsentRequired',
  /** Something that nothing can allow (devrig's state folder). */
  Forbidden: 'Forbidden',
} as const;
