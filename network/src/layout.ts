import { join, resolve } from 'node:path';
import { DEMO_IDENTITIES, DEMO_MSPS, type DemoMsp } from '../../gateway/src/demo/plan';

/**
 * The reference network's shape: which nodes a profile runs, where each
 * listens, and where its files live. Everything listens on 127.0.0.1; every
 * port comes from one table offset from a base (SCF_NETWORK_PORT_BASE), so two
 * networks whose bases are at least PORT_SPAN apart never collide.
 *
 *   orderer<n> (n = 1..4)   base + 10(n-1)      admin +1, operations +2
 *   peer of PlatformMSP     base + 100          chaincode +1, operations +2
 *   peer of CoreMSP         base + 110          likewise
 *   peer of BankMSP         base + 120          likewise
 *   chaincode server `scf`  base + 200
 *   second chaincode        base + 201          (trivial contract, benchmarks)
 *   REST gateway            base + 202          (the fault suite runs one)
 */
export const PORT_SPAN = 210;
export const DEFAULT_PORT_BASE = 7050;

export const PROFILES = ['raft1', 'raft3', 'bft4'] as const;
export type ProfileName = (typeof PROFILES)[number];
const ORDERER_COUNT: Record<ProfileName, number> = { raft1: 1, raft3: 3, bft4: 4 };

export const CHANNEL = 'scf';
export const CHAINCODE = 'scf';

export interface OrdererNode {
  kind: 'orderer';
  name: string; // orderer1
  host: string; // orderer1.orderer.scf
  /** The address it listens on and is reached at: 127.0.0.1, or its own inside a network namespace. */
  address: string;
  /** The network namespace it runs in (ordererNamespaces layouts only). */
  netns?: string;
  port: number;
  adminPort: number;
  operationsPort: number;
}

export interface PeerNode {
  kind: 'peer';
  name: string; // peer0.platform
  mspId: DemoMsp;
  domain: string; // platform.scf
  host: string; // peer0.platform.scf
  port: number;
  chaincodePort: number;
  operationsPort: number;
}

export interface Layout {
  profile: ProfileName;
  base: number;
  /** The run folder: crypto, config, each node's data, log and pid. */
  runDir: string;
  orderers: OrdererNode[];
  peers: PeerNode[];
  chaincodePort: number;
  trivialChaincodePort: number;
  /** Where the fault suite (test/fabric/faults.ts) runs its REST gateway. */
  gatewayPort: number;
  /** Whether the orderers run in network namespaces of their own (see ORDERER_SUBNET). */
  ordererNamespaces: boolean;
  /**
   * Whether the peers offer chaincode write batches and multi-key reads
   * (core.yaml's chaincode.runtimeParams, Fabric 3.1). On unless turned off
   * to measure without them (SCF_PEER_BATCHING=off).
   */
  peerBatching: boolean;
}

const DOMAINS: Record<DemoMsp, string> = { PlatformMSP: 'platform.scf', CoreMSP: 'core.scf', BankMSP: 'bank.scf' };

/**
 * Orderers in network namespaces (the fault suite's "cut one orderer off"):
 * each orderer runs in a namespace of its own, on an address that exists only
 * there, all joined by a bridge in a hub namespace; the host reaches them over
 * one veth link (ORDERER_SUBNET.1). Certificates carry these addresses as SANs
 * (test-network-config/crypto-config.yaml).
 */
export const ORDERER_SUBNET = '10.213.77';
export const ordererAddress = (n: number): string => `${ORDERER_SUBNET}.${10 + n}`;

/**
 * The part of the kernel's range for the local ports of outgoing connections
 * (net.ipv4.ip_local_port_range, read as "32768\t60999") that the ports from
 * `base` overlap, or undefined. A port there that a node frees can be given
 * to a client's connection, and the node cannot listen on it again until
 * that connection has closed and left TIME-WAIT (up to a minute): `up`
 * restarting a stopped node then fails with "address already in use".
 */
export function ephemeralOverlap(base: number, rangeText: string | undefined): { low: number; high: number } | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(rangeText ?? '');
  if (!m) return undefined;
  const low = Number(m[1]);
  const high = Number(m[2]);
  return base <= high && base + PORT_SPAN - 1 >= low ? { low, high } : undefined;
}

export interface LayoutOptions {
  ordererNamespaces?: boolean;
  peerBatching?: boolean;
}

