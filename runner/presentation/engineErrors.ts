// A one-line human cause for the raw errors Docker engines and registries give, so people read "the
// registry cannot be reached" before `Get "https://registry-1.docker.io/v2/": dial tcp: lookup …: no
// such host`. The raw text is always kept and shown below it. The extension, the CLI and the details
// page ask this one function. Pure, and free of Node APIs (the webview imports it too).

export type EngineErrorKind =
  | 'imageNotFound'
  | 'authRequired'
  | 'registryUnreachable'
  | 'rateLimited'
  | 'noSpace'
  | 'engineUnreachable'
  | 'buildStepFailed'
  | 'dockerfileNotFound'
  | 'portInUse'
  | 'containerStartFailed';

export interface HumanCause {
  kind: EngineErrorKind;
  /** One line, starting with a capital, no final full stop. */
  cause: string;
  /** What usually fixes it. */
  hint: string;
}

// Order matters: "pull access denied … repository does not exist" is a missing image (Docker Hub says
// so for both), before the generic "access denied" of a refused login.
const RULES: readonly { kind: EngineErrorKind; test: RegExp; cause: string; hint: string }[] = [
  {
    kind: 'noSpace',
    test: /no space left on device|disk quota exceeded/i,
    cause: 'No space left on the Docker host',
    hint: 'free disk space (docker system df shows what uses it), then retry',
  },
  {
    kind: 'imageNotFound',
    test: /manifest unknown|manifest for \S+ not found|repository does not exist|no such image|not found: manifest|name unknown/i,
    cause: 'Image not found',
    hint: 'check the image name and tag in devcontainer.json',
  },
  {
    kind: 'rateLimited',
    test: /toomanyrequests|rate limit/i,
    cause: 'The registry refused: too many requests',
    hint: 'wait a while, or log in to the registry for a higher limit',
  },
  {
    kind: 'authRequired',
    test: /unauthorized|authentication required|no basic auth credentials|access.*denied|denied: requested access/i,
    cause: 'The registry requires sign-in',
    hint: 'log in to the registry (docker login), then retry',
  },
  {
    kind: 'engineUnreachable',
    test: /cannot connect to the docker daemon|docker\.sock|is the docker daemon running|EngineUnreachable/i,
    cause: 'The Docker engine cannot be reached',
    hint: 'start Docker (or check DOCKER_HOST), then retry',
  },
  {
    kind: 'registryUnreachable',
    test: /no such host|dial tcp|connection refused|i\/o timeout|tls handshake timeout|network is unreachable|client\.timeout|server misbehaving|EAI_AGAIN|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|context deadline exceeded|x509:/i,
    cause: 'The registry cannot be reached',
    hint: 'check the network, a proxy or the registry address, then retry',
  },
  {
    kind: 'dockerfileNotFound',
    test: /cannot locate specified dockerfile|dockerfile.*(no such file|not found)/i,
    cause: 'Dockerfile not found',
    hint: 'check build.dockerfile and build.context in devcontainer.json',
  },
  {
    kind: 'buildStepFailed',
    test: /returned a non-zero code|executor failed running|failed to solve/i,
    cause: 'A build step failed',
    hint: 'the log shows the failing step and its output',
  },
  {
    kind: 'portInUse',
    test: /port is already allocated|address already in use/i,
    cause: 'A port is already in use on this machine',
    hint: 'stop what uses it, or change appPort/runArgs',
  },
  {
    kind: 'containerStartFailed',
    test: /oci runtime|exec format error|starting container process/i,
    cause: 'The container could not start',
    hint: 'the log shows the engine’s reason',
  },
];

/** The human cause of a raw engine or registry error, or undefined when it is not one this knows. */
export function humanCause(raw: string): HumanCause | undefined {
  for (const r of RULES) if (r.test.test(raw)) return { kind: r.kind, cause: r.cause, hint: r.hint };
  return undefined;
}
