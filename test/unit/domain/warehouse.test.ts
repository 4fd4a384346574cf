import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import {
  assertReceiptInvariants,
  canReadReceipt,
  deliverReceipt,
  issueReceipt,
  lotDelivered,
  lotFingerprint,
  proRata,
  RECEIPT_ACTIONS,
  RECEIPT_STATUSES,
  RECEIPT_TRANSITIONS,
  splitReceipt,
  transferReceipt,
  transitionReceipt,
  type IssueReceiptCommand,
  type WarehouseReceipt,
} from '../../../chaincode/src/domain/warehouse';
import { ACTORS, deepFreeze, expectDomainError, expectJsonClean, fp, IDS, member, MEMBERS, suspended, TX } from './fixtures';

function receipt(overrides: Partial<WarehouseReceipt> = {}): WarehouseReceipt {
  return {
    docType: 'warehouseReceipt',
    id: 'WRC-1',
    rootId: 'WRC-1',
    warehouse: IDS.warehouse,
    owner: IDS.supplier,
    commodity: 'Copper cathode',
    grade: 'A',
    quantity: 300,
    unit: 't',
    location: 'Qingdao bonded zone, bay 4',
    lotId: 'LOT-2025-001',
    lotFingerprint: lotFingerprint(IDS.warehouse, 'LOT-2025-001'),
    valuation: '1000000',
    currency: 'CNY',
    documents: [],
    status: 'ACTIVE',
    createdAt: '2025-02-01T00:00:00Z',
    updatedAt: '2025-02-01T00:00:00Z',
    createdTxId: 'tx-issue',
    updatedTxId: 'tx-issue',
    ...overrides,
  };
}

const ISSUE: IssueReceiptCommand = {
  id: 'WRC-A1',
  owner: IDS.supplier,
  commodity: 'Copper cathode',
  grade: 'A',
  quantity: 300,
  unit: 't',
  location: 'Qingdao bonded zone, bay 4',
  lotId: 'lot-2025-001',
  valuation: '1000000',
};

