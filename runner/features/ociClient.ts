import { createHash } from 'node:crypto';
import type { FoundCredential } from './credentials';
import type { OciFeatureRef } from './featureRef';
import { HttpError, type HttpClient, type HttpResponse } from './http';

export const FEATURE_CONFIG_MEDIA_TYPE = 'application/vnd.devcontainers';
export const FEATURE_LAYER_MEDIA_TYPE = 'application/vnd.devcontainers.layer.v1+tar';
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const METADATA_ANNOTATION = 'dev.containers.metadata';

export interface OciDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface OciManifest {
  schemaVersion: number;
  mediaType?: string;
  config: OciDescriptor;
  layers: OciDescriptor[];
  annotations?: Record<string, string>;
}

export interface FetchedManifest {
  /** `sha256:…` of the manifest's bytes. */
  digest: string;
  manifest: OciManifest;
  body: Buffer;
}

/** Feature artifacts from OCI registries (the Features distribution spec). */
export interface OciClient {
  /** The manifest under a tag or digest; a digest is verified against the bytes received. */
  manifest(ref: OciFeatureRef, reference: string, signal?: AbortSignal): Promise<FetchedManifest>;
  /** A blob, verified against its digest. */
  blob(ref: OciFeatureRef, digest: string, signal?: AbortSignal): Promise<Buffer>;
}

/** A registry said no, or answered something that is not a Feature. */
export class OciError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'OciError';
  }
}

export function sha256Digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export type Challenge = { scheme: string; params: Record<string, string> };

/** `Bearer realm="https://…",service="…",scope="…"` → scheme and parameters. */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*(\S+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of (match[2] ?? '').matchAll(pattern)) {
    params[(m[1] ?? '').toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: (match[1] ?? '').toLowerCase(), params };
}

function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

export type OciClientOptions = {
  http: HttpClient;
  /** Credentials for a registry host[:port]; undefined means anonymous. */
  credentials: (registry: string) => Promise<FoundCredential | undefined>;
  userAgent?: string;
};

function baseUrl(ref: OciFeatureRef): string {
  return `${ref.scheme}://${ref.registry}/v2/${ref.path}`;
}

function hint(ref: OciFeatureRef): string {
  return ref.scheme === 'https'
    ? ' (registries other than localhost are reached over https; a plain-http registry on this machine must be named localhost:PORT)'
    : '';
}

