import { createPrivateKey } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { connect, type Gateway, hash, signers } from '@hyperledger/fabric-gateway';
import { gateway as gatewayProtos } from '@hyperledger/fabric-protos';
import type { EmulatedNetwork, EmulatedPeer } from '../support/fabric-emulator';

/** Test helpers that talk to the emulator with the real fabric-gateway client (no connector in between). */

export function grpcClientFor(peer: EmulatedPeer): grpc.Client {
  return new grpc.Client(
    peer.endpoint,
    grpc.credentials.createSsl(Buffer.from(peer.tlsCaCertPem)),
    peer.hostAlias ? { 'grpc.ssl_target_name_override': peer.hostAlias } : {},
  );
}

/** The raw generated Gateway client (for requests fabric-gateway never builds, e.g. a NEWEST start position). */
export function rawGatewayClient(peer: EmulatedPeer): gatewayProtos.GatewayClient {
  return new gatewayProtos.GatewayClient(
    peer.endpoint,
    grpc.credentials.createSsl(Buffer.from(peer.tlsCaCertPem)),
    peer.hostAlias ? { 'grpc.ssl_target_name_override': peer.hostAlias } : {},
  );
}

export interface ClientGateway {
  gateway: Gateway;
  close(): void;
}

/**
 * A fabric-gateway Gateway for one of the network's identities, connected to
 * its organisation's peer. `signingKeyPem` replaces the identity's own key
 * (to produce signatures that do not match the certificate).
 */
export function gatewayAs(network: EmulatedNetwork, label: string, signingKeyPem?: string): ClientGateway {
  const identity = network.identities.get(label);
  if (!identity) throw new Error(`no identity ${label} in the emulated network`);
  const client = grpcClientFor(network.emulator.peer(identity.mspId));
  const gw = connect({
    client,
    identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificatePem) },
    signer: signers.newPrivateKeySigner(createPrivateKey(signingKeyPem ?? identity.privateKeyPem)),
    hash: hash.sha256,
  });
  return {
    gateway: gw,
    close: () => {
      gw.close();
      client.close();
    },
  };
}

export { rejectionOf } from '../support/rejection';