describe('domain/warehouse', () => {
  describe('transition table', () => {
    it('lists every (status, action) at most once and keeps SPLIT and DELIVERED final', () => {
      const keys = RECEIPT_TRANSITIONS.map((t) => `${t.from}/${t.action}`);
      expect(new Set(keys).size).to.equal(keys.length);
      const finals = RECEIPT_STATUSES.filter((s) => !RECEIPT_TRANSITIONS.some((t) => t.from === s));
      expect(finals.sort()).to.deep.equal(['DELIVERED', 'SPLIT']);
    });

    for (const t of RECEIPT_TRANSITIONS) {
      it(`moves ${t.from} --${t.action}--> ${t.to}`, () => {
        const before = deepFreeze(receipt({ status: t.from }));
        const after = transitionReceipt(before, t.action, TX);
        expect(after.status).to.equal(t.to);
        expect(after.updatedTxId).to.equal(TX.txId);
        expect(before.status).to.equal(t.from);
      });
    }

    for (const from of RECEIPT_STATUSES) {
      for (const action of RECEIPT_ACTIONS) {
        if (RECEIPT_TRANSITIONS.some((t) => t.from === from && t.action === action)) continue;
        it(`refuses ${action} from ${from} with INVALID_STATE naming both`, () => {
          const err = expectDomainError(() => transitionReceipt(receipt({ status: from }), action, TX), 'INVALID_STATE');
          expect(err.detail).to.include(`is ${from}`).and.to.include(`cannot ${action}`);
        });
      }
    }
  });

  describe('lotFingerprint', () => {
    it('hashes lot|<warehouse>|<LOTID upper-cased and trimmed> with SHA-256', () => {
      const expected = createHash('sha256').update(`lot|${IDS.warehouse}|LOT-2025-001`).digest('hex');
      expect(lotFingerprint(IDS.warehouse, '  lot-2025-001\t')).to.equal(expected);
      expect(lotFingerprint(IDS.warehouse, 'LOT-2025-001')).to.equal(expected);
    });

    it('differs between warehouses and between lots', () => {
      const other = member('91370200MA00WH0028', ['WAREHOUSE']);
      expect(lotFingerprint(other.id, 'LOT-2025-001')).to.not.equal(lotFingerprint(IDS.warehouse, 'LOT-2025-001'));
      expect(lotFingerprint(IDS.warehouse, 'LOT-2025-002')).to.not.equal(lotFingerprint(IDS.warehouse, 'LOT-2025-001'));
    });
  });

  describe('issueReceipt', () => {
    it('issues an ACTIVE root receipt of the calling warehouse with the lot fingerprint', () => {
      const r = issueReceipt(ISSUE, ACTORS.warehouse, MEMBERS.supplier, TX);
      expect(r).to.deep.equal({
        docType: 'warehouseReceipt',
        id: 'WRC-A1',
        rootId: 'WRC-A1',
        warehouse: IDS.warehouse,
        owner: IDS.supplier,
        commodity: 'Copper cathode',
        grade: 'A',
        quantity: 300,
        unit: 't',
        location: 'Qingdao bonded zone, bay 4',
        lotId: 'lot-2025-001',
        lotFingerprint: lotFingerprint(IDS.warehouse, 'LOT-2025-001'),
        valuation: '1000000',
        currency: 'CNY',
        documents: [],
        status: 'ACTIVE',
        createdAt: TX.now,
        updatedAt: TX.now,
        createdTxId: TX.txId,
        updatedTxId: TX.txId,
      });
      expectJsonClean(r);
    });

    it('derives an id from the tx id when none is given and keeps supporting documents', () => {
      const r = issueReceipt({ ...ISSUE, id: undefined, documents: [{ kind: 'OTHER', fingerprint: fp(9) }] }, ACTORS.warehouse, MEMBERS.supplier, TX);
      expect(r.id).to.match(/^WRC-/);
      expect(r.documents).to.deep.equal([{ kind: 'OTHER', fingerprint: fp(9) }]);
    });

    const forbidden: [string, typeof ACTORS.warehouse][] = [
      ['a supplier', ACTORS.supplier],
      ['a bank', ACTORS.bank],
      ['the operator', ACTORS.operator],
      ['an auditor', ACTORS.auditor],
      ['a suspended warehouse', suspended(ACTORS.warehouse)],
    ];
    for (const [who, actor] of forbidden) {
      it(`forbids ${who} to issue`, () => {
        expectDomainError(() => issueReceipt(ISSUE, actor, MEMBERS.supplier, TX), 'FORBIDDEN');
      });
    }

    const invalid: [string, Partial<Record<keyof IssueReceiptCommand, unknown>>][] = [
      ['a zero quantity', { quantity: 0 }],
      ['a fractional quantity', { quantity: 1.5 }],
      ['a quantity as a string', { quantity: '300' }],
      ['a negative valuation', { valuation: '-1' }],
      ['a zero valuation', { valuation: '0' }],
      ['a lot id with a bar', { lotId: 'LOT|1' }],
      ['a lot id with a leading space', { lotId: ' LOT-1' }],
      ['a lot id with a trailing line break', { lotId: 'LOT-1\n' }],
      ['a lot id with an inner space', { lotId: 'LOT 1' }],
      ['an empty commodity', { commodity: '  ' }],
      ['a malformed owner', { owner: 'NOT-A-CODE' }],
      ['a lowercase currency', { currency: 'cny' }],
      ['a currency that does not exist', { currency: 'ZZZ' }],
      ['a bad document', { documents: [{ kind: 'INVOICE', fingerprint: 'nope' }] }],
      ['a duplicate document', { documents: [{ kind: 'OTHER', fingerprint: fp(1) }, { kind: 'CONTRACT', fingerprint: fp(1) }] }],
      ['an id of another asset', { id: 'VCH-1' }],
    ];
    for (const [what, patch] of invalid) {
      it(`rejects ${what} with VALIDATION_FAILED`, () => {
        expectDomainError(() => issueReceipt({ ...ISSUE, ...patch } as IssueReceiptCommand, ACTORS.warehouse, MEMBERS.supplier, TX), 'VALIDATION_FAILED');
      });
    }

    it('refuses an owner that is not a member (NOT_FOUND), not a supplier or suspended (BUSINESS_RULE), or the warehouse itself', () => {
      expectDomainError(() => issueReceipt(ISSUE, ACTORS.warehouse, undefined, TX), 'NOT_FOUND');
      expectDomainError(() => issueReceipt({ ...ISSUE, owner: IDS.bank }, ACTORS.warehouse, MEMBERS.bank, TX), 'BUSINESS_RULE', 'SUPPLIER');
      expectDomainError(() => issueReceipt(ISSUE, ACTORS.warehouse, { ...MEMBERS.supplier, status: 'SUSPENDED' }, TX), 'BUSINESS_RULE', 'SUSPENDED');
      expectDomainError(() => issueReceipt({ ...ISSUE, owner: IDS.warehouse }, ACTORS.warehouse, MEMBERS.warehouse, TX), 'BUSINESS_RULE', 'itself');
    });
  });

  describe('transferReceipt', () => {
    const r = deepFreeze(receipt());

    it('hands the whole receipt to another supplier', () => {
      const after = transferReceipt(r, { to: IDS.supplier2 }, ACTORS.supplier, MEMBERS.supplier2, TX);
      expect(after).to.include({ owner: IDS.supplier2, status: 'ACTIVE', quantity: 300, valuation: '1000000', updatedTxId: TX.txId });
    });

    it('lets only the owner transfer', () => {
      for (const actor of [ACTORS.supplier2, ACTORS.warehouse, ACTORS.bank, ACTORS.auditor, suspended(ACTORS.supplier)]) {
        expectDomainError(() => transferReceipt(r, { to: IDS.supplier2 }, actor, MEMBERS.supplier2, TX), 'FORBIDDEN');
      }
    });

    it('refuses the owner itself, the warehouse, a non-supplier and a non-member as recipient', () => {
      expectDomainError(() => transferReceipt(r, { to: IDS.supplier }, ACTORS.supplier, MEMBERS.supplier, TX), 'BUSINESS_RULE', 'already owned');
      expectDomainError(() => transferReceipt(r, { to: IDS.warehouse }, ACTORS.supplier, MEMBERS.warehouse, TX), 'BUSINESS_RULE', 'warehouse');
      expectDomainError(() => transferReceipt(r, { to: IDS.bank }, ACTORS.supplier, MEMBERS.bank, TX), 'BUSINESS_RULE', 'SUPPLIER');
      expectDomainError(() => transferReceipt(r, { to: IDS.supplier2 }, ACTORS.supplier, undefined, TX), 'NOT_FOUND');
    });

    for (const status of ['SPLIT', 'PLEDGE_PENDING', 'PLEDGED', 'DELIVERED'] as const) {
      it(`refuses to transfer a ${status} receipt with INVALID_STATE`, () => {
        expectDomainError(() => transferReceipt(receipt({ status }), { to: IDS.supplier2 }, ACTORS.supplier, MEMBERS.supplier2, TX), 'INVALID_STATE', status);
      });
    }

    it('lets a bank that owns an enforced receipt sell it on to a supplier', () => {
      const owned = receipt({ owner: IDS.bank });
      expect(transferReceipt(owned, { to: IDS.supplier2 }, ACTORS.bank, MEMBERS.supplier2, TX).owner).to.equal(IDS.supplier2);
    });
  });

  describe('splitReceipt', () => {
    const r = deepFreeze(receipt({ quantity: 300, valuation: '1000000' }));

    it('splits by quantity with valuation pro rata, the remainder to the last child', () => {
      const { receipt: parent, children } = splitReceipt(r, [100, 100, 100], ACTORS.supplier, TX);
      expect(parent).to.include({ status: 'SPLIT' });
      expect(parent.childIds).to.deep.equal(['WRC-1.1', 'WRC-1.2', 'WRC-1.3']);
      expect(children.map((c) => [c.id, c.quantity, c.valuation])).to.deep.equal([
        ['WRC-1.1', 100, '333333'],
        ['WRC-1.2', 100, '333333'],
        ['WRC-1.3', 100, '333334'],
      ]);
      for (const c of children) {
        expect(c).to.include({ parentId: 'WRC-1', rootId: 'WRC-1', owner: IDS.supplier, warehouse: IDS.warehouse, lotFingerprint: r.lotFingerprint, status: 'ACTIVE' });
        expectJsonClean(c);
      }
    });

    const refused: [string, number[], string][] = [
      ['quantities that do not sum to the receipt', [100, 150], 'sum to 250'],
      ['a single part', [300], '2 to 20'],
      ['21 parts', [...Array.from({ length: 20 }, () => 10), 100], '2 to 20'],
    ];
    for (const [what, qs, detail] of refused) {
      it(`refuses ${what} with BUSINESS_RULE`, () => {
        expectDomainError(() => splitReceipt(r, qs, ACTORS.supplier, TX), 'BUSINESS_RULE', detail);
      });
    }

    it('refuses a child that would be worth nothing', () => {
      expectDomainError(() => splitReceipt(receipt({ quantity: 1000, valuation: '10' }), [1, 999], ACTORS.supplier, TX), 'BUSINESS_RULE', 'below 1');
    });

    it('refuses zero and fractional quantities with VALIDATION_FAILED', () => {
      expectDomainError(() => splitReceipt(r, [0, 300], ACTORS.supplier, TX), 'VALIDATION_FAILED');
      expectDomainError(() => splitReceipt(r, [150.5, 149.5], ACTORS.supplier, TX), 'VALIDATION_FAILED');
    });

    it('lets only the owner split, and only an ACTIVE receipt', () => {
      expectDomainError(() => splitReceipt(r, [100, 200], ACTORS.supplier2, TX), 'FORBIDDEN');
      expectDomainError(() => splitReceipt(r, [100, 200], ACTORS.warehouse, TX), 'FORBIDDEN');
      for (const status of ['PLEDGED', 'PLEDGE_PENDING', 'SPLIT', 'DELIVERED'] as const) {
        expectDomainError(() => splitReceipt(receipt({ status }), [100, 200], ACTORS.supplier, TX), 'INVALID_STATE', status);
      }
    });

    it('refuses a split whose child ids would be too long to name', () => {
      const deep = receipt({ id: `WRC-${'X'.repeat(60)}${'.1'.repeat(32)}` });
      expectDomainError(() => splitReceipt(deep, [100, 200], ACTORS.supplier, TX), 'BUSINESS_RULE', 'too deep');
    });

    it('conserves quantity and valuation for any split', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 2, maxLength: 20 }),
          fc.bigInt({ min: 1_000_000n, max: 10n ** 15n }),
          (qs, valuation) => {
            const total = qs.reduce((s, q) => s + q, 0);
            const source = receipt({ quantity: total, valuation: valuation.toString() });
            const { receipt: parent, children } = splitReceipt(source, qs, ACTORS.supplier, TX);
            assertReceiptInvariants(parent, children);
            expect(children.reduce((s, c) => s + BigInt(c.valuation), 0n)).to.equal(valuation);
            expect(children.map((c) => c.quantity)).to.deep.equal(qs);
          },
        ),
      );
    });
  });

  describe('proRata', () => {
    it('rounds each share down and gives the remainder to the last', () => {
      expect(proRata(100n, [1, 1, 1])).to.deep.equal([33n, 33n, 34n]);
      expect(proRata(7n, [2, 5])).to.deep.equal([2n, 5n]);
      expect(proRata(10n, [3, 3])).to.deep.equal([5n, 5n]);
    });
  });

  describe('assertReceiptInvariants', () => {
    it('catches children that do not add up or that changed the goods', () => {
      const { receipt: parent, children } = splitReceipt(receipt(), [100, 200], ACTORS.supplier, TX);
      const [a, b] = children as [WarehouseReceipt, WarehouseReceipt];
      expectDomainError(() => assertReceiptInvariants(parent, [a, { ...b, valuation: '1' }]), 'BUSINESS_RULE', 'valued');
      expectDomainError(() => assertReceiptInvariants(parent, [a, { ...b, quantity: 199 }]), 'BUSINESS_RULE', 'hold');
      expectDomainError(() => assertReceiptInvariants(parent, [a, { ...b, grade: 'B' }]), 'BUSINESS_RULE', 'grade');
      expectDomainError(() => assertReceiptInvariants({ ...parent, status: 'ACTIVE' }, children), 'BUSINESS_RULE', 'not SPLIT');
    });
  });

  describe('deliverReceipt', () => {
    it('lets the issuing warehouse deliver an ACTIVE receipt to its owner', () => {
      const d = deliverReceipt(deepFreeze(receipt()), ACTORS.warehouse, TX);
      expect(d).to.include({ status: 'DELIVERED', deliveredTo: IDS.supplier, deliveredAt: TX.now });
    });

    it('forbids the owner, another warehouse and a bank', () => {
      const other = { ...ACTORS.warehouse, member: { ...MEMBERS.warehouse, id: '91370200MA00WH0028' } };
      other.identity = { ...other.identity, memberId: other.member.id };
      for (const actor of [ACTORS.supplier, other, ACTORS.bank, suspended(ACTORS.warehouse)]) {
        expectDomainError(() => deliverReceipt(receipt(), actor, TX), 'FORBIDDEN');
      }
    });

    for (const status of ['PLEDGED', 'PLEDGE_PENDING', 'SPLIT', 'DELIVERED'] as const) {
      it(`refuses to deliver a ${status} receipt with INVALID_STATE`, () => {
        expectDomainError(() => deliverReceipt(receipt({ status }), ACTORS.warehouse, TX), 'INVALID_STATE', status);
      });
    }

    it('counts a lot delivered only when no piece is left undelivered', () => {
      expect(lotDelivered([receipt({ status: 'SPLIT' }), receipt({ id: 'WRC-1.1', status: 'DELIVERED' }), receipt({ id: 'WRC-1.2' })])).to.equal(false);
      expect(lotDelivered([receipt({ status: 'SPLIT' }), receipt({ id: 'WRC-1.1', status: 'DELIVERED' }), receipt({ id: 'WRC-1.2', status: 'DELIVERED' })])).to.equal(true);
      expect(lotDelivered([receipt({ status: 'PLEDGED' })])).to.equal(false);
      expect(lotDelivered([])).to.equal(false);
    });
  });

  describe('canReadReceipt', () => {
    it('shows a receipt to its owner, warehouse, pledgee, auditors, operators and live financing parties only', () => {
      const r = receipt({ pledgee: IDS.bank });
      for (const a of [ACTORS.supplier, ACTORS.warehouse, ACTORS.bank, ACTORS.auditor, ACTORS.operator]) expect(canReadReceipt(a, r)).to.equal(true);
      for (const a of [ACTORS.supplier2, ACTORS.bank2, ACTORS.core]) expect(canReadReceipt(a, r)).to.equal(false);
      expect(canReadReceipt(ACTORS.bank2, r, [IDS.bank2])).to.equal(true);
    });
  });
});