/** The HTTP client for Feature registries: anonymous, basic and bearer-token authentication. */
export function createOciClient(options: OciClientOptions): OciClient {
  const userAgent = options.userAgent ?? 'devrig';
  // Per registry: the Authorization header that worked last (as the reference caches it).
  const authorizations = new Map<string, string>();

  async function token(
    ref: OciFeatureRef,
    challenge: Challenge,
    credential: FoundCredential | undefined,
    signal?: AbortSignal,
  ): Promise<string> {
    const realm = new URL(challenge.params['realm'] ?? '');
    // Credentials go to the token service only over https, or to one on this machine.
    const trusted = realm.protocol === 'https:' || isLoopback(realm);
    const service = challenge.params['service'] ?? '';
    const scope = challenge.params['scope'] ?? `repository:${ref.path}:pull`;
    const get = (authorization?: string): Promise<HttpResponse> => {
      const url = new URL(realm);
      url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> = { 'user-agent': userAgent };
      if (authorization) headers['authorization'] = authorization;
      return options.http(url.toString(), { headers, signal });
    };
    let response: HttpResponse;
    if (trusted && credential?.refreshToken) {
      const form = new URLSearchParams({
        client_id: 'devrig',
        grant_type: 'refresh_token',
        service,
        scope,
        refresh_token: credential.refreshToken,
      });
      response = await options.http(realm.toString(), {
        method: 'POST',
        headers: { 'user-agent': userAgent, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal,
      });
    } else {
      response = await get(trusted && credential?.basic ? `Basic ${credential.basic}` : undefined);
    }
    // Stale credentials: the reference then asks anonymously, which public Features allow.
    if ((response.status === 401 || response.status === 403) && credential) response = await get();
    if (response.status > 299) {
      throw new OciError(
        `${ref.registry}: the token service ${realm.origin} refused a token for ${scope} (HTTP ${response.status})`,
        response.status,
      );
    }
    const parsed = JSON.parse(response.body.toString('utf8')) as { token?: string; access_token?: string };
    const value = parsed.token ?? parsed.access_token;
    if (!value) throw new OciError(`${ref.registry}: the token service ${realm.origin} sent no token`);
    return value;
  }

  async function send(
    ref: OciFeatureRef,
    url: string,
    accept: string,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': userAgent, accept };
    const cached = authorizations.get(ref.registry);
    if (cached) headers['authorization'] = cached;
    let response: HttpResponse;
    try {
      response = await options.http(url, { headers, signal });
      if (response.status !== 401 && response.status !== 403) return response;
      const challenge = parseChallenge(response.headers['www-authenticate'] ?? '');
      const credential = await options.credentials(ref.registry);
      if (challenge?.scheme === 'basic') {
        if (!credential?.basic) {
          throw new OciError(
            `${ref.registry} needs a user name and password and none were found (docker login ${ref.registry}, or DEVCONTAINERS_OCI_AUTH)`,
            response.status,
          );
        }
        headers['authorization'] = `Basic ${credential.basic}`;
      } else if (challenge?.scheme === 'bearer' && challenge.params['realm']) {
        headers['authorization'] = `Bearer ${await token(ref, challenge, credential, signal)}`;
      } else {
        throw new OciError(
          `${ref.registry} refused the request (HTTP ${response.status}) without a usable challenge`,
        );
      }
      response = await options.http(url, { headers, signal });
      if (response.status === 401 || response.status === 403) {
        const who = credential
          ? `the credentials from ${credential.from} were refused`
          : 'no credentials were found';
        throw new OciError(
          `${ref.registry}: access to ${ref.path} denied (HTTP ${response.status}): ${who}`,
          response.status,
        );
      }
      authorizations.set(ref.registry, headers['authorization']);
      return response;
    } catch (error) {
      if (error instanceof HttpError)
        throw new OciError(`${error.message}${hint(ref)}`, undefined, { cause: error });
      throw error;
    }
  }

  return {
    async manifest(ref, reference, signal) {
      const url = `${baseUrl(ref)}/manifests/${reference}`;
      const response = await send(ref, url, OCI_MANIFEST_MEDIA_TYPE, signal);
      const what = `${ref.registry}/${ref.path}${reference.includes(':') ? '@' : ':'}${reference}`;
      if (response.status === 404) throw new OciError(`${what} was not found in the registry`, 404);
      if (response.status > 299)
        throw new OciError(`${what}: the registry answered HTTP ${response.status}`, response.status);
      const digest = sha256Digest(response.body);
      if (reference.startsWith('sha256:') && digest !== reference) {
        throw new OciError(`${what}: the registry sent a manifest whose digest is ${digest}`);
      }
      let manifest: OciManifest;
      try {
        manifest = JSON.parse(response.body.toString('utf8')) as OciManifest;
      } catch (error) {
        throw new OciError(`${what}: the manifest is not JSON`, undefined, { cause: error });
      }
      if (manifest.config?.mediaType !== FEATURE_CONFIG_MEDIA_TYPE || !Array.isArray(manifest.layers)) {
        throw new OciError(
          `${what} is not a Dev Container Feature (its config media type is ${manifest.config?.mediaType ?? 'missing'}, not ${FEATURE_CONFIG_MEDIA_TYPE})`,
        );
      }
      return { digest, manifest, body: response.body };
    },
    async blob(ref, digest, signal) {
      const url = `${baseUrl(ref)}/blobs/${digest}`;
      const response = await send(ref, url, '*/*', signal);
      const what = `${ref.registry}/${ref.path}@${digest}`;
      if (response.status > 299)
        throw new OciError(`${what}: the registry answered HTTP ${response.status}`, response.status);
      const actual = sha256Digest(response.body);
      if (actual !== digest) throw new OciError(`${what}: the layer received has the digest ${actual}`);
      return response.body;
    },
  };
}
