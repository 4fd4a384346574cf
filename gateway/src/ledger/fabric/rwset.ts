import { common, gateway, ledger, peer } from '@hyperledger/fabric-protos';

const { rwset } = ledger;

/**
 * True when an endorsed transaction (fabric-gateway's PreparedTransaction
 * bytes) writes no key in any namespace or collection and sets no event:
 * committing it would change nothing. The connector then answers from the
 * endorsement instead of ordering it, so an idempotent replay (the chaincode
 * returns the stored first result and writes nothing) adds no transaction,
 * on Fabric as on the embedded ledger. Anything unreadable counts as a write.
 */
export function endorsementWritesNothing(preparedTransaction: Uint8Array): boolean {
  try {
    const envelope = gateway.PreparedTransaction.deserializeBinary(preparedTransaction).getEnvelope();
    if (!envelope) return false;
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const actions = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList();
    if (actions.length === 0) return false;
    for (const action of actions) {
      const endorsed = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()).getAction();
      if (!endorsed) return false;
      const response = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
      const chaincodeAction = peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8());
      const events = chaincodeAction.getEvents_asU8();
      if (events.length > 0 && peer.ChaincodeEvent.deserializeBinary(events).getEventName() !== '') return false;
      for (const ns of rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8()).getNsRwsetList()) {
        const kv = rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
        if (kv.getWritesList().length > 0 || kv.getMetadataWritesList().length > 0) return false;
        for (const collection of ns.getCollectionHashedRwsetList()) {
          const hashed = rwset.kvrwset.HashedRWSet.deserializeBinary(collection.getHashedRwset_asU8());
          if (hashed.getHashedWritesList().length > 0 || hashed.getMetadataWritesList().length > 0) return false;
        }
      }
    }
    return true;
  } catch {
    return false;
  }
}
