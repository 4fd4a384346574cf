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
    const actions = chaincodeActions(preparedTransaction);
    if (actions === undefined) return false;
    const setsEvent = actions.some((a) => {
      const events = a.getEvents_asU8();
      return events.length > 0 && peer.ChaincodeEvent.deserializeBinary(events).getEventName() !== '';
    });
    // The first written key is enough to know.
    return !setsEvent && writtenKeys(actions).next().done === true;
  } catch {
    return false;
  }
}

/** The chaincode actions of an endorsed transaction; undefined when it has none or one cannot be read. */
function chaincodeActions(preparedTransaction: Uint8Array): peer.ChaincodeAction[] | undefined {
  const envelope = gateway.PreparedTransaction.deserializeBinary(preparedTransaction).getEnvelope();
  if (!envelope) return undefined;
  const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
  const actions = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList();
  if (actions.length === 0) return undefined;
  const out: peer.ChaincodeAction[] = [];
  for (const action of actions) {
    const endorsed = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()).getAction();
    if (!endorsed) return undefined;
    const response = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
    out.push(peer.ChaincodeAction.deserializeBinary(response.getExtension_asU8()));
  }
  return out;
}

/**
 * The keys an endorsed transaction writes or sets metadata on, each as
 * `<namespace> NUL <key>` (a private write: `<namespace> NUL <collection> NUL
 * <key hash, hex>`), for the conflict lanes' hot keys (conflict-lane.ts).
 * Undefined when the transaction cannot be read.
 */
export function endorsementWriteKeys(preparedTransaction: Uint8Array): string[] | undefined {
  try {
    const actions = chaincodeActions(preparedTransaction);
    return actions === undefined ? undefined : [...writtenKeys(actions)];
  } catch {
    return undefined;
  }
}

/** Every key the actions write or set metadata on, in the form endorsementWriteKeys documents, parsed as they are asked for. */
function* writtenKeys(actions: readonly peer.ChaincodeAction[]): Generator<string> {
  for (const chaincodeAction of actions) {
    for (const ns of rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8()).getNsRwsetList()) {
      const namespace = ns.getNamespace();
      const kv = rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
      for (const w of kv.getWritesList()) yield `${namespace}\u0000${w.getKey()}`;
      for (const m of kv.getMetadataWritesList()) yield `${namespace}\u0000${m.getKey()}`;
      for (const collection of ns.getCollectionHashedRwsetList()) {
        const prefix = `${namespace}\u0000${collection.getCollectionName()}\u0000`;
        const hashed = rwset.kvrwset.HashedRWSet.deserializeBinary(collection.getHashedRwset_asU8());
        for (const w of hashed.getHashedWritesList()) yield prefix + Buffer.from(w.getKeyHash_asU8()).toString('hex');
        for (const m of hashed.getMetadataWritesList()) yield prefix + Buffer.from(m.getKeyHash_asU8()).toString('hex');
      }
    }
  }
}
