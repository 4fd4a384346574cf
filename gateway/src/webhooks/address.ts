import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/*
 * Where a webhook may point. Loopback, private (RFC 1918, CGNAT), link-local
 * (cloud metadata at 169.254.169.254), unique-local IPv6, unspecified and
 * multicast addresses are refused unless SCF_WEBHOOK_ALLOW_PRIVATE=true: a
 * member must not make the gateway call into the network it runs in. The
 * check runs at registration on the URL's host and again at every attempt:
 * on the URL's host (a literal address, which Node connects to without a
 * lookup, so an endpoint registered while private addresses were allowed
 * gets nothing once they are not) and on the address a name resolves to
 * then (the connection uses that very address), so a name that later
 * resolves inward is refused too.
 */

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 included). */
function groupsOf(v6: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(v6);
  const text = dotted ? `${v6.slice(0, dotted.index)}${((Number(dotted[1]) << 8) | Number(dotted[2])).toString(16)}:${((Number(dotted[3]) << 8) | Number(dotted[4])).toString(16)}` : v6;
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The IPv4 address an IPv6 one carries and a connection may end up at:
 * IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, written
 * `::7f00:1` by URL), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:AABB:CCDD::`).
 */
function embeddedIPv4(v6: string): string | undefined {
  const g = groupsOf(v6);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return v4(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4(g[6] ?? 0, g[7] ?? 0);
  if (g[0] === 0x2002) return v4(g[1] ?? 0, g[2] ?? 0);
  return undefined;
}

/** Whether an IP address is loopback, private, link-local or otherwise not public (an IPv4 one inside an IPv6 one included). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIPv4(address);
    return blocked.check(address, 'ipv6') || (v4 !== undefined && blocked.check(v4, 'ipv4'));
  }
  return true;
}

export class AddressNotAllowed extends Error {
  override readonly name = 'AddressNotAllowed';
}

/** The URL's problem, or undefined when it may be registered (a literal address is checked; names are checked when resolved). */
export function urlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'the scheme must be https or http';
  if (url.username !== '' || url.password !== '') return 'credentials in the URL are not allowed (the signature authenticates the gateway)';
  if (url.hash !== '') return 'a fragment is not allowed';
  // `localhost.` is `localhost`: a name's trailing dot is the DNS root.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  if (allowPrivate) return undefined;
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is a loopback address (set SCF_WEBHOOK_ALLOW_PRIVATE=true to allow)`;
  if (isIP(host) !== 0 && isNonPublicAddress(host)) return `${host} is a loopback, private or link-local address (set SCF_WEBHOOK_ALLOW_PRIVATE=true to allow)`;
  return undefined;
}

/** A `lookup` for http.request that refuses non-public addresses unless allowed. */
export function guardedLookup(allowPrivate: boolean): typeof dnsLookup {
  const guarded = (hostname: string, options: unknown, callback: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (err: Error | null, address: string | LookupAddress[], family?: number) => void;
    const opts = (typeof options === 'function' ? {} : options) as { all?: boolean };
    dnsLookup(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return cb(err, '', 0);
      const list = addresses;
      const refused = allowPrivate ? undefined : list.find((a) => isNonPublicAddress(a.address));
      if (refused) return cb(new AddressNotAllowed(`${hostname} resolves to ${refused.address}, a non-public address`), '', 0);
      if (opts.all) return cb(null, list);
      const first = list[0];
      if (!first) return cb(new Error(`${hostname} has no address`), '', 0);
      return cb(null, first.address, first.family);
    });
  };
  return guarded as unknown as typeof dnsLookup;
}
