declare const __DEVRIG_VERSION__: string | undefined;

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;

/** Set by esbuild from package.json; code running from source (tests) uses DEVRIG_VERSION or a dev marker. */
export const VERSION: string =
  typeof __DEVRIG_VERSION__ === 'string' ? __DEVRIG_VERSION__ : (env?.DEVRIG_VERSION ?? '0.0.0-dev');

/** Bumped when a message changes shape; a client and runner must agree on it. */
export const API_VERSION = 1;

/** The HTTP header carrying the token on the WebSocket upgrade. */
export const TOKEN_HEADER = 'authorization';
export const tokenHeaderValue = (token: string) => `Bearer ${token}`;
