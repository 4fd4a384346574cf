import { execFileSync } from 'node:child_process';
import { type Layout, ORDERER_SUBNET, type OrdererNode } from './layout';

/*
 * Network namespaces for the orderers, made and removed by the project itself
 * (the fault suite cuts one orderer off the network without stopping it):
 *
 *   host (root namespace)            hub namespace scf<base>-hub        orderer namespaces
 *   s<base>h  10.213.77.1/24  <-veth->  h0 ─┐
 *                                           br0 ── o1 <-veth-> eth0 10.213.77.11  (scf<base>-o1)
 *                                               ── o2 <-veth-> eth0 10.213.77.12  (scf<base>-o2)
 *                                               ── o3 <-veth-> eth0 10.213.77.13  (scf<base>-o3)
 *
 * The orderers' addresses exist only inside their namespaces; the host has
 * one address on its end of the hub link, and the bridge carries orderer to
 * orderer traffic (no forwarding, no route, nothing outside these links).
 * Cutting an orderer off is taking its eth0 down; healing, bringing it up.
 * Needs root (CAP_NET_ADMIN) and iproute2's `ip`. The subnet is fixed (the
 * orderers' certificates name these addresses), so one network at a time per
 * machine may run its orderers in namespaces; creating a second fails on the
 * host address already in use, before any orderer starts.
 */

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const hubName = (l: Layout) => `scf${l.base}-hub`;
const hostLink = (l: Layout) => `s${l.base}h`;

/** Whether this process may create network namespaces (root with iproute2); the reason when not. */
export function namespacesUsable(): true | string {
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  try {
    ip('netns', 'list');
    return true;
  } catch (err) {
    return `ip netns is not usable here: ${(err as Error).message.split('\n')[0]}`;
  }
}

function namespaces(): string[] {
  return ip('netns', 'list')
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** Creates the hub and one namespace per orderer of `l`, unless they exist. */
export function createOrdererNamespaces(l: Layout): void {
  const existing = new Set(namespaces());
  const hub = hubName(l);
  if (!existing.has(hub)) {
    ip('netns', 'add', hub);
    ip('-n', hub, 'link', 'set', 'lo', 'up');
    ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', hub, 'link', 'set', 'br0', 'up');
    ip('link', 'add', hostLink(l), 'type', 'veth', 'peer', 'name', 'h0', 'netns', hub);
    ip('-n', hub, 'link', 'set', 'h0', 'master', 'br0', 'up');
    ip('addr', 'add', `${ORDERER_SUBNET}.1/24`, 'dev', hostLink(l));
    ip('link', 'set', hostLink(l), 'up');
  }
  l.orderers.forEach((o, i) => {
    if (!o.netns || existing.has(o.netns)) return;
    const hubEnd = `o${i + 1}`;
    ip('netns', 'add', o.netns);
    ip('-n', o.netns, 'link', 'set', 'lo', 'up');
    ip('-n', hub, 'link', 'add', hubEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', o.netns);
    ip('-n', hub, 'link', 'set', hubEnd, 'master', 'br0', 'up');
    ip('-n', o.netns, 'addr', 'add', `${o.address}/24`, 'dev', 'eth0');
    ip('-n', o.netns, 'link', 'set', 'eth0', 'up');
  });
}

/** Removes the namespaces `createOrdererNamespaces` made for this base port (their links go with them). */
export function removeOrdererNamespaces(base: number): string[] {
  const mine = namespaces().filter((n) => n === `scf${base}-hub` || new RegExp(`^scf${base}-o\\d$`).test(n));
  for (const n of mine) ip('netns', 'delete', n);
  return mine;
}

/** Takes an orderer's only link down (cut off, still running) or up again. */
export function setOrdererLink(o: OrdererNode, state: 'up' | 'down'): void {
  if (!o.netns) throw new Error(`${o.name} does not run in a network namespace of its own`);
  ip('-n', o.netns, 'link', 'set', 'eth0', state);
}

/** The command line that runs `command` inside the orderer's namespace (or as it is). */
export function inOrdererNamespace(o: OrdererNode, command: string, args: string[]): { command: string; args: string[]; program: string } {
  return o.netns ? { command: 'ip', args: ['netns', 'exec', o.netns, command, ...args], program: command } : { command, args, program: command };
}
