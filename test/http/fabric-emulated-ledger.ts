import { DEMO_IDENTITIES } from '../../gateway/src/demo/plan';
import type { FabricLedger } from '../../gateway/src/ledger/fabric/fabric-ledger';
import { openFabricRuntime } from '../../gateway/src/runtime';
import { startEmulatedNetwork } from '../support/fabric-emulator';
import { worldStateDump } from '../support/ledger-dump';
import type { LedgerHarness } from './harness';

/**
 * The HTTP suite's ledger when SCF_TEST_LEDGER=fabric-emulated: the real
 * Fabric connector (fabric-gateway over gRPC/TLS, signed proposals and
 * envelopes, commit status, chaincode event streams, qscc) talking to the
 * Gateway-protocol emulator of test/support/fabric-emulator, which runs our
 * chaincode on the embedded world-state engine. Each gateway gets a fresh
 * emulated channel, as the embedded run gets a fresh data folder.
 *
 * Not run this way (see the `test:http:fabric-emulated` script):
 * test/http/durability.test.ts kills and restarts a gateway *process* on
 * the embedded ledger's data folder; it never uses this harness and is about
 * the embedded connector's durability, so it is left out of this run.
 */
export async function makeEmulatedFabricLedger(): Promise<LedgerHarness> {
  const network = await startEmulatedNetwork({
    identities: DEMO_IDENTITIES.map((d) => ({ label: d.label, mspId: d.mspId })),
    // One peer is reached through a TLS host alias, as in docs/API.md's profile.
    hostAliases: { PlatformMSP: 'peer0.platform.scf.local' },
    serviceIdentity: 'operator-admin',
    batchTimeoutMs: 2,
  });
  try {
    const runtime = await openFabricRuntime({ fabricProfile: network.profilePath, demo: true });
    const ledger = runtime.ledger as FabricLedger;
    return {
      runtime,
      height: () => ledger.height(),
      // The blocks as the peer serves them (Fabric envelopes: what was ordered), and the world state.
      dump: async () => [
        ...(await network.emulator.blocks()).map((b) => Buffer.from(b).toString('latin1')),
        ...(await worldStateDump(network.emulator.world)),
      ],
      close: async () => {
        await ledger.close();
        await network.close();
        if (network.emulator.internalErrors.length > 0) {
          throw new Error(`the Fabric emulator failed internally: ${network.emulator.internalErrors.map((e) => e.message).join('; ')}`);
        }
      },
    };
  } catch (err) {
    await network.close();
    throw err;
  }
}
