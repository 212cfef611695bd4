import { findNodeAtLocation, type Node } from 'jsonc-parser';
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

/** Offsets of the first character of every line; a line ends at \n, \r\n or \r. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 13 /* \r */ && text.charCodeAt(i + 1) === 10) continue;
    if (ch === 10 || ch === 13) starts.push(i + 1);
  }
  return starts;
}

/** Maps a character offset to a 1-based line and column. */
export function positionFinder(text: string): (offset: number) => Position {
  const starts = lineStarts(text);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
  };
}

function nearestNode(root: Node, path: PropertyPath): Node {
  for (let length = path.length; length > 0; length--) {
    const node = findNodeAtLocation(root, path.slice(0, length) as (string | number)[]);
    if (node) return node;
  }
  return root;
}

export function createSourceMap(text: string, root: Node | undefined): SourceMap {
  if (!root) return NO_SOURCE_MAP;
  const toPosition = positionFinder(text);
  return {
    valueAt: (path) => toPosition(nearestNode(root, path).offset),
    keyAt: (path) => {
      const node = nearestNode(root, path);
      const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
      return toPosition((key ?? node).offset);
    },
  };
}
