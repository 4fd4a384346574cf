import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, type Contract, EndorseError, type Gateway, hash, signers } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import type { FabricProfile } from '../../../gateway/src/ledger/fabric/profile';
import type { LedgerIdentity } from '../../../gateway/src/ledger/ledger';
import { type SubmitJson, transientBytes } from '../fixtures';
import type { OutcomeCode } from '../load';

/** Validation code number → name (11 → MVCC_READ_CONFLICT). */
const CODE_NAMES = new Map(Object.entries(peer.TxValidationCode).map(([name, code]) => [code as number, name]));

export interface RawOutcome {
  code: OutcomeCode;
  result?: string;
  /** Why the peers refused it (REJECTED): the endorsement error's details. */
  reason?: string;
}

/**
 * The benchmark's "raw client": @hyperledger/fabric-gateway straight to the
 * peer of each identity's org, as a team building on Fabric without us would
 * write it. No retries: an MVCC conflict is an outcome, an endorsement the
 * chaincode refuses is REJECTED. One gRPC connection per org, shared by all
 * of that org's identities (as a real application would pool them).
 */
export class RawClient {
  private readonly clients = new Map<string, grpc.Client>();
  private readonly gateways: Gateway[] = [];
  private readonly contracts = new Map<string, Contract>();

  private readonly extra = new Map<string, LedgerIdentity>();

  constructor(private readonly profile: FabricProfile) {}

  /** Signs as `identity` under `label` from now on, beside the profile's identities (an identity the bench issued itself). */
  addIdentity(label: string, identity: LedgerIdentity): void {
    if (this.extra.has(label) || this.profile.identities.some((i) => i.label === label)) throw new Error(`identity ${label} is already known`);
    this.extra.set(label, identity);
  }

  private client(mspId: string): grpc.Client {
    let c = this.clients.get(mspId);
    if (!c) {
      const p = this.profile.peers.get(mspId);
      if (!p) throw new Error(`no peer for ${mspId} in the profile`);
      c = new grpc.Client(p.endpoint, grpc.credentials.createSsl(p.tlsRootCert), { 'grpc.ssl_target_name_override': p.hostAlias ?? 'localhost' });
      this.clients.set(mspId, c);
    }
    return c;
  }

  /** The contract handle of `chaincode` as the profile identity `label`. */
  contract(label: string, chaincode: string): Contract {
    const key = `${label}\u0000${chaincode}`;
    let contract = this.contracts.get(key);
    if (!contract) {
      const identity = this.extra.get(label) ?? this.profile.identities.find((i) => i.label === label)?.identity;
      if (!identity) throw new Error(`no identity ${label} in the profile`);
      const gateway = connect({
        client: this.client(identity.mspId),
        identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificate) },
        signer: signers.newPrivateKeySigner(createPrivateKey(identity.privateKey)),
        hash: hash.sha256,
        evaluateOptions: () => ({ deadline: Date.now() + 30_000 }),
        endorseOptions: () => ({ deadline: Date.now() + 60_000 }),
        submitOptions: () => ({ deadline: Date.now() + 30_000 }),
        commitStatusOptions: () => ({ deadline: Date.now() + 120_000 }),
      });
      this.gateways.push(gateway);
      contract = gateway.getNetwork(this.profile.channel).getContract(chaincode);
      this.contracts.set(key, contract);
    }
    return contract;
  }

  /** Endorse, order and wait for the commit; the outcome, never a throw for a refused or invalid transaction. */
  async submit(label: string, chaincode: string, name: string, args: string[], transient?: Record<string, Uint8Array>): Promise<RawOutcome> {
    const contract = this.contract(label, chaincode);
    let submitted;
    try {
      submitted = await contract.submitAsync(name, { arguments: args, ...(transient ? { transientData: transient } : {}) });
    } catch (err) {
      if (err instanceof EndorseError) {
        const details = err.details.map((d) => d.message).join('; ');
        return { code: 'REJECTED', reason: details || err.message };
      }
      throw err;
    }
    const status = await submitted.getStatus();
    const code = status.successful ? 'VALID' : (CODE_NAMES.get(status.code) ?? `CODE_${status.code}`);
    return { code, result: status.successful ? Buffer.from(submitted.getResult()).toString('utf8') : undefined };
  }

  async evaluate(label: string, chaincode: string, name: string, args: string[]): Promise<string> {
    return Buffer.from(await this.contract(label, chaincode).evaluateTransaction(name, ...args)).toString('utf8');
  }

  close(): void {
    for (const g of this.gateways) g.close();
    for (const c of this.clients.values()) c.close();
  }
}

/** Set-up submits through the raw client as profile labels: the parsed result, or a throw naming what the peers said. */
export function setupSubmit(raw: RawClient, chaincode: string): SubmitJson<string> {
  return async (label, name, command, transient) => {
    const out = await raw.submit(label, chaincode, name, [JSON.stringify(command)], transient && transientBytes(transient));
    if (out.code !== 'VALID') throw new Error(`setup transaction ${name} as ${label} ended ${out.code}${out.reason ? `: ${out.reason}` : ''}`);
    return out.result ? (JSON.parse(out.result) as unknown) : undefined;
  };
}
