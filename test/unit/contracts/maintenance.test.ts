import { expect } from 'chai';
import type { ChaincodeStub } from 'fabric-shim-api';
import { IDS, rejects, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

/**
 * Index repair (maintenance:RecordKeys, maintenance:RepairIndexes): a ledger
 * an earlier chaincode wrote lacks the entries of indexes added since
 * (IDX_VCH_HELD came after ledgers existed). The test removes entries with a
 * direct write, as if the version that wrote those pieces never had them.
 */
describe('contracts: index repair after an upgrade (maintenance)', () => {
  let w: World;
  let pieceIds: string[];

  const heldKey = (stub: ChaincodeStub, holder: string, id: string) => stub.createCompositeKey('IDX_VCH_HELD', [holder, id]);
  const dropHeldEntries = (ids: readonly string[], holder: string) =>
    w.h.writeDirectly(w.as.operator, async (stub) => {
      for (const id of ids) await stub.deleteState(heldKey(stub, holder, id));
    });
  const heldByTier2 = async (): Promise<string[]> => {
    const page = await w.h.evaluate<{ records: { id: string }[] }>(w.as.tier2, 'voucher:List', { pageSize: 200 });
    return page.records.map((v) => v.id).sort();
  };
  /** The whole walk an operator makes: a page of ids, its repair, until the bookmark is empty. */
  const walk = async (kind: string, pageSize: number) => {
    const steps: Array<{ checked: number; repaired: Record<string, number>; repairedIds: string[] }> = [];
    let bookmark: string | undefined;
    do {
      const page = await w.h.evaluate<{ keys: string[][]; bookmark: string }>(w.as.operator, 'maintenance:RecordKeys', { kind, pageSize, ...(bookmark ? { bookmark } : {}) });
      if (page.keys.length > 0) steps.push(await w.h.submit(w.as.operator, 'maintenance:RepairIndexes', { kind, keys: page.keys }));
      bookmark = page.bookmark;
    } while (bookmark);
    return steps;
  };

  before(async () => {
    w = await world();
    pieceIds = [];
    for (const label of ['repair-a', 'repair-b', 'repair-c']) {
      const root = await rootVoucher(w, yuan(10_000), label);
      await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(10_000) });
      pieceIds.push(root.id);
    }
    pieceIds.sort();
  });

  it('finds nothing to repair on a ledger this version wrote, and walks every record of the kind once', async () => {
    const steps = await walk('VOUCHER', 2);
    expect(steps.map((s) => s.checked)).to.deep.equal([2, 1]);
    expect(steps.flatMap((s) => s.repairedIds)).to.deep.equal([]);
    expect(steps.every((s) => Object.keys(s.repaired).length === 0)).to.equal(true);
  });

  it('writes the missing entries, and only those: the holder lists its pieces again', async () => {
    expect(await heldByTier2()).to.deep.equal(pieceIds);
    await dropHeldEntries(pieceIds.slice(0, 2), IDS.tier2);
    expect(await heldByTier2()).to.deep.equal(pieceIds.slice(2));
    const historyBefore = await w.h.evaluate<{ versions: unknown[] }>(w.as.operator, 'voucher:History', { id: pieceIds[0] });

    const steps = await walk('VOUCHER', 2);
    expect(steps.flatMap((s) => s.repairedIds).sort()).to.deep.equal(pieceIds.slice(0, 2));
    expect(steps.reduce((n, s) => n + (s.repaired['IDX_VCH_HELD'] ?? 0), 0)).to.equal(2);
    expect(steps.flatMap((s) => Object.keys(s.repaired))).to.deep.equal(['IDX_VCH_HELD']);
    expect(await heldByTier2()).to.deep.equal(pieceIds);
    // The records are not written: their history has no new version.
    const historyAfter = await w.h.evaluate<{ versions: unknown[] }>(w.as.operator, 'voucher:History', { id: pieceIds[0] });
    expect(historyAfter.versions).to.have.length(historyBefore.versions.length);
    // Again: nothing left to repair.
    expect((await walk('VOUCHER', 100)).flatMap((s) => s.repairedIds)).to.deep.equal([]);
  });

  it('announces a repair with one event naming the records', async () => {
    await dropHeldEntries([pieceIds[1]!], IDS.tier2);
    const tx = await w.h.endorse(w.as.operator, 'maintenance:RepairIndexes', { kind: 'VOUCHER', keys: pieceIds.map((id) => [id]) });
    expect(tx.event?.name).to.equal('IndexesRepaired');
    const payload = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8'));
    expect(payload.ids).to.deep.equal({ recordIds: [pieceIds[1]] });
    expect(payload.changes).to.deep.equal({ kind: 'VOUCHER', checked: 3, repaired: { IDX_VCH_HELD: 1 }, gone: [] });
    await w.h.commit([tx]);
    expect(await heldByTier2()).to.deep.equal(pieceIds);
  });

  it('is the operator’s alone, and a refusal writes nothing', async () => {
    await dropHeldEntries([pieceIds[0]!], IDS.tier2);
    for (const who of ['tier2', 'bank', 'auditor', 'outsider'] as const) {
      await rejects(w.h.evaluate(w.as[who], 'maintenance:RecordKeys', { kind: 'VOUCHER' }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as[who], 'maintenance:RepairIndexes', { kind: 'VOUCHER', keys: pieceIds.map((id) => [id]) }), 'FORBIDDEN');
    }
    // A member's MAKER is not its operator either: the role is the member's.
    await rejects(w.h.submit(w.as.core, 'maintenance:RepairIndexes', { kind: 'VOUCHER', keys: pieceIds.map((id) => [id]) }), 'FORBIDDEN');
    expect(await heldByTier2()).to.deep.equal(pieceIds.slice(1));
  });

  it('skips a key that names no record of the kind (deleted since it was listed), reports it gone, and repairs the others', async () => {
    // A voucher id is no receivable: nothing to repair, nothing written but the step's event.
    const none = await w.h.submit(w.as.operator, 'maintenance:RepairIndexes', { kind: 'RECEIVABLE', keys: [[pieceIds[0]]] });
    expect(none).to.deep.equal({ kind: 'RECEIVABLE', checked: 0, repaired: {}, repairedIds: [], gone: [pieceIds[0]] });
    expect(await heldByTier2()).to.deep.equal(pieceIds.slice(1));
    const step = await w.h.submit(w.as.operator, 'maintenance:RepairIndexes', { kind: 'VOUCHER', keys: [[pieceIds[0]], ['VCH-NOSUCH']] });
    expect(step).to.deep.equal({ kind: 'VOUCHER', checked: 1, repaired: { IDX_VCH_HELD: 1 }, repairedIds: [pieceIds[0]], gone: ['VCH-NOSUCH'] });
    expect(await heldByTier2()).to.deep.equal(pieceIds);
  });

  it('refuses a malformed command with the field named', async () => {
    const bad: Array<[object, string]> = [
      [{ kind: 'VOUCHER', keys: [] }, 'keys'],
      [{ kind: 'VOUCHER', keys: [[pieceIds[0]], [pieceIds[0]]] }, 'keys must not repeat'],
      [{ kind: 'VOUCHER', keys: Array.from({ length: 101 }, (_, i) => [`VCH-${i}`]) }, 'keys'],
      [{ kind: 'VOUCHER', keys: [[pieceIds[0], 'extra']] }, 'a voucher key has 1 part'],
      [{ kind: 'IDENTITY', keys: [['PlatformMSP']] }, 'a identity key has 2 part'],
      [{ kind: 'MEMBER', keys: [[IDS.tier2]] }, 'kind'],
      [{ kind: 'VOUCHER', keys: [['a\u0000b']] }, 'U+0000'],
    ];
    for (const [command, field] of bad) {
      const err = await rejects(w.h.submit(w.as.operator, 'maintenance:RepairIndexes', command), 'VALIDATION_FAILED');
      expect(err.message).to.contain(field);
    }
    await rejects(w.h.evaluate(w.as.operator, 'maintenance:RecordKeys', { kind: 'VOUCHER', pageSize: 0 }), 'VALIDATION_FAILED');
    await rejects(w.h.evaluate(w.as.operator, 'maintenance:RecordKeys', { kind: 'VOUCHER', bookmark: 'not-ours' }), 'VALIDATION_FAILED');
    await rejects(w.h.evaluate(w.as.operator, 'maintenance:RecordKeys', { kind: 'VOUCHER', pageSize: 101 }), 'VALIDATION_FAILED');
    expect(await heldByTier2()).to.deep.equal(pieceIds);
  });

  it('repairs every kind the same way (a receivable’s debtor index)', async () => {
    const receivables = await w.h.evaluate<{ keys: string[][] }>(w.as.operator, 'maintenance:RecordKeys', { kind: 'RECEIVABLE' });
    expect(receivables.keys).to.have.length(3);
    const [firstId] = receivables.keys[0]!;
    const first = await w.h.evaluate<{ status: string; debtor: string }>(w.as.operator, 'receivable:Get', { id: firstId });
    await w.h.writeDirectly(w.as.operator, async (stub) => stub.deleteState(stub.createCompositeKey('IDX_RCV_DEBTOR', [first.debtor, first.status, firstId!])));
    const step = await w.h.submit(w.as.operator, 'maintenance:RepairIndexes', { kind: 'RECEIVABLE', keys: receivables.keys });
    expect(step).to.deep.include({ kind: 'RECEIVABLE', checked: 3, repaired: { IDX_RCV_DEBTOR: 1 }, repairedIds: [firstId] });
  });
});
