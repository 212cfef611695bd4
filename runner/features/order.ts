// The Feature installation order, computed exactly as the reference implementation does
// (devcontainers/cli containerFeaturesOrder.ts): rounds of Features whose dependsOn and installsAfter
// are all installed; within a round only the highest overrideFeatureInstallOrder priority goes, sorted
// by the reference's comparison. Pure: the nodes come resolved (digests and metadata known).

/** What identifies a Feature for ordering, by kind. */
export type OrderSource =
  | {
      kind: 'oci';
      registry: string;
      namespace: string;
      /** The id in the reference (last path segment). */
      id: string;
      /** `registry/namespace/id` as written, lower case. */
      resource: string;
      tag?: string;
      manifestDigest: string;
    }
  | { kind: 'local'; folder: string }
  | { kind: 'tarball'; url: string };

/** A soft reference (installsAfter, overrideFeatureInstallOrder): identity without a digest. */
export type SoftSource =
  | { kind: 'oci'; registry: string; namespace: string; resource: string }
  | { kind: 'local'; folder: string }
  | { kind: 'tarball'; url: string };

export type SoftDependency = { userId: string; source: SoftSource };

export interface OrderNode {
  /** As written (in devcontainer.json or a dependsOn). */
  userId: string;
  source: OrderSource;
  /** The value written for it (options object, version string, boolean): compared as the reference does. */
  options: unknown;
  /** `currentId ?? id` and `legacyIds` from its metadata. */
  aliases?: string[];
  dependsOn: OrderNode[];
  installsAfter: SoftDependency[];
  roundPriority: number;
}

/** No order exists: the message names the chain that loops. */
export class FeatureOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureOrderError';
  }
}

/** The reference's comparison of option values (objects key by key, missing values last). */
export function compareOptions(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const leftKeys = Object.keys(left).sort();
    const rightKeys = Object.keys(right).sort();
    if (leftKeys.length !== rightKeys.length) return leftKeys.length - rightKeys.length;
    for (let i = 0; i < leftKeys.length; i++) {
      const lk = leftKeys[i] as string;
      const rk = rightKeys[i] as string;
      if (lk !== rk) return lk.localeCompare(rk);
      const lv = left[lk];
      const rv = right[rk];
      if (typeof lv === 'string' && typeof rv === 'string') {
        const c = lv.localeCompare(rv);
        if (c !== 0) return c;
      }
      if (typeof lv === 'boolean' && typeof rv === 'boolean') {
        const c = lv === rv ? 0 : lv ? 1 : -1;
        if (c !== 0) return c;
      }
      if (lv === undefined || rv === undefined) {
        const c = lv === rv ? 0 : lv === undefined ? 1 : -1;
        if (c !== 0) return c;
      }
    }
    return 0;
  }
  // Mixed kinds (and null, which the reference sees as an object) compare by their type names.
  return (typeof a).localeCompare(typeof b);
}

function compareOciIds(a: OrderNode, b: OrderNode): number {
  const sa = a.source as Extract<OrderSource, { kind: 'oci' }>;
  const sb = b.source as Extract<OrderSource, { kind: 'oci' }>;
  const na = `${sa.registry}/${sa.namespace}`;
  const nb = `${sb.registry}/${sb.namespace}`;
  if (na !== nb) return na.localeCompare(nb);
  const bAliases = b.aliases ?? [sb.id];
  if ((a.aliases ?? [sa.id]).some((alias) => bAliases.includes(alias))) return 0;
  return sa.id.localeCompare(sb.id);
}

/** The reference's total order on Features (its round tie-break); 0 means "the same Feature". */
export function compareNodes(a: OrderNode, b: OrderNode): number {
  if (a.source.kind !== b.source.kind) return a.userId.localeCompare(b.userId);
  switch (a.source.kind) {
    case 'oci': {
      const sb = b.source as Extract<OrderSource, { kind: 'oci' }>;
      const sameDigest = a.source.manifestDigest === sb.manifestDigest;
      if (sameDigest && compareOptions(a.options, b.options) === 0) return 0;
      const ids = compareOciIds(a, b);
      if (ids !== 0) return ids;
      if (a.source.tag && sb.tag && a.source.tag !== sb.tag) return a.source.tag.localeCompare(sb.tag);
      const options = compareOptions(a.options, b.options);
      if (options !== 0) return options;
      return sameDigest ? 0 : a.source.manifestDigest.localeCompare(sb.manifestDigest);
    }
    case 'local': {
      const folder = b.source as Extract<OrderSource, { kind: 'local' }>;
      return a.source.folder.localeCompare(folder.folder) || compareOptions(a.options, b.options);
    }
    case 'tarball': {
      const tarball = b.source as Extract<OrderSource, { kind: 'tarball' }>;
      return a.source.url.localeCompare(tarball.url) || compareOptions(a.options, b.options);
    }
  }
}

