import * as grpc from '@grpc/grpc-js';
import { connect, type Gateway, hash, signers } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A peer, and an enrolment (certificate and key files) of its org to talk to it as. */
export interface PeerTarget {
  endpoint: string;
  tlsCaCertPath: string;
  mspId: string;
  certificatePath: string;
  privateKeyPath: string;
}

/** Runs `fn` with a Gateway connection to the peer, closed afterwards. */
export async function withPeer<T>(t: PeerTarget, fn: (gateway: Gateway) => Promise<T>): Promise<T> {
  // The certificates name localhost (and 127.0.0.1, which TLS cannot send as a server name).
  const client = new grpc.Client(t.endpoint, grpc.credentials.createSsl(readFileSync(t.tlsCaCertPath)), {
    'grpc.ssl_target_name_override': 'localhost',
  });
  const gateway = connect({
    client,
    identity: { mspId: t.mspId, credentials: readFileSync(t.certificatePath) },
    signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(t.privateKeyPath))),
    hash: hash.sha256,
  });
  try {
    return await fn(gateway);
  } finally {
    gateway.close();
    client.close();
  }
}

/** The peer's Gateway endorsing GetMetadata of `chaincode`, which succeeds without any ledger state. */
function endorseMetadata(gateway: Gateway, t: { channel: string; chaincode: string }) {
  return gateway
    .getNetwork(t.channel)
    .getContract(t.chaincode)
    .newProposal('org.hyperledger.fabric:GetMetadata')
    .endorse({ deadline: new Date(Date.now() + 5_000) });
}

/** A probe's failure as one line: the error and the peers' details, if any. */
function failureText(err: unknown): string {
  const e = err as Error & { details?: Array<{ message: string }> };
  const details = (e.details ?? []).map((d) => d.message).join('; ');
  return `${e.message}${details ? ` (${details})` : ''}`;
}

/**
 * Whether the network can endorse a transaction of `chaincode` now: asks the
 * peer's Gateway to endorse (never to submit) GetMetadata, which succeeds
 * without any ledger state. The Gateway endorses on its own peer first and
 * then needs a plan meeting the endorsement policy (MAJORITY of the orgs):
 * while gossip has not yet shown it enough peers it answers
 * FAILED_PRECONDITION "no combination of peers can be derived…". Health
 * endpoints answer long before that.
 */
export async function canEndorse(t: PeerTarget & { channel: string; chaincode: string }): Promise<true | string> {
  try {
    await withPeer(t, (gateway) => endorseMetadata(gateway, t));
    return true;
  } catch (err) {
    return failureText(err);
  }
}

/**
 * Whether a transaction of `chaincode` sent through this peer's Gateway is
 * ordered and seen committed by this peer now: submits GetMetadata (read
 * only: its transaction writes nothing and emits no chaincode event, but is
 * ordered into a block like any other). Proves what an endorsement plan does
 * not: the peer reaches an orderer to broadcast, and the orderer's blocks
 * reach the peer. After a node restarts, the others reconnect to it with
 * backoff, and until they have, a write fails or waits.
 */
export async function canCommit(t: PeerTarget & { channel: string; chaincode: string }): Promise<true | string> {
  try {
    const status = await withPeer(t, async (gateway) => {
      const submitted = await (await endorseMetadata(gateway, t)).submit({ deadline: new Date(Date.now() + 5_000) });
      return submitted.getStatus({ deadline: new Date(Date.now() + 5_000) });
    });
    return status.successful ? true : `committed invalid (${status.code})`;
  } catch (err) {
    return failureText(err);
  }
}