export function layoutOf(profile: ProfileName, base: number, runDir: string, options: LayoutOptions = {}): Layout {
  if (!Number.isInteger(base) || base < 1024 || base + PORT_SPAN > 65535) {
    throw new Error(`SCF_NETWORK_PORT_BASE must be a whole number from 1024 to ${65535 - PORT_SPAN} (got ${base})`);
  }
  const orderers: OrdererNode[] = [];
  for (let n = 1; n <= ORDERER_COUNT[profile]; n++) {
    const port = base + 10 * (n - 1);
    const placement = options.ordererNamespaces ? { address: ordererAddress(n), netns: `scf${base}-o${n}` } : { address: '127.0.0.1' };
    orderers.push({ kind: 'orderer', name: `orderer${n}`, host: `orderer${n}.orderer.scf`, ...placement, port, adminPort: port + 1, operationsPort: port + 2 });
  }
  const peers: PeerNode[] = DEMO_MSPS.map((mspId, i) => {
    const port = base + 100 + 10 * i;
    const domain = DOMAINS[mspId];
    return { kind: 'peer', name: `peer0.${domain.split('.')[0]}`, mspId, domain, host: `peer0.${domain}`, port, chaincodePort: port + 1, operationsPort: port + 2 };
  });
  return { profile, base, runDir: resolve(runDir), orderers, peers, chaincodePort: base + 200, trivialChaincodePort: base + 201, gatewayPort: base + 202, ordererNamespaces: options.ordererNamespaces === true, peerBatching: options.peerBatching !== false };
}

/** Placeholders of test-network-config/configtx.yaml. */
export function configtxValues(layout: Layout): Record<string, string> {
  const values: Record<string, string> = {};
  // Every placeholder gets a value, also for orderers the profile does not run
  // (configtxgen reads every profile of the file).
  for (let n = 1; n <= 4; n++) {
    values[`ORDERER${n}_PORT`] = String(layout.base + 10 * (n - 1));
    values[`ORDERER${n}_HOST`] = layout.ordererNamespaces ? ordererAddress(n) : '127.0.0.1';
  }
  for (const p of layout.peers) values[`${p.mspId.replace('MSP', '').toUpperCase()}_PEER_PORT`] = String(p.port);
  return values;
}

// ---- crypto material paths (cryptogen's layout) ----

export const cryptoDir = (l: Layout): string => join(l.runDir, 'crypto');
export const ordererOrgDir = (l: Layout): string => join(cryptoDir(l), 'ordererOrganizations', 'orderer.scf');
export const ordererDir = (l: Layout, o: OrdererNode): string => join(ordererOrgDir(l), 'orderers', o.host);
export const ordererTlsCa = (l: Layout): string => join(ordererOrgDir(l), 'tlsca', 'tlsca.orderer.scf-cert.pem');
export const peerOrgDir = (l: Layout, mspId: DemoMsp): string => join(cryptoDir(l), 'peerOrganizations', DOMAINS[mspId]);
export const peerDir = (l: Layout, p: PeerNode): string => join(peerOrgDir(l, p.mspId), 'peers', p.host);
export const peerTlsCa = (l: Layout, mspId: DemoMsp): string => join(peerOrgDir(l, mspId), 'tlsca', `tlsca.${DOMAINS[mspId]}-cert.pem`);
export const orgAdminMsp = (l: Layout, mspId: DemoMsp): string => join(peerOrgDir(l, mspId), 'users', `Admin@${DOMAINS[mspId]}`, 'msp');
export const nodeDir = (l: Layout, name: string): string => join(l.runDir, 'nodes', name);

/**
 * The demo identities' enrolments: the k-th identity of an org in the demo
 * plan is cryptogen's User<k> of that org (test-network-config/crypto-config.yaml
 * creates exactly that many users).
 */
export interface DemoEnrolment {
  label: string;
  mspId: DemoMsp;
  certificate: string;
  privateKey: string;
}

export function demoEnrolments(l: Layout): DemoEnrolment[] {
  const seen = new Map<DemoMsp, number>();
  return DEMO_IDENTITIES.map((d) => {
    const k = (seen.get(d.mspId) ?? 0) + 1;
    seen.set(d.mspId, k);
    const user = `User${k}@${DOMAINS[d.mspId]}`;
    const msp = join(peerOrgDir(l, d.mspId), 'users', user, 'msp');
    return { label: d.label, mspId: d.mspId, certificate: join(msp, 'signcerts', `${user}-cert.pem`), privateKey: join(msp, 'keystore', 'priv_sk') };
  });
}

/** How many users each org needs (checked against crypto-config.yaml by a test). */
export function usersPerOrg(): Record<DemoMsp, number> {
  const counts = { PlatformMSP: 0, CoreMSP: 0, BankMSP: 0 };
  for (const d of DEMO_IDENTITIES) counts[d.mspId]++;
  return counts;
}
