/** Tasks as a dependency graph: which order they run in, and what makes that impossible. */
export type TaskDeps = Record<string, { dependsOn: readonly string[] }>;

/** `dependsOn` entries naming no task. */
export function unknownDependencies(tasks: TaskDeps): { task: string; dependency: string }[] {
  const out: { task: string; dependency: string }[] = [];
  for (const [task, t] of Object.entries(tasks)) {
    for (const dependency of t.dependsOn) if (!(dependency in tasks)) out.push({ task, dependency });
  }
  return out;
}

/**
 * The first dependency cycle found, as the path that closes it (`['a', 'b', 'a']`), or undefined.
 * Unknown dependencies are ignored here (see unknownDependencies).
 */
export function findCycle(tasks: TaskDeps): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const s = state.get(id);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dep of tasks[id]?.dependsOn ?? []) {
      if (!(dep in tasks)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of Object.keys(tasks).sort()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * `roots` and everything they depend on, dependencies first (a valid run order), each once.
 * The graph must be acyclic with known dependencies.
 */
export function runOrder(tasks: TaskDeps, roots: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id) || !(id in tasks)) return;
    seen.add(id);
    for (const dep of tasks[id]!.dependsOn) visit(dep);
    out.push(id);
  };
  for (const r of roots) visit(r);
  return out;
}
