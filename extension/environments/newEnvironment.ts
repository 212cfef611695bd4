// The Environment a "create" command applies. Pure.

import { relative, sep } from 'node:path';
import type { EnvironmentApply, Resources } from '../../runner/api';

export type NewEnvironmentSource =
  | {
      kind: 'folder';
      folder: string;
      /** Absolute path of the chosen devcontainer.json. */ configFile?: string;
      /** False for a folder VS Code does not trust: its initializeCommand then needs consent. */
      trusted?: boolean;
    }
  | { kind: 'git'; url: string; ref?: string };

const DEFAULT_CONFIG = '.devcontainer/devcontainer.json';

/** `folder` is one of `roots` or inside one (paths as the OS spells them). */
export function folderWithin(folder: string, roots: readonly string[]): boolean {
  return roots.some((root) => folder === root || folder.startsWith(root.endsWith(sep) ? root : root + sep));
}

export function newEnvironment(opts: {
  name: string;
  source: NewEnvironmentSource;
  resources: Resources | undefined;
  existing?: { resourceVersion: string; spec: EnvironmentApply['spec'] };
}): EnvironmentApply {
  const { source } = opts;
  const devcontainerPath =
    source.kind === 'folder' && source.configFile
      ? relative(source.folder, source.configFile).split(sep).join('/')
      : undefined;
  const spec: EnvironmentApply['spec'] = {
    ...(opts.existing?.spec ?? {}),
    source:
      source.kind === 'folder'
        ? { folder: source.folder, ...(source.trusted === false ? { untrusted: true } : {}) }
        : { git: { url: source.url.trim(), ...(source.ref ? { ref: source.ref } : {}) } },
    // The spec's default order finds .devcontainer/devcontainer.json first; name the file only when it differs.
    ...(devcontainerPath && devcontainerPath !== DEFAULT_CONFIG
      ? { devcontainer: { path: devcontainerPath } }
      : {}),
    state: 'Running',
    ...(opts.existing?.spec.resources ? {} : opts.resources ? { resources: opts.resources } : {}),
  };
  // Picking the default config replaces the existing environment's custom one (apply replaces the spec).
  if (devcontainerPath === DEFAULT_CONFIG) delete spec.devcontainer;
  return {
    kind: 'Environment',
    metadata: {
      name: opts.name,
      ...(opts.existing ? { resourceVersion: opts.existing.resourceVersion } : {}),
    },
    spec,
  };
}
