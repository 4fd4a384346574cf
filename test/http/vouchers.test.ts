import { expect } from 'chai';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import {
  BANK,
  CORE,
  confirmedReceivable,
  expectProblem,
  isoDate,
  issuedVoucher,
  pendingReceivable,
  startGateway,
  SUPPLIER1,
  SUPPLIER2,
  SUPPLIER3,
  type TestGateway,
  uniqueKey,
} from './harness';

type Label = Parameters<TestGateway['auth']>[0];

describe('HTTP: credit vouchers', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  const issue = (b: object, label: Label = 'core-maker') => gw.http.post('/vouchers').set('Authorization', gw.auth(label)).send(b);
  const act = (id: string, action: string, b: object, label: Label = 'supplier1') =>
    gw.http.post(`/vouchers/${id}/${action}`).set('Authorization', gw.auth(label)).send(b);
  const read = (path: string, label: Label = 'auditor') => gw.http.get(path).set('Authorization', gw.auth(label));

  describe('POST /vouchers', () => {
    it('issues a root voucher to the creditor (201), tier 0, for part of the receivable', async () => {
      const receivableId = await confirmedReceivable(gw, '1000000');
      const res = await issue({ receivableId, amount: '400000', maturityDate: isoDate(90) });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ issuer: CORE(), holder: SUPPLIER1(), amount: '400000', tier: 0, status: 'ACTIVE', receivableId });
      expect(res.body.id).to.match(/^VCH-/);
      expect(res.body.rootId).to.equal(res.body.id);
      const rcv = await read(`/receivables/${receivableId}`);
      expect(rcv.body.voucheredAmount).to.equal('400000');
    });

    it('refuses more than the unvouchered amount (422) and a maturity in the past (422)', async () => {
      const receivableId = await confirmedReceivable(gw, '1000000');
      expectProblem(await issue({ receivableId, amount: '1000001', maturityDate: isoDate(90) }), 422, 'BUSINESS_RULE');
      expectProblem(await issue({ receivableId, amount: '1000', maturityDate: isoDate(-1) }), 422, 'BUSINESS_RULE');
    });

    it('refuses a receivable that is not confirmed with 409 INVALID_STATE', async () => {
      const { id } = await pendingReceivable(gw);
      expectProblem(await issue({ receivableId: id, amount: '1000', maturityDate: isoDate(30) }), 409, 'INVALID_STATE');
    });

    it('refuses the creditor (403) and a stranger, who cannot see the receivable (404)', async () => {
      const receivableId = await confirmedReceivable(gw);
      expectProblem(await issue({ receivableId, amount: '1000', maturityDate: isoDate(30) }, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await issue({ receivableId, amount: '1000', maturityDate: isoDate(30) }, 'bank-maker'), 404, 'NOT_FOUND');
    });

    it('refuses a root id that is taken with 409 ALREADY_EXISTS', async () => {
      const id = `VCH-${uniqueKey('x')}`;
      const receivableId = await confirmedReceivable(gw);
      expect((await issue({ receivableId, id, amount: '1000', maturityDate: isoDate(30) })).status).to.equal(201);
      expectProblem(await issue({ receivableId, id, amount: '1000', maturityDate: isoDate(30) }), 409, 'ALREADY_EXISTS');
    });

    it('issues once for a replayed Idempotency-Key (same voucher, no new transaction)', async () => {
      const receivableId = await confirmedReceivable(gw);
      const key = uniqueKey('issue');
      const b = { receivableId, amount: '5000', maturityDate: isoDate(30) };
      const first = await issue(b).set('Idempotency-Key', key);
      const height = await gw.ledger.height();
      const again = await issue(b).set('Idempotency-Key', key);
      expect(again.status).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect(await gw.ledger.height()).to.equal(height);
      expect((await read(`/receivables/${receivableId}`)).body.voucheredAmount).to.equal('5000');
    });

    const malformed: Array<[string, object]> = [
      ['a missing receivable id', { amount: '1000', maturityDate: '2030-01-01' }],
      ['a float amount', { receivableId: 'RCV-1', amount: 10.5, maturityDate: '2030-01-01' }],
      ['a maturity date in another format', { receivableId: 'RCV-1', amount: '1000', maturityDate: '01.01.2030' }],
      ['an unknown field', { receivableId: 'RCV-1', amount: '1000', maturityDate: '2030-01-01', holder: 'me' }],
    ];
    for (const [what, b] of malformed) {
      it(`rejects ${what} with 400 and writes nothing`, async () => {
        const height = await gw.ledger.height();
        expectProblem(await issue(b), 400, 'VALIDATION_FAILED');
        expect(await gw.ledger.height()).to.equal(height);
      });
    }
  });

  describe('POST /vouchers under dual control', () => {
    it("answers 202 with a PENDING approval, and issues nothing, at or above the issuer's threshold", async () => {
      const who = await read('/me', 'core-maker');
      const threshold = who.body.member.dualControlThreshold as string;
      expect(threshold).to.match(/^\d+$/);
      const receivableId = await confirmedReceivable(gw, threshold);
      const res = await issue({ receivableId, amount: threshold, maturityDate: isoDate(30) });
      expect(res.status).to.equal(202);
      expect(res.body).to.include({ docType: 'approval', status: 'PENDING', transaction: 'voucher:Issue', amount: threshold });
      expect(res.body.id).to.match(/^APR-/);
      expect((await read(`/receivables/${receivableId}`)).body.voucheredAmount).to.equal('0');
    });

    it('issues directly (201) below the threshold', async () => {
      const receivableId = await confirmedReceivable(gw, '100000');
      expect((await issue({ receivableId, amount: '100000', maturityDate: isoDate(30) })).status).to.equal(201);
    });
  });

  describe('GET /vouchers/:id and GET /vouchers', () => {
    it('shows a piece to its holder, its issuer and the auditor, and 404 to anyone else', async () => {
      const v = await issuedVoucher(gw);
      for (const label of ['supplier1', 'core-checker', 'auditor'] as const) expect((await read(`/vouchers/${v.id}`, label)).status).to.equal(200);
      expectProblem(await read(`/vouchers/${v.id}`, 'supplier2'), 404, 'NOT_FOUND');
      expectProblem(await read('/vouchers/VCH-NONE', 'supplier1'), 404, 'NOT_FOUND');
    });

    it('lists the pieces a holder holds, filtered by maturity range', async () => {
      const v = await issuedVoucher(gw, '300000', isoDate(45));
      const res = await read(`/vouchers?holder=${SUPPLIER1()}&maturingFrom=${isoDate(44)}&maturingTo=${isoDate(46)}`, 'supplier1');
      expect(res.status).to.equal(200);
      expect(res.body.records.map((r: { id: string }) => r.id)).to.include(v.id);
      for (const r of res.body.records) expect(r.maturityDate).to.equal(isoDate(45));
    });

    it('rejects a bookmark it did not return with 400, also one of its own prefix ending in a broken character', async () => {
      await issuedVoucher(gw);
      await issuedVoucher(gw);
      const first = await read('/vouchers?pageSize=1', 'supplier1');
      expect(first.status).to.equal(200);
      const { p, b } = JSON.parse(Buffer.from(first.body.bookmark as string, 'base64url').toString('utf8')) as { p: number; b: string };
      // The same key with a lone surrogate: JSON can carry it, UTF-8 (a key on the peer) cannot.
      const crafted = Buffer.from(`{"p":${p},"b":${JSON.stringify(b).slice(0, -1)}\\ud800"}`, 'utf8').toString('base64url');
      expectProblem(await read(`/vouchers?pageSize=1&bookmark=${crafted}`, 'supplier1'), 400, 'VALIDATION_FAILED');
      expectProblem(await read('/vouchers?pageSize=1&bookmark=bm90LW9uZQ', 'supplier1'), 400, 'VALIDATION_FAILED');
    });

    it("pages through a holder's pieces without missing one whose financing is requested or rejected between pages", async () => {
      const post = (path: string, body: object, label: Label) => gw.http.post(path).set('Authorization', gw.auth(label)).send(body);
      const requestOn = async (id: string) => {
        const res = await post('/financings', { asset: { type: 'VOUCHER', id }, bank: BANK(), requestedAmount: '50000' }, 'supplier1');
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        return res.body.id as string;
      };
      const ours = new Map<string, string | undefined>(); // piece → its open financing, if any
      for (let i = 0; i < 3; i++) {
        const v = await issuedVoucher(gw, '100000', isoDate(90));
        ours.set(v.id, await requestOn(v.id));
      }
      const seen = new Set<string>();
      let bookmark = '';
      let pages = 0;
      let toggles = 0;
      do {
        const page = await read(`/vouchers?holder=${SUPPLIER1()}&pageSize=2&bookmark=${encodeURIComponent(bookmark)}`, 'supplier1');
        expect(page.status, JSON.stringify(page.body)).to.equal(200);
        for (const v of page.body.records as Array<{ id: string }>) seen.add(v.id);
        bookmark = page.body.bookmark as string;
        pages += 1;
        // Between pages, each of ours not yet returned changes status: FINANCING_PENDING ⇄ ACTIVE.
        for (const [id, financing] of ours) {
          if (seen.has(id) || !bookmark || toggles >= 24) continue;
          toggles += 1;
          if (financing) {
            expect((await post(`/financings/${financing}/reject`, { reason: 'walk' }, 'bank-maker')).status).to.equal(200);
            ours.set(id, undefined);
          } else {
            ours.set(id, await requestOn(id));
          }
        }
      } while (bookmark && pages < 1000);
      expect([...ours.keys()].filter((id) => !seen.has(id)), 'pieces the walk missed').to.deep.equal([]);
      expect(toggles, 'statuses changed during the walk').to.be.greaterThan(0);
    });

    it('rejects an inverted maturity range and an unknown status with 400', async () => {
      expectProblem(await read(`/vouchers?maturingFrom=${isoDate(10)}&maturingTo=${isoDate(1)}`, 'supplier1'), 400, 'VALIDATION_FAILED');
      expectProblem(await read('/vouchers?status=GONE', 'supplier1'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('POST /vouchers/:id/transfer', () => {
    it('transfers a whole piece: the holder changes and the tier grows (200)', async () => {
      const v = await issuedVoucher(gw, '200000');
      const res = await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '200000' });
      expect(res.status).to.equal(200);
      expect(res.body.voucher).to.include({ id: v.id, holder: SUPPLIER2(), tier: 1, status: 'ACTIVE' });
      expect(res.body.children).to.deep.equal([]);
    });

    it('transfers part of a piece: it splits into .1 for the recipient and .2 for the holder (200)', async () => {
      const v = await issuedVoucher(gw, '200000');
      const res = await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '75000' });
      expect(res.status).to.equal(200);
      expect(res.body.voucher.status).to.equal('SPLIT');
      const [a, b] = res.body.children;
      expect(a).to.include({ id: `${v.id}.1`, holder: SUPPLIER2(), amount: '75000' });
      expect(b).to.include({ id: `${v.id}.2`, holder: SUPPLIER1(), amount: '125000' });
      // the recipient now sees its piece, and can pass it on
      const onward = await act(`${v.id}.1`, 'transfer', { to: SUPPLIER3(), amount: '75000' }, 'supplier2');
      expect(onward.status).to.equal(200);
      expect(onward.body.voucher).to.include({ holder: SUPPLIER3(), tier: 2 });
      expectProblem(await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '100' }), 409, 'INVALID_STATE');
    });

    it('refuses the issuer, who is not the holder (403), and a stranger (404)', async () => {
      const v = await issuedVoucher(gw);
      expectProblem(await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '1000' }, 'core-maker'), 403, 'FORBIDDEN');
      expectProblem(await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '1000' }, 'supplier3'), 404, 'NOT_FOUND');
    });

    it('refuses more than the piece, less than the minimum piece, or to the issuer with 422', async () => {
      const v = await issuedVoucher(gw, '100000');
      const height = await gw.ledger.height();
      expectProblem(await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '100001' }), 422, 'BUSINESS_RULE');
      expectProblem(await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '99' }), 422, 'BUSINESS_RULE');
      expectProblem(await act(v.id, 'transfer', { to: CORE(), amount: '1000' }), 422, 'BUSINESS_RULE');
      expect(await gw.ledger.height()).to.equal(height);
    });

    it('refuses a recipient that is not a member with 404', async () => {
      const v = await issuedVoucher(gw);
      expectProblem(await act(v.id, 'transfer', { to: withCheckChar('91500000999999995'), amount: '1000' }), 404, 'NOT_FOUND');
    });

    it('lets exactly one of two racing transfers of the same piece win; the other gets 409', async () => {
      const v = await issuedVoucher(gw, '50000');
      const [a, b] = await Promise.all([
        act(v.id, 'transfer', { to: SUPPLIER2(), amount: '50000' }),
        act(v.id, 'transfer', { to: SUPPLIER3(), amount: '20000' }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses[0]).to.equal(200);
      expect([403, 404, 409]).to.include(statuses[1]);
      const after = await read(`/vouchers/${v.id}`);
      const winner = a.status === 200 ? a : b;
      expect(after.body.updatedTxId).to.equal(winner.headers['transaction-id']);
    });

    it('transfers once for a replayed Idempotency-Key', async () => {
      const v = await issuedVoucher(gw, '80000');
      const key = uniqueKey('tr');
      const first = await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '30000' }).set('Idempotency-Key', key);
      expect(first.status).to.equal(200);
      const height = await gw.ledger.height();
      const again = await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '30000' }).set('Idempotency-Key', key);
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      expect(await gw.ledger.height()).to.equal(height);
    });

    it('refuses to move a frozen piece with 423 FROZEN', async () => {
      const v = await issuedVoucher(gw);
      // Freezes get their own routes with the next issue; the operator's transaction is submitted directly here.
      const operator = gw.ledger.runtime.identities.get('operator-admin');
      if (!operator) throw new Error('no operator identity');
      await gw.ledger.runtime.ledger.submit(operator, 'freeze:Freeze', { target: { type: 'VOUCHER', id: v.id }, reason: 'court order (2024) Hu 0115 Zhi Bao 1' });
      expectProblem(await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '1000' }), 423, 'FROZEN');
    });

    it('rejects a malformed recipient and amount with 400, writing nothing', async () => {
      const v = await issuedVoucher(gw);
      const height = await gw.ledger.height();
      for (const b of [{ to: 'supplier2', amount: '1000' }, { to: SUPPLIER2(), amount: '-1' }, { to: SUPPLIER2() }, {}]) {
        expectProblem(await act(v.id, 'transfer', b), 400, 'VALIDATION_FAILED');
      }
      expect(await gw.ledger.height()).to.equal(height);
    });
  });

  describe('POST /vouchers/:id/split', () => {
    it('splits into children that sum to the piece (200)', async () => {
      const v = await issuedVoucher(gw, '90000');
      const res = await act(v.id, 'split', { amounts: ['30000', '30000', '30000'] });
      expect(res.status).to.equal(200);
      expect(res.body.voucher.status).to.equal('SPLIT');
      expect(res.body.children.map((c: { id: string; holder: string }) => [c.id, c.holder])).to.deep.equal([
        [`${v.id}.1`, SUPPLIER1()],
        [`${v.id}.2`, SUPPLIER1()],
        [`${v.id}.3`, SUPPLIER1()],
      ]);
    });

    it('refuses parts that do not sum to the piece, a single part and 21 parts with 422', async () => {
      const v = await issuedVoucher(gw, '210000');
      expectProblem(await act(v.id, 'split', { amounts: ['100000', '100000'] }), 422, 'BUSINESS_RULE');
      expectProblem(await act(v.id, 'split', { amounts: ['210000'] }), 422, 'BUSINESS_RULE');
      expectProblem(await act(v.id, 'split', { amounts: Array.from({ length: 21 }, () => '10000') }), 422, 'BUSINESS_RULE');
    });

    it('refuses a non-holder with 403 and a malformed part with 400', async () => {
      const v = await issuedVoucher(gw, '20000');
      expectProblem(await act(v.id, 'split', { amounts: ['10000', '10000'] }, 'core-checker'), 403, 'FORBIDDEN');
      expectProblem(await act(v.id, 'split', { amounts: ['10000', '1e4'] }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('POST /vouchers/:id/settle', () => {
    it('lets the issuer settle on maturity, paying the holder of that moment (200); a second settle is 409', async () => {
      const v = await issuedVoucher(gw, '60000', isoDate(0));
      const res = await act(v.id, 'settle', { paymentRef: 'CNAPS-20240501-0001' }, 'core-maker');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'SETTLED', settledTo: SUPPLIER1(), paymentRef: 'CNAPS-20240501-0001' });
      expectProblem(await act(v.id, 'settle', { paymentRef: 'again' }, 'core-maker'), 409, 'INVALID_STATE');
    });

    it('refuses settling before maturity (422) and by the holder (403)', async () => {
      const v = await issuedVoucher(gw, '60000', isoDate(10));
      expectProblem(await act(v.id, 'settle', { paymentRef: 'early' }, 'core-maker'), 422, 'BUSINESS_RULE');
      expectProblem(await act(v.id, 'settle', { paymentRef: 'self' }, 'supplier1'), 403, 'FORBIDDEN');
    });

    it('rejects a missing payment reference with 400', async () => {
      const v = await issuedVoucher(gw, '60000', isoDate(0));
      expectProblem(await act(v.id, 'settle', {}, 'core-maker'), 400, 'VALIDATION_FAILED');
    });
  });

  describe('GET /vouchers/:id/provenance, /history, /tree', () => {
    it('traces a piece to its root and the confirmed receivable, with a verdict', async () => {
      const v = await issuedVoucher(gw, '200000');
      const t = await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '50000' });
      expect(t.status).to.equal(200);
      const res = await read(`/vouchers/${v.id}.1/provenance`, 'supplier2');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ voucherId: `${v.id}.1`, rootId: v.id });
      expect(res.body.lineage.map((s: { id: string }) => s.id)).to.deep.equal([`${v.id}.1`, v.id]);
      expect(res.body.receivable).to.include({ id: v.receivableId, debtor: CORE(), creditor: SUPPLIER1() });
      expect(res.body.verdict).to.have.keys('financeable', 'reasons');
      expectProblem(await read(`/vouchers/${v.id}.1/provenance`, 'supplier3'), 404, 'NOT_FOUND');
    });

    it('lists the versions of a piece and draws the tree of its root', async () => {
      const v = await issuedVoucher(gw, '40000');
      await act(v.id, 'split', { amounts: ['20000', '20000'] });
      const history = await read(`/vouchers/${v.id}/history`, 'supplier1');
      expect(history.status).to.equal(200);
      expect(history.body.versions).to.have.length(2);
      // Newest first, each naming who acted: the split by supplier 1, the issue by the core enterprise.
      expect(history.body.versions.map((x: { actor: string }) => x.actor)).to.deep.equal([SUPPLIER1(), CORE()]);
      const tree = await read(`/vouchers/${v.id}.2/tree`, 'core-maker');
      expect(tree.status).to.equal(200);
      expect(JSON.stringify(tree.body)).to.contain(`${v.id}.1`).and.to.contain(`${v.id}.2`);
      expectProblem(await read(`/vouchers/${v.id}/history`, 'bank-maker'), 404, 'NOT_FOUND');
    });
  });

  describe('one read rule for a piece and its tree', () => {
    interface Node {
      id: string;
      holder: string;
      children: Node[];
    }
    const nodes = (n: Node): Node[] => [n, ...n.children.flatMap(nodes)];
    const post = (path: string, b: object, label: Label) => gw.http.post(path).set('Authorization', gw.auth(label)).send(b);

    /** Each node's holder is shown exactly where GET of that piece answers the caller 200, and then it is the same holder. */
    async function expectHoldersAsGet(root: Node, label: Label): Promise<void> {
      for (const node of nodes(root)) {
        const piece = await read(`/vouchers/${node.id}`, label);
        if (piece.status === 200) expect(node.holder, node.id).to.equal(piece.body.holder);
        else {
          expectProblem(piece, 404, 'NOT_FOUND');
          expect(node.holder, node.id).to.equal('');
        }
      }
    }

    it('shows a downstream holder the tree from the root as from its own piece, with holders only where it may read the piece', async () => {
      const v = await issuedVoucher(gw, '300000');
      expect((await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '100000' })).status).to.equal(200);
      const fromRoot = await read(`/vouchers/${v.id}/tree`, 'supplier2');
      expect(fromRoot.status, JSON.stringify(fromRoot.body)).to.equal(200);
      const fromPiece = await read(`/vouchers/${v.id}.1/tree`, 'supplier2');
      expect(fromRoot.body).to.deep.equal(fromPiece.body);
      expect(nodes(fromRoot.body.root).map((n) => [n.id, n.holder])).to.deep.equal([
        [v.id, ''],
        [`${v.id}.1`, SUPPLIER2()],
        [`${v.id}.2`, ''],
      ]);
      await expectHoldersAsGet(fromRoot.body.root, 'supplier2');
      // Someone who may read no piece of the tree learns nothing, whichever piece it asks with.
      for (const id of [v.id, `${v.id}.1`, `${v.id}.2`, 'VCH-NOWHERE']) expectProblem(await read(`/vouchers/${id}/tree`, 'supplier3'), 404, 'NOT_FOUND');
    });

    it('shows the applicant of a disbursed financing the bank as holder in the tree, as GET of the piece does, and lists it', async () => {
      const v = await issuedVoucher(gw, '300000');
      expect((await act(v.id, 'transfer', { to: SUPPLIER2(), amount: '200000' })).status).to.equal(200);
      const piece = `${v.id}.1`;
      const fin = await post('/financings', { asset: { type: 'VOUCHER', id: piece }, bank: BANK(), requestedAmount: '150000' }, 'supplier2');
      expect(fin.status, JSON.stringify(fin.body)).to.equal(201);
      expect((await post(`/financings/${fin.body.id}/approve`, { advanceAmount: '150000', annualRateBps: 500 }, 'bank-maker')).status).to.equal(200);
      expect((await post(`/financings/${fin.body.id}/disburse`, { paymentRef: 'CNAPS-TREE-1' }, 'bank-maker')).status).to.equal(200);

      const get = await read(`/vouchers/${piece}`, 'supplier2');
      expect(get.status).to.equal(200);
      expect(get.body).to.include({ holder: BANK(), status: 'FINANCED' });
      const tree = await read(`/vouchers/${v.id}/tree`, 'supplier2');
      expect(tree.status).to.equal(200);
      expect(nodes(tree.body.root).find((n) => n.id === piece)?.holder).to.equal(BANK());
      await expectHoldersAsGet(tree.body.root, 'supplier2');
      const listed = await read(`/vouchers?holder=${BANK()}&status=FINANCED&pageSize=100`, 'supplier2');
      expect(listed.status).to.equal(200);
      expect(listed.body.records.map((r: { id: string }) => r.id)).to.include(piece);
      // The bank reads its piece and sees the tree too; a member with no piece in it does not.
      await expectHoldersAsGet((await read(`/vouchers/${v.id}/tree`, 'bank-maker')).body.root, 'bank-maker');
      expectProblem(await read(`/vouchers/${v.id}/tree`, 'supplier3'), 404, 'NOT_FOUND');
    });
  });
});
