// `user@host:port` → a Host resource for "Add SSH Host". Pure.

import type { HostApply } from '../api/host';
import { NAME_PATTERN } from '../api/names';

export interface HostAddress {
  user: string;
  address: string;
  port: number;
}

/** Parses `user@host`, `user@host:2222` or `user@[::1]:2222`; an error message otherwise. */
export function parseHostAddress(text: string): HostAddress | { error: string } {
  const m = /^([A-Za-z0-9._][A-Za-z0-9._-]*)@(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(
    text.trim(),
  );
  if (!m) return { error: 'Enter user@host or user@host:port' };
  const port = m[3] ? Number(m[3]) : 22;
  if (port < 1 || port > 65535) return { error: 'The port must be 1-65535' };
  const address = m[2]!.replace(/^\[|\]$/g, '');
  return { user: m[1]!, address, port };
}

/** A resource name from the address: `build-box.example.com` → `build-box-example-com`. */
export function hostName(a: HostAddress, taken: ReadonlySet<string>): string {
  const base =
    a.address
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 34)
      .replace(/-+$/, '') || 'host';
  const free = (n: string) => NAME_PATTERN.test(n) && !taken.has(n) && n !== 'local';
  for (const n of [base, ...(a.port !== 22 ? [`${base}-${a.port}`] : [])]) if (free(n)) return n;
  for (let i = 2; ; i++) if (free(`${base}-${i}`)) return `${base}-${i}`;
}

export function hostResource(name: string, a: HostAddress): HostApply {
  return { kind: 'Host', metadata: { name }, spec: { address: a.address, port: a.port, user: a.user } };
}
