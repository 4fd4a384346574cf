import * as grpc from '@grpc/grpc-js';
import { connect, type Gateway, hash, signers, StatusCode } from '@hyperledger/fabric-gateway';
import { expect } from 'chai';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { fingerprint as fingerprintFields, type InvoiceDoc } from '../../chaincode/src/domain/canonical';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import { demoMember } from '../../gateway/src/demo/plan';
import { type LedgerIdentity, LedgerError } from '../../gateway/src/ledger/ledger';
import { rejectionOf } from '../support/rejection';
import { connectToTestNetwork, documentsTransient, freshInvoice, isoDate, type RealNetwork } from './support';

/*
 * The product on a real Fabric 3.1 network (raft1: one orderer, three peer
 * orgs, chaincode `scf` as a service), through @hyperledger/fabric-gateway as
 * the demo identities. Everything here is signed, endorsed by a MAJORITY of
 * the orgs' peers, ordered and validated by Fabric itself.
 */

const CORE = () => demoMember('core').id;
const BANK = () => demoMember('bank').id;
const SUPPLIER2 = () => demoMember('supplier2').id;
const SUPPLIER3 = () => demoMember('supplier3').id;

describe('real Fabric network: scenarios through fabric-gateway', function () {
  this.timeout(120_000);
  let net: RealNetwork;
  before(async () => {
    net = await connectToTestNetwork();
  });
  after(async () => {
    await net?.close();
  });

  const submit = (label: string, name: string, command: object, opts?: { transient: Record<string, Uint8Array> }) =>
    net.ledger.submit(net.as(label), name, command, opts);
  const evaluate = (label: string, name: string, command: object) => net.ledger.evaluate(net.as(label), name, command) as Promise<any>;

  const fingerprintOf = (doc: InvoiceDoc): string => fingerprintFields(doc).fingerprint;

  /** A fabric-gateway connection of our own to the peer of a demo identity's org (close both when done). */
  function rawGateway(label: string): { gateway: Gateway; client: grpc.Client } {
    const identity = net.as(label);
    const peer = net.profile.peers.get(identity.mspId)!;
    const client = new grpc.Client(peer.endpoint, grpc.credentials.createSsl(peer.tlsRootCert), { 'grpc.ssl_target_name_override': 'localhost' });
    const gateway = connect({
      client,
      identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificate) },
      signer: signers.newPrivateKeySigner(createPrivateKey(identity.privateKey)),
      hash: hash.sha256,
    });
    return { gateway, client };
  }

  async function confirmedReceivable(amount: string): Promise<string> {
    const rcv = (await submit('supplier1', 'receivable:Register', { debtor: CORE(), amount, dueDate: isoDate(120) }, documentsTransient(freshInvoice())))
      .result as { id: string; status: string };
    expect(rcv.status).to.equal('PENDING');
    await submit('core-maker', 'receivable:Confirm', { id: rcv.id });
    return rcv.id;
  }

  async function issued(amount: string): Promise<{ id: string; receivableId: string }> {
    const receivableId = await confirmedReceivable(amount);
    const v = (await submit('core-maker', 'voucher:Issue', { receivableId, amount, maturityDate: isoDate(90) })).result as { id: string };
    return { id: v.id, receivableId };
  }

  it('answers GetMetadata (fabric-contract-api with a class-transformer that has classToPlain)', async () => {
    const metadata = await evaluate('operator-admin', 'org.hyperledger.fabric:GetMetadata', {});
    expect(Object.keys(metadata.contracts)).to.include.members(['member', 'receivable', 'voucher', 'financing', 'warehouse']);
  });

  it('runs the ledger-core scenario: confirm, issue, pass down three tiers, trace the tier-3 piece to the confirmed receivable', async () => {
    const root = await issued('50000000');
    const t1 = (await submit('supplier1', 'voucher:Transfer', { id: root.id, to: SUPPLIER2(), amount: '20000000' })).result as any;
    expect(t1.voucher.status).to.equal('SPLIT');
    const [toTier2] = t1.children as Array<{ id: string; holder: string }>;
    expect(toTier2).to.include({ id: `${root.id}.1`, holder: SUPPLIER2() });
    const split = (await submit('supplier2', 'voucher:Split', { id: toTier2!.id, amounts: ['5000000', '15000000'] })).result as any;
    const piece = split.children[1] as { id: string };
    const t3 = (await submit('supplier2', 'voucher:Transfer', { id: piece.id, to: SUPPLIER3(), amount: '15000000' })).result as any;
    expect(t3.voucher).to.include({ id: piece.id, holder: SUPPLIER3(), status: 'ACTIVE' });

    const prov = await evaluate('supplier3', 'voucher:Provenance', { id: piece.id });
    expect(prov.lineage.map((s: { id: string }) => s.id)).to.deep.equal([piece.id, toTier2!.id, root.id]);
    expect(prov.receivable).to.include({ id: root.receivableId, status: 'VOUCHERED', debtor: CORE() });
    expect(prov.verdict).to.deep.equal({ financeable: true, reasons: [] });
    const tree = await evaluate('auditor', 'voucher:Tree', { id: root.id });
    expect(tree.root.children.map((c: { id: string }) => c.id)).to.deep.equal([`${root.id}.1`, `${root.id}.2`]);
  });

  it('runs the financing scenario: request, approve, disburse; the bank holds the piece', async () => {
    const root = await issued('1000000');
    const fin = (await submit('supplier1', 'financing:Request', { asset: { type: 'VOUCHER', id: root.id }, bank: BANK(), requestedAmount: '900000' })).result as any;
    expect(fin.status).to.equal('REQUESTED');
    expect(await evaluate('supplier1', 'voucher:Get', { id: root.id })).to.include({ status: 'FINANCING_PENDING', financingId: fin.id });
    const approved = (await submit('bank-maker', 'financing:Approve', { id: fin.id, advanceAmount: '900000', annualRateBps: 450 })).result as any;
    expect(approved.status).to.equal('APPROVED');
    const disbursed = (await submit('bank-maker', 'financing:Disburse', { id: fin.id, paymentRef: 'CNAPS-FABRIC-1' })).result as any;
    expect(disbursed).to.include({ status: 'DISBURSED', paymentRef: 'CNAPS-FABRIC-1' });
    expect(await evaluate('bank-maker', 'voucher:Get', { id: root.id })).to.include({ status: 'FINANCED', holder: BANK() });
    // Double financing of the financed piece is refused by the chaincode on every peer.
    const again = await rejectionOf(submit('bank-maker', 'financing:Request', { asset: { type: 'VOUCHER', id: root.id }, bank: BANK(), requestedAmount: '1000' }));
    expect(again).to.be.instanceOf(LedgerError);
  });

  it('commits exactly one of two concurrent spends of one piece: one VALID, one MVCC_READ_CONFLICT', async () => {
    const root = await issued('2000000');
    const { gateway, client } = rawGateway('supplier1');
    try {
      const contract = gateway.getNetwork('scf').getContract('scf');
      // Both endorsed against the same committed state before either is ordered.
      const spends = [SUPPLIER2(), SUPPLIER3()].map((to) =>
        contract.newProposal('voucher:Transfer', { arguments: [JSON.stringify({ id: root.id, to, amount: '2000000' })] }),
      );
      const endorsed = await Promise.all(spends.map((p) => p.endorse()));
      const submitted = await Promise.all(endorsed.map((t) => t.submit()));
      const statuses = await Promise.all(submitted.map((s) => s.getStatus()));
      expect(statuses.map((s) => s.code).sort()).to.deep.equal([StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT].sort());
      const winner = statuses.findIndex((s) => s.code === StatusCode.VALID);
      const piece = await evaluate('auditor', 'voucher:Get', { id: root.id });
      expect(piece.holder).to.equal([SUPPLIER2(), SUPPLIER3()][winner]);
      const history = await evaluate('auditor', 'voucher:History', { id: root.id });
      expect(history.versions).to.have.length(2); // issued, then exactly one transfer
    } finally {
      gateway.close();
      client.close();
    }
  });

  it("answers every one of 12 issues racing for the core enterprise's one ISSUANCE line: the retries take turns in the conflict lane", async () => {
    const issuanceUsed = async (): Promise<bigint> => {
      const lines = (await evaluate('core-maker', 'creditLine:List', { obligor: CORE(), kind: 'ISSUANCE' })) as { records: { status: string; used: string }[] };
      const active = lines.records.filter((l) => l.status === 'ACTIVE');
      expect(active).to.have.length(1);
      return BigInt(active[0]!.used);
    };
    const receivables: string[] = [];
    for (let i = 0; i < 12; i++) receivables.push(await confirmedReceivable('100000'));
    const usedBefore = await issuanceUsed();
    const issues = await Promise.allSettled(
      receivables.map((receivableId) => submit('core-maker', 'voucher:Issue', { receivableId, amount: '100000', maturityDate: isoDate(90) })),
    );
    expect(issues.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason))).to.deep.equal([]);
    const ids = issues.map((r) => ((r as PromiseFulfilledResult<{ result: unknown }>).value.result as { id: string }).id);
    expect(new Set(ids).size).to.equal(12);
    // Each issue reserved its amount on the line exactly once.
    expect(await issuanceUsed()).to.equal(usedBefore + 12n * 100000n);
  });

  it("computes the invoice's fingerprint on the peers from fields in the transient map, which reach neither the block nor the state", async () => {
    const marker = `TRANSIENT${randomBytes(6).toString('hex').toUpperCase()}`;
    const invoice = { ...freshInvoice(), invoiceNumber: marker, amount: '73519' };
    const registered = await submit('supplier1', 'receivable:Register', { debtor: CORE(), amount: '73519', dueDate: isoDate(120) }, documentsTransient(invoice));
    const rcv = registered.result as { id: string; documents: unknown };
    const fingerprint = fingerprintOf(invoice);
    expect(rcv.documents).to.deep.equal([{ kind: 'INVOICE', fingerprint }]);
    // The same invoice cased and spaced differently is the same document.
    const variant = { ...invoice, invoiceNumber: ` ${marker.toLowerCase()} `, sellerTaxId: invoice.sellerTaxId.toLowerCase() };
    const dup = await rejectionOf(submit('supplier2', 'receivable:Register', { debtor: CORE(), amount: '73519', dueDate: isoDate(120) }, documentsTransient(variant)));
    expect((dup as LedgerError).code).to.equal('DOUBLE_FINANCING');
    expect((dup as LedgerError).detail).to.contain(rcv.id);
    // The block as the channel keeps it (qscc, on the peer that committed it), and the record with its history.
    const { gateway, client } = rawGateway('supplier1');
    try {
      const qscc = gateway.getNetwork('scf').getContract('qscc');
      const block = Buffer.from(await qscc.evaluateTransaction('GetBlockByTxID', 'scf', registered.txId)).toString('latin1');
      expect(block).to.contain(fingerprint).and.to.contain(rcv.id); // the search reads the right block
      expect(block).not.to.contain(marker);
    } finally {
      gateway.close();
      client.close();
    }
    const history = JSON.stringify(await evaluate('supplier1', 'receivable:History', { id: rcv.id }));
    expect(history).to.contain(fingerprint).and.not.to.contain(marker);
  });

  it("refuses an identity of one org doing another org's operation, and writes nothing", async () => {
    const receivableId = await confirmedReceivable('3000000');
    const rcv = (await submit('supplier1', 'receivable:Register', { debtor: CORE(), amount: '3000000', dueDate: isoDate(120) }, documentsTransient(freshInvoice())))
      .result as { id: string };
    const height = await net.ledger.height();
    // A supplier of PlatformMSP confirming what the core enterprise (CoreMSP) owes; a
    // bank (BankMSP) issuing the core enterprise's voucher, on a receivable it may not
    // even see (404, not 403: DESIGN's read rule); the core enterprise registering a
    // member (the operator's, PlatformMSP).
    const attempts: Array<[LedgerIdentity, string, object, string]> = [
      [net.as('supplier1'), 'receivable:Confirm', { id: rcv.id }, 'FORBIDDEN'],
      [net.as('bank-maker'), 'voucher:Issue', { receivableId, amount: '3000000', maturityDate: isoDate(90) }, 'NOT_FOUND'],
      [net.as('core-maker'), 'member:Register', { id: withCheckChar('91310000100000099'), name: 'Not registered', mspId: 'CoreMSP', roles: ['SUPPLIER'] }, 'FORBIDDEN'],
    ];
    for (const [who, name, command, code] of attempts) {
      const err = await rejectionOf(net.ledger.submit(who, name, command));
      expect(err, name).to.be.instanceOf(LedgerError);
      expect((err as LedgerError).code, `${name}: ${(err as LedgerError).message}`).to.equal(code);
    }
    expect(await evaluate('core-maker', 'receivable:Get', { id: receivableId })).to.include({ status: 'CONFIRMED', voucheredAmount: '0' });
    expect(await net.ledger.height()).to.equal(height);
    expect(await evaluate('supplier1', 'receivable:Get', { id: rcv.id })).to.include({ status: 'PENDING' });
  });
});
