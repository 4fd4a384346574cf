import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCa, makeIdentity, type TestIdentity } from '../certs';
import { FabricGatewayEmulator, type FabricGatewayEmulatorOptions } from './emulator';

export { FabricGatewayEmulator } from './emulator';
export type { EmulatedPeer, EmulatedPeerOptions, EmulatorFaults, FabricGatewayEmulatorOptions, Refusal } from './emulator';

/** An identity to put in the profile: a fresh certificate `CN=<label>` from the MSP's test CA. */
export interface ProfileIdentity {
  label: string;
  mspId: string;
}

export interface EmulatedNetwork {
  emulator: FabricGatewayEmulator;
  /** The Fabric connection profile (gateway/src/ledger/fabric/profile.ts format) for the emulator. */
  profilePath: string;
  /** Label → bearer token written in the profile. */
  tokens: Map<string, string>;
  /** Label → the certificate and key written in the profile. */
  identities: Map<string, TestIdentity>;
  /** Stops the emulator and removes the profile folder. */
  close(): Promise<void>;
}

export interface EmulatedNetworkOptions extends Omit<FabricGatewayEmulatorOptions, 'peers' | 'msps'> {
  identities: readonly ProfileIdentity[];
  /** MSP id → TLS host alias; an MSP not named here gets a peer reached by its IP address. */
  hostAliases?: Readonly<Record<string, string>>;
  serviceIdentity?: string;
}

/**
 * Starts an emulator with one peer per MSP of `identities` (the channel's
 * MSPs are those MSPs, with the test CAs of test/support/certs.ts) and writes
 * a connection profile with a certificate, key and token per identity.
 */
export async function startEmulatedNetwork(options: EmulatedNetworkOptions): Promise<EmulatedNetwork> {
  const mspIds = [...new Set(options.identities.map((i) => i.mspId))];
  const msps: Record<string, string[]> = {};
  for (const mspId of mspIds) msps[mspId] = [(await getCa(mspId)).certificate.toString('pem')];
  const emulator = await FabricGatewayEmulator.start({
    ...options,
    peers: mspIds.map((mspId) => ({ mspId, hostAlias: options.hostAliases?.[mspId] })),
    msps,
  });
  const dir = await mkdtemp(join(tmpdir(), 'scf-fabric-emulated-'));
  const close = async () => {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await mkdir(join(dir, 'tls'));
    const peers: Record<string, { endpoint: string; tlsCaCert: string; hostAlias?: string }> = {};
    for (const p of emulator.peers) {
      const tlsCaCert = `tls/${p.mspId}-ca.pem`;
      await writeFile(join(dir, tlsCaCert), p.tlsCaCertPem);
      peers[p.mspId] = { endpoint: p.endpoint, tlsCaCert, ...(p.hostAlias ? { hostAlias: p.hostAlias } : {}) };
    }
    const tokens = new Map<string, string>();
    const made = new Map<string, TestIdentity>();
    const identities = [];
    for (const i of options.identities) {
      const identity = await makeIdentity(i.mspId, i.label);
      made.set(i.label, identity);
      const folder = join(dir, 'users', i.label);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'cert.pem'), identity.certificatePem);
      await writeFile(join(folder, 'key.pem'), identity.privateKeyPem, { mode: 0o600 });
      const token = randomBytes(24).toString('hex');
      tokens.set(i.label, token);
      identities.push({ label: i.label, token, mspId: i.mspId, certificate: `users/${i.label}/cert.pem`, privateKey: `users/${i.label}/key.pem` });
    }
    const profile = {
      channel: emulator.channel,
      chaincode: emulator.chaincode,
      peers,
      identities,
      ...(options.serviceIdentity ? { serviceIdentity: options.serviceIdentity } : {}),
    };
    const profilePath = join(dir, 'profile.json');
    await writeFile(profilePath, JSON.stringify(profile, null, 2));
    return { emulator, profilePath, tokens, identities: made, close };
  } catch (err) {
    await close();
    throw err;
  }
}
