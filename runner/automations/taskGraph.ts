/** Tasks as a dependency graph: which order they run in, and what makes that impossible. */
export type TaskDeps = Record<string, { dependsOn: readonly string[] }>;

/** Whether `id` names a task (its own entry: "constructor" or "toString" are ids like any other). */
const isTask = (tasks: TaskDeps, id: string) => Object.hasOwn(tasks, id);

/** `dependsOn` entries naming no task. */
export function unknownDependencies(tasks: TaskDeps): { task: string; dependency: string }[] {
  const out: { task: string; dependency: string }[] = [];
  for (const [task, t] of Object.entries(tasks)) {
    for (const dependency of t.dependsOn) if (!isTask(tasks, dependency)) out.push({ task, dependency });
  }
  return out;
}

// The walks below keep their own stack instead of recursing: a file may chain thousands of tasks.

/**
 * The first dependency cycle found, as the path that closes it (`['a', 'b', 'a']`), or undefined.
 * Unknown dependencies are ignored here (see unknownDependencies).
 */
export function findCycle(tasks: TaskDeps): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  for (const root of Object.keys(tasks).sort()) {
    if (state.has(root)) continue;
    const path = [root];
    const next = [0];
    state.set(root, 'visiting');
    while (path.length > 0) {
      const top = path.length - 1;
      const deps = tasks[path[top]!]!.dependsOn;
      if (next[top]! >= deps.length) {
        state.set(path.pop()!, 'done');
        next.pop();
        continue;
      }
      const dep = deps[next[top]!++]!;
      if (!isTask(tasks, dep) || state.get(dep) === 'done') continue;
      if (state.get(dep) === 'visiting') return [...path.slice(path.indexOf(dep)), dep];
      state.set(dep, 'visiting');
      path.push(dep);
      next.push(0);
    }
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
  for (const root of roots) {
    if (seen.has(root) || !isTask(tasks, root)) continue;
    seen.add(root);
    const path = [root];
    const next = [0];
    while (path.length > 0) {
      const top = path.length - 1;
      const deps = tasks[path[top]!]!.dependsOn;
      if (next[top]! >= deps.length) {
        out.push(path.pop()!);
        next.pop();
        continue;
      }
      const dep = deps[next[top]!++]!;
      if (seen.has(dep) || !isTask(tasks, dep)) continue;
      seen.add(dep);
      path.push(dep);
      next.push(0);
    }
  }
  return out;
}
