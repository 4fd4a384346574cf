'use strict';

/*
 * Hyperledger Caliper workload module for SCF Ledger (Caliper 0.6, Fabric
 * peer-gateway connector). One module, three operations chosen by the
 * round's `op` argument:
 *
 *   transfer     supplier1 hands a whole voucher piece to supplier2
 *   split        supplier1 splits a piece in two
 *   provenance   supplier1 reads a piece's provenance (an evaluate)
 *
 * Each worker mints the pieces it consumes in initializeWorkloadModule:
 * registers a receivable with its invoice's canonical fields in the
 * transient map, has the core enterprise confirm it and issue a voucher,
 * then splits the root 20 ways and each child 20 ways (400 pieces a root).
 * The members are the demo set the gateway sets up on the network; their
 * ids come from the round arguments (benchmark.yaml).
 *
 * Caliper needs only the createWorkloadModule export, so this file requires
 * nothing from Caliper and runs from the repository as it is.
 */

const FANOUT = 20;
const LEAF = 10000n; // fen

class ScfWorkload {
  async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter) {
    this.worker = workerIndex;
    this.args = roundArguments;
    this.sut = sutAdapter;
    this.next = 0;
    const wanted = Math.ceil(Number(roundArguments.txPerWorker ?? 100));
    this.pieces = await this.mint(wanted, `${roundIndex}-${workerIndex}`);
  }

  request(invoker, fn, command, extra = {}) {
    const mspId = invoker === this.args.coreIdentity ? this.args.coreMspId : this.args.supplierMspId;
    return {
      contractId: this.args.contract ?? 'scf',
      contractFunction: fn,
      contractArguments: [JSON.stringify(command)],
      invokerIdentity: invoker,
      invokerMspId: mspId,
      readOnly: false,
      ...extra,
    };
  }

  async must(request) {
    const status = await this.sut.sendRequests(request);
    if (status.GetStatus() !== 'success') {
      throw new Error(`setup ${request.contractFunction} failed: ${status.GetErrMsg ? JSON.stringify(status.GetErrMsg()) : status.GetStatus()}`);
    }
    const result = status.GetResult();
    return result && result.length > 0 ? JSON.parse(Buffer.from(result).toString('utf8')) : undefined;
  }

  /**
   * Every issue by the core enterprise reserves on its one ISSUANCE credit
   * line, so two workers issuing at once conflict on that line's key
   * (MVCC_READ_CONFLICT). Caliper's connector keeps no reason for a failed
   * transaction (it only logs it), so any failure is submitted again, a
   * bounded number of times: an invalid transaction changed nothing, and a
   * refusal for any other reason fails every attempt the same way.
   */
  async mustDespiteConflicts(request, attempts = 20) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.must(request);
      } catch (err) {
        if (attempt >= attempts) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 200)));
      }
    }
  }

  async mint(wanted, tag) {
    const { supplierIdentity, coreIdentity, core, supplierTaxId } = this.args;
    const perRoot = FANOUT * FANOUT;
    const roots = Math.ceil(wanted / perRoot);
    const childAmount = LEAF * BigInt(FANOUT);
    const rootAmount = childAmount * BigInt(FANOUT);
    const parts = (amount) => Array.from({ length: FANOUT }, () => String(amount / BigInt(FANOUT)));
    const maturity = new Date(Date.now() + 180 * 86400000).toISOString().slice(0, 10);
    const pieces = [];
    for (let r = 0; r < roots; r++) {
      const invoice = {
        kind: 'INVOICE',
        sellerTaxId: supplierTaxId,
        invoiceCode: '',
        invoiceNumber: `CALIPER-${tag}-${Date.now().toString(36)}-${r}`,
        amount: String(rootAmount),
        issueDate: '2026-01-02',
      };
      const documents = Buffer.from(JSON.stringify([invoice]), 'utf8');
      const rcv = await this.must(
        this.request(supplierIdentity, 'receivable:Register', { debtor: core, amount: String(rootAmount), dueDate: maturity }, { transientMap: { documents } }),
      );
      await this.must(this.request(coreIdentity, 'receivable:Confirm', { id: rcv.id }));
      const voucher = await this.mustDespiteConflicts(this.request(coreIdentity, 'voucher:Issue', { receivableId: rcv.id, amount: String(rootAmount), maturityDate: maturity }));
      await this.must(this.request(supplierIdentity, 'voucher:Split', { id: voucher.id, amounts: parts(rootAmount) }));
      const children = Array.from({ length: FANOUT }, (_, k) => `${voucher.id}.${k + 1}`);
      const needed = Math.ceil((wanted - pieces.length) / FANOUT);
      await Promise.all(children.slice(0, needed).map((id) => this.must(this.request(supplierIdentity, 'voucher:Split', { id, amounts: parts(childAmount) }))));
      for (const child of children.slice(0, needed)) {
        for (let k = 1; k <= FANOUT; k++) pieces.push(`${child}.${k}`);
      }
    }
    return pieces;
  }

  piece() {
    const id = this.pieces[this.next++];
    if (id === undefined) throw new Error(`worker ${this.worker} ran out of pieces: raise txPerWorker`);
    return id;
  }

  async submitTransaction() {
    const { op, supplierIdentity, supplier2 } = this.args;
    if (op === 'transfer') {
      return this.sut.sendRequests(this.request(supplierIdentity, 'voucher:Transfer', { id: this.piece(), to: supplier2, amount: String(LEAF) }));
    }
    if (op === 'split') {
      const half = String(LEAF / 2n);
      return this.sut.sendRequests(this.request(supplierIdentity, 'voucher:Split', { id: this.piece(), amounts: [half, half] }));
    }
    if (op === 'provenance') {
      // Reads reuse the worker's pieces round-robin (they stay ACTIVE).
      const id = this.pieces[this.next++ % this.pieces.length];
      return this.sut.sendRequests(this.request(supplierIdentity, 'voucher:Provenance', { id }, { readOnly: true }));
    }
    throw new Error(`unknown op ${op}: use transfer, split or provenance`);
  }

  async cleanupWorkloadModule() {}
}

function createWorkloadModule() {
  return new ScfWorkload();
}

module.exports.createWorkloadModule = createWorkloadModule;
