import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';

/** A whole HTTP response (Feature manifests and layers are small). */
export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

export interface HttpRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Refuse bodies larger than this (default 256 MiB). */
  maxBytes?: number;
}

/** The one thing the Feature fetchers need from the network; tests may give their own. */
export type HttpClient = (url: string, init?: HttpRequest) => Promise<HttpResponse>;

/** The request could not be made (DNS, refused, TLS, proxy, too large) or was aborted. */
export class HttpError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HttpError';
  }
}

const MAX_REDIRECTS = 5;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * A dispatcher that honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case) from `env` — undici's
 * EnvHttpProxyAgent, given the values explicitly so `env` alone decides.
 */
export function proxyDispatcher(env: Record<string, string | undefined>): Dispatcher {
  const httpProxy = env['http_proxy'] ?? env['HTTP_PROXY'] ?? '';
  return new EnvHttpProxyAgent({
    httpProxy,
    httpsProxy: env['https_proxy'] ?? env['HTTPS_PROXY'] ?? '',
    noProxy: env['no_proxy'] ?? env['NO_PROXY'] ?? '',
  });
}

function headerRecord(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readBody(body: Dispatcher.ResponseData['body'], limit: number, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      throw new HttpError(`${url}: the response is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * An HttpClient over undici with proxies from `env`. Redirects are followed (registries send layers to
 * a CDN); an Authorization header never follows a redirect to another origin.
 */
export function createHttpClient(env: Record<string, string | undefined>): HttpClient {
  const dispatcher = proxyDispatcher(env);
  return async (url, init = {}) => {
    let current = url;
    let headers = { ...init.headers };
    for (let hop = 0; ; hop++) {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(current, {
          method: init.method ?? 'GET',
          headers,
          body: init.body,
          signal: init.signal,
          dispatcher,
        });
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw new HttpError(`cannot reach ${new URL(current).origin}: ${reason}`, { cause: error });
      }
      const status = response.statusCode;
      const location = response.headers['location'];
      if (status >= 300 && status < 400 && typeof location === 'string' && hop < MAX_REDIRECTS) {
        await response.body.dump();
        const next = new URL(location, current);
        if (next.origin !== new URL(current).origin) {
          headers = Object.fromEntries(
            Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'),
          );
        }
        current = next.toString();
        continue;
      }
      const body = await readBody(response.body, init.maxBytes ?? DEFAULT_MAX_BYTES, current);
      return { status, headers: headerRecord(response.headers), body, url: current };
    }
  };
}
