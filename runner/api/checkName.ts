import type { MethodName } from './protocol';

/** The name of the compiled check of a method's result or event (a JavaScript identifier). */
export function checkName(kind: 'result' | 'event', method: MethodName): string {
  return `${kind}_${method.replace(/[^A-Za-z0-9]/g, '_')}`;
}
