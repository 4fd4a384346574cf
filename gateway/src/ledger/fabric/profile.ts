import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { BEARER_TOKEN, StaticTokenDirectory } from '../../credentials';
import type { LedgerIdentity } from '../ledger';

/**
 * The Fabric connection profile the gateway reads (`SCF_FABRIC_PROFILE`):
 * one peer per MSP and the identities the gateway signs with, each behind a
 * bearer token. Relative paths resolve against the profile's folder.
 *
 * {
 *   "channel": "scf", "chaincode": "scf",
 *   "peers": { "PlatformMSP": { "endpoint": "127.0.0.1:7051", "tlsCaCert": "tls/platform-ca.pem", "hostAlias": "peer0.platform.scf" } },
 *   "identities": [ { "label": "operator-admin", "token": "…", "mspId": "PlatformMSP", "certificate": "…/cert.pem", "privateKey": "…/key.pem" } ],
 *   "serviceIdentity": "operator-admin"
 * }
 */
const PeerSchema = z.object({
  endpoint: z.string().min(1),
  tlsCaCert: z.string().min(1),
  hostAlias: z.string().min(1).optional(),
});

const IdentitySchema = z.object({
  label: z.string().min(1),
  // A token the Authorization header cannot carry would load but never work.
  token: z.string().min(16).regex(BEARER_TOKEN, 'a token is A-Z a-z 0-9 . _ ~ + / -, optionally ending in ='),
  mspId: z.string().min(1),
  certificate: z.string().min(1),
  privateKey: z.string().min(1),
});

export const FabricProfileSchema = z.object({
  channel: z.string().min(1).default('scf'),
  chaincode: z.string().min(1).default('scf'),
  peers: z.record(z.string(), PeerSchema),
  // Duplicates are refused: with a repeated token the last entry would win,
  // so one token would act as another identity; labels name identities.
  identities: z
    .array(IdentitySchema)
    .min(1)
    .superRefine((ids, ctx) => {
      for (const field of ['token', 'label'] as const) {
        const seen = new Set<string>();
        ids.forEach((identity, index) => {
          if (seen.has(identity[field])) {
            ctx.addIssue({ code: 'custom', path: [index, field], message: `duplicate ${field} (identity ${identity.label})` });
          }
          seen.add(identity[field]);
        });
      }
    }),
  /** Label of the identity that reads events and transaction status; the first identity when absent. */
  serviceIdentity: z.string().optional(),
});

export interface FabricPeer {
  endpoint: string;
  tlsRootCert: Buffer;
  hostAlias: string | undefined;
}

export interface FabricProfile {
  channel: string;
  chaincode: string;
  peers: Map<string, FabricPeer>;
  directory: StaticTokenDirectory;
  identities: Array<{ label: string; token: string; identity: LedgerIdentity }>;
  serviceIdentity: LedgerIdentity;
}

export function loadFabricProfile(path: string): FabricProfile {
  const base = dirname(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `fabric profile ${path} (SCF_FABRIC_PROFILE) does not exist: start the network first (npm run network:up writes it)`
        : `fabric profile ${path} (SCF_FABRIC_PROFILE) cannot be read: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const raw = FabricProfileSchema.parse(JSON.parse(text));
  const read = (p: string) => readFileSync(resolve(base, p));
  const peers = new Map<string, FabricPeer>();
  for (const [mspId, peer] of Object.entries(raw.peers)) {
    peers.set(mspId, { endpoint: peer.endpoint, tlsRootCert: read(peer.tlsCaCert), hostAlias: peer.hostAlias });
  }
  const entries = raw.identities.map((i) => {
    if (!peers.has(i.mspId)) throw new Error(`fabric profile: identity ${i.label} names ${i.mspId}, which has no peer`);
    const identity: LedgerIdentity = {
      mspId: i.mspId,
      certificate: read(i.certificate).toString('utf8'),
      privateKey: read(i.privateKey).toString('utf8'),
    };
    return { token: i.token, label: i.label, principal: { label: i.label, identity } };
  });
  const service = raw.serviceIdentity === undefined ? entries[0] : entries.find((e) => e.label === raw.serviceIdentity);
  if (!service) throw new Error(`fabric profile: serviceIdentity ${raw.serviceIdentity} is not among the identities`);
  return {
    channel: raw.channel,
    chaincode: raw.chaincode,
    peers,
    directory: new StaticTokenDirectory(entries),
    identities: entries.map((e) => ({ label: e.label, token: e.token, identity: e.principal.identity })),
    serviceIdentity: service.principal.identity,
  };
}

/** What re-reading the profile changed: labels of identities added and removed. */
export interface ProfileReload {
  profile: FabricProfile;
  added: string[];
  removed: string[];
}

/**
 * Re-reads the profile for its identities (SIGHUP), so an org adds an
 * identity it enrolled with its own CA, or removes one, without a restart.
 * Only identities change this way: a profile whose channel, chaincode or
 * peers differ from the running one is refused (restart for those), as is
 * one that does not load; the running identities then stay in force.
 */
export function reloadFabricProfile(path: string, current: FabricProfile): ProfileReload {
  const next = loadFabricProfile(path);
  const peersOf = (p: FabricProfile) =>
    JSON.stringify([...p.peers].sort(([a], [b]) => a.localeCompare(b)).map(([msp, peer]) => [msp, peer.endpoint, peer.hostAlias ?? '', peer.tlsRootCert.toString('base64')]));
  if (next.channel !== current.channel || next.chaincode !== current.chaincode || peersOf(next) !== peersOf(current)) {
    throw new Error(`fabric profile ${path}: its channel, chaincode or peers changed; only identities are re-read on SIGHUP, restart the gateway for the rest`);
  }
  const before = new Set(current.identities.map((i) => i.label));
  const after = new Set(next.identities.map((i) => i.label));
  return {
    profile: next,
    added: [...after].filter((l) => !before.has(l)),
    removed: [...before].filter((l) => !after.has(l)),
  };
}
