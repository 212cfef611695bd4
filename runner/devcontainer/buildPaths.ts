import { realpath } from 'node:fs/promises';
import * as path from 'node:path';

// What a Dockerfile build may read from this machine. A repository's devcontainer.json chooses the
// paths, so they must not reach the user's keys or system files: the Dockerfile comes from the
// project (its first line would otherwise show in an error), and a context outside the workspace
// folder, or one holding the whole machine, the home folder or a credentials folder, is sent to
// the engine only with the user's consent.

/** Folders under the home folder that hold credentials (tokens, keys, cloud logins). */
const CREDENTIAL_FOLDERS = ['.ssh', '.aws', '.azure', '.config', '.docker', '.gnupg', '.kube'];

/** Whether `inner` is `outer` or inside it (both absolute and resolved). */
export function isWithin(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** What a build context would expose of this machine, or undefined when it exposes nothing special. */
export function hostContextExposure(context: string, home: string): string | undefined {
  if (context === path.parse(context).root) return `the whole machine (${context})`;
  if (isWithin(context, home))
    return context === home ? 'your home folder' : `a folder holding your home folder`;
  for (const folder of CREDENTIAL_FOLDERS) {
    const full = path.join(home, folder);
    if (isWithin(full, context) || isWithin(context, full)) return `your credentials folder ${full}`;
  }
  return undefined;
}

/**
 * Why a build context is refused, or undefined when it may be used. A context outside the workspace
 * folder, or one exposing the machine, the home folder or credentials, needs the user's consent
 * (`allowed`: the spec allows `hostMounts`). All paths resolved.
 */
export function buildContextRefusal(
  context: string,
  opts: { allowed: boolean; home: string; workspaceFolder: string },
): string | undefined {
  if (opts.allowed) return undefined;
  const exposure = hostContextExposure(context, opts.home);
  const outside = !isWithin(opts.workspaceFolder, context);
  if (!exposure && !outside) return undefined;
  const what = [outside ? `outside the workspace folder ${opts.workspaceFolder}` : '', exposure ?? '']
    .filter(Boolean)
    .join(': ');
  return (
    `is ${context}, ${what}; all of it would be sent to the engine and could end up in the image. ` +
    'Use a folder of the project, or allow it with spec.allow: [hostMounts] (devrig up --allow hostMounts)'
  );
}

/**
 * Why a Dockerfile is refused, or undefined: it must be inside the build context, the config's
 * folder or the workspace folder (all resolved, links followed), as a project's own file.
 */
export function dockerfileRefusal(dockerfile: string, allowedIn: readonly string[]): string | undefined {
  if (allowedIn.some((folder) => isWithin(folder, dockerfile))) return undefined;
  return `is ${dockerfile}, outside the build context, the config's folder and the workspace folder; devrig reads a Dockerfile only from the project`;
}

/** `p` with every link resolved; as given when it does not exist (that is reported elsewhere). */
export async function resolvedPath(p: string): Promise<string> {
  return realpath(p).catch(() => path.resolve(p));
}
