import { BlockList, isIP } from 'node:net';

/** Where a listener binds: an IP literal (no brackets) and a port (0 picks a free one). */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Parses `host:port` or `[v6]:port`; `localhost` means 127.0.0.1. Returns an error text if bad. */
export function parseListenAddress(text: string): ListenAddress | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return 'expected host:port, e.g. 127.0.0.1:9911 or [::1]:9911';
  const rawHost = match[1] ?? match[2] ?? '';
  const host = rawHost === 'localhost' ? '127.0.0.1' : rawHost;
  const port = Number(match[3]);
  if (isIP(host) === 0) return `"${rawHost}" is not an IP address (or localhost)`;
  if (match[1] !== undefined && isIP(host) !== 6) return 'only IPv6 addresses go in brackets';
  if (port > 65535) return 'port must be 0-65535';
  return { host, port };
}

export function isLoopback(host: string): boolean {
  const family = isIP(host);
  if (family === 0) return false;
  return loopback.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** `host:port` as it appears in a URL or a Host header (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
