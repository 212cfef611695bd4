import * as path from 'node:path';

export type SubstitutionContext = {
  localWorkspaceFolder: string;
  /** Undefined while the workspace folder itself is being resolved: its references stay verbatim. */
  containerWorkspaceFolder?: string;
  localEnv: Record<string, string | undefined>;
  /** Only known once the container runs; without it `${containerEnv:…}` stays verbatim for a later pass. */
  containerEnv?: Record<string, string | undefined>;
  devcontainerId: string;
};

const VARIABLE = /\$\{([^}]*)\}/g;

/** `${localEnv:NAME}` or `${localEnv:NAME:default}`: a set variable (even empty) wins, else the default, else ''. */
function lookUp(env: Record<string, string | undefined>, args: string[]): string {
  const [name, ...rest] = args;
  const value = name === undefined ? undefined : env[name];
  if (value !== undefined) return value;
  // The default may itself contain colons (a URL, a PATH), so it is everything after the name.
  return rest.length > 0 ? rest.join(':') : '';
}

function resolveVariable(expression: string, ctx: SubstitutionContext): string | undefined {
  const [kind, ...args] = expression.split(':');
  switch (kind) {
    case 'localWorkspaceFolder':
      return args.length === 0 ? ctx.localWorkspaceFolder : undefined;
    case 'localWorkspaceFolderBasename':
      return args.length === 0 ? path.basename(ctx.localWorkspaceFolder) : undefined;
    case 'containerWorkspaceFolder':
      return args.length === 0 ? ctx.containerWorkspaceFolder : undefined;
    case 'containerWorkspaceFolderBasename':
      return args.length === 0 && ctx.containerWorkspaceFolder !== undefined
        ? path.posix.basename(ctx.containerWorkspaceFolder)
        : undefined;
    case 'devcontainerId':
      return args.length === 0 ? ctx.devcontainerId : undefined;
    case 'localEnv':
    case 'env':
      return args.length > 0 && args[0] !== '' ? lookUp(ctx.localEnv, args) : undefined;
    case 'containerEnv':
      return args.length > 0 && args[0] !== '' && ctx.containerEnv
        ? lookUp(ctx.containerEnv, args)
        : undefined;
    default:
      return undefined;
  }
}

/** Replaces `${…}` variables in one string; unknown or not-yet-known variables are left as written. */
export function substituteString(text: string, ctx: SubstitutionContext): string {
  return text.replace(VARIABLE, (whole, expression: string) => resolveVariable(expression, ctx) ?? whole);
}

/** Substitutes every string inside objects and arrays (values, not keys), returning a new value. */
export function substituteVariables<T>(value: T, ctx: SubstitutionContext): T {
  if (typeof value === 'string') return substituteString(value, ctx) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => substituteVariables(item, ctx)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substituteVariables(item as unknown, ctx)]),
    ) as T;
  }
  return value;
}
