import { z } from 'zod';

/** What a client needs to find the runner; written once the runner listens. */
export const RunnerInfo = z.object({
  pid: z.number().int(),
  /** The runner process's start time (Linux), so a later process reusing the pid is not taken for it. */
  pidStartTime: z.string().optional(),
  port: z.number().int(),
  sshPort: z.number().int().optional(),
  version: z.string(),
  startedAt: z.string(),
});
export type RunnerInfo = z.infer<typeof RunnerInfo>;