/** Same Feature, same options: installed once. */
export function sameFeature(a: OrderNode, b: OrderNode): boolean {
  return a.source.kind === b.source.kind && compareNodes(a, b) === 0;
}

/**
 * Whether `node` is what a soft reference names. The reference fetches the named Feature to learn its
 * aliases; here the node's own aliases are used (the same names when both are the same Feature), so
 * installsAfter needs no network.
 */
export function satisfiesSoft(node: OrderNode, soft: SoftSource): boolean {
  const source = node.source;
  if (source.kind !== soft.kind) return false;
  switch (source.kind) {
    case 'oci': {
      const wanted = soft as Extract<SoftSource, { kind: 'oci' }>;
      if (source.resource === wanted.resource) return true;
      const namespace = `${source.registry}/${source.namespace}`;
      return (node.aliases ?? []).some((alias) => `${namespace}/${alias}` === wanted.resource);
    }
    case 'local':
      return source.folder === (soft as Extract<SoftSource, { kind: 'local' }>).folder;
    case 'tarball':
      return source.url === (soft as Extract<SoftSource, { kind: 'tarball' }>).url;
  }
}

function matchesOverride(node: OrderNode, override: SoftSource): boolean {
  const source = node.source;
  if (source.kind !== override.kind) return false;
  if (source.kind === 'oci') return source.resource === (override as { resource: string }).resource;
  return satisfiesSoft(node, override);
}

/**
 * overrideFeatureInstallOrder: the first entry gets the highest round priority (the list's length), the
 * last 1. Returns, per entry, whether it matched any Feature (the reference says nothing when not).
 */
export function applyOverrides(worklist: readonly OrderNode[], overrides: readonly SoftSource[]): boolean[] {
  const matched = overrides.map(() => false);
  for (let i = overrides.length - 1; i >= 0; i--) {
    const priority = overrides.length - i;
    for (const node of worklist) {
      if (!matchesOverride(node, overrides[i] as SoftSource)) continue;
      node.roundPriority = Math.max(node.roundPriority, priority);
      matched[i] = true;
    }
  }
  return matched;
}

function describeCycle(remaining: readonly OrderNode[]): string {
  const next = (node: OrderNode): OrderNode[] => [
    ...node.dependsOn.flatMap((d) => remaining.filter((r) => sameFeature(r, d))),
    ...node.installsAfter.flatMap((s) => remaining.filter((r) => satisfiesSoft(r, s.source))),
  ];
  for (const start of remaining) {
    const path: OrderNode[] = [];
    const onPath = new Set<OrderNode>();
    const visit = (node: OrderNode): OrderNode[] | undefined => {
      if (onPath.has(node)) return [...path.slice(path.indexOf(node)), node];
      path.push(node);
      onPath.add(node);
      for (const n of next(node)) {
        const cycle = visit(n);
        if (cycle) return cycle;
      }
      path.pop();
      onPath.delete(node);
      return undefined;
    };
    const cycle = visit(start);
    if (cycle) return cycle.map((n) => n.userId).join(' → ');
  }
  return remaining.map((n) => n.userId).join(', ');
}

/** The install order of a resolved worklist (the reference's round-based algorithm). */
export function computeInstallOrder(nodes: readonly OrderNode[]): OrderNode[] {
  const worklist = [...nodes];
  // Soft dependencies on Features that are not installed at all do not hold anything back.
  for (const node of worklist) {
    node.installsAfter = node.installsAfter.filter((soft) =>
      worklist.some((n) => satisfiesSoft(n, soft.source)),
    );
  }
  const installed: OrderNode[] = [];
  while (worklist.length > 0) {
    let round = worklist.filter(
      (node) =>
        node.dependsOn.every((d) => installed.some((i) => sameFeature(i, d))) &&
        node.installsAfter.every((s) => installed.some((i) => satisfiesSoft(i, s.source))),
    );
    if (round.length === 0) {
      throw new FeatureOrderError(`the Features depend on each other in a cycle: ${describeCycle(worklist)}`);
    }
    const top = Math.max(...round.map((n) => n.roundPriority));
    round = round.filter((n) => n.roundPriority === top);
    const rest = worklist.filter((n) => !round.some((r) => sameFeature(r, n)));
    worklist.splice(0, worklist.length, ...rest);
    round.sort(compareNodes);
    installed.push(...round);
  }
  return installed;
}
