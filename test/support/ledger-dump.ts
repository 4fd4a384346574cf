import type { WorldState } from '../../chaincode/src/worldstate';
import { marshalString } from '../../chaincode/src/ledger/codec';

/**
 * Everything a world state keeps, as text: every state key and value, every
 * historic value of each key, every block and every chaincode event. Tests
 * search it for what must never be written (the canonical fields of
 * documents, which travel in the transient map only).
 */
export async function worldStateDump(world: WorldState): Promise<string[]> {
  const out: string[] = [];
  const backend = world.backend;
  for (const entry of await backend.rangeScan('', '')) {
    out.push(entry.key, Buffer.from(entry.value).toString('utf8'));
    for (const h of await backend.getHistory(entry.key)) out.push(Buffer.from(h.value).toString('utf8'));
  }
  const height = await world.height();
  for (let n = 0; n < height; n++) out.push(marshalString(await world.getBlock(n)));
  for (const e of await world.eventsSince(0)) out.push(Buffer.from(e.payload).toString('utf8'));
  return out;
}
