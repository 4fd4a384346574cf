import { ClientIdentity } from 'fabric-shim';
import type { WorldStateStub } from './stub';

/**
 * The engine's `ctx.clientIdentity`, parsed once per certificate.
 *
 * fabric-shim's `ClientIdentity` constructor parses the creator's X.509
 * certificate (and formats two debug log lines through winston) on every
 * call: about 8% of the CPU of a write through the REST gateway on the
 * embedded ledger (docs/BENCHMARKS.md). What it derives (the id from the
 * subject and issuer DNs, the attributes extension) depends on the
 * certificate bytes alone, so the engine keeps it per (MSP, certificate) and
 * builds each transaction's identity on fabric-shim's own prototype: the
 * same class, the same methods, the same answers as a fresh parse (a unit
 * test compares them). Deterministic: nothing but the certificate goes in.
 *
 * A real peer's chaincode server still parses per call: fabric-contract-api
 * constructs the identity itself before our code runs.
 */
const MAX_ENTRIES = 1024;

interface Parsed {
  readonly id: string;
  readonly attrs: Record<string, string> | undefined;
}

const parsed = new Map<string, Parsed>();

/** `ctx.clientIdentity` for a transaction of `creator` (the MSP and PEM its stub was built from). */
export function clientIdentityOf(stub: WorldStateStub, creator: { readonly mspId: string; readonly certificatePem: string }): ClientIdentity {
  const key = `${creator.mspId}\n${creator.certificatePem}`;
  let known = parsed.get(key);
  if (known === undefined) {
    const fresh = new ClientIdentity(stub) as unknown as Parsed;
    known = { id: fresh.id, attrs: fresh.attrs };
    // Oldest first out, so a long-lived engine holds a bounded set.
    if (parsed.size >= MAX_ENTRIES) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, known);
  }
  const { mspid, idBytes } = stub.getCreator();
  const identity = Object.create(ClientIdentity.prototype) as ClientIdentity & Record<string, unknown>;
  return Object.assign(identity, { stub, mspId: mspid, idBytes, id: known.id, attrs: known.attrs && { ...known.attrs } });
}
