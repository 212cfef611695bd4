import type { Position } from './errors';
import type { PropertyPath } from './propertyPath';

/** Finds where a property of the parsed config is written, so messages can point at it. */
export type SourceMap = {
  /** Where the value at `path` starts; the nearest existing ancestor when the path is missing. */
  valueAt(path: PropertyPath): Position | undefined;
  /** Where the key of the property at `path` is written (the value's position for array items). */
  keyAt(path: PropertyPath): Position | undefined;
};

/** For configs that did not come from a file: nothing has a position. */
export const NO_SOURCE_MAP: SourceMap = { valueAt: () => undefined, keyAt: () => undefined };

/**
 * Where one value is written: its key (for object properties) and the value itself, and its
 * children by key or index. Built in the same pass that reads the file, so a lookup walks the path
 * through maps instead of scanning siblings: looking up every key of a file is linear in its size.
 */
export type Located = {
  key?: Position;
  value: Position;
  children?: Map<string | number, Located>;
};

function nearest(root: Located, path: PropertyPath): Located {
  let node = root;
  for (const part of path) {
    const child = node.children?.get(part);
    if (!child) break;
    node = child;
  }
  return node;
}

export function createSourceMap(root: Located | undefined): SourceMap {
  if (!root) return NO_SOURCE_MAP;
  return {
    valueAt: (path) => nearest(root, path).value,
    keyAt: (path) => {
      const node = nearest(root, path);
      return node.key ?? node.value;
    },
  };
}
