/** A path into the config, as zod and jsonc-parser spell it. */
export type PropertyPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `forwardPorts[1]`, `build.args.NODE_VERSION`, `portsAttributes["3000"]`: how people write paths. */
export function formatPropertyPath(path: PropertyPath): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (IDENTIFIER.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text;
}
