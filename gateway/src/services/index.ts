import type { Ledger, LedgerEvent, TransactionStatus } from '../ledger/ledger';
import { LedgerCalls } from './calls';
import { FingerprintService } from './fingerprints';
import { MemberService } from './members';
import { ReceivableService } from './receivables';
import { VoucherService } from './vouchers';

/** Commit status and the event stream: thin, but kept behind the service seam too. */
export class LedgerInfoService {
  constructor(private readonly ledger: Ledger) {}
  transaction(txId: string): Promise<TransactionStatus> {
    return this.ledger.transactionStatus(txId);
  }
  events(afterCursor: string | undefined, signal: AbortSignal): AsyncIterable<LedgerEvent> {
    return this.ledger.events(afterCursor, { signal });
  }
}

export interface Services {
  members: MemberService;
  receivables: ReceivableService;
  vouchers: VoucherService;
  fingerprints: FingerprintService;
  ledger: LedgerInfoService;
}

export function createServices(ledger: Ledger, options: { submitDeadlineMs?: number } = {}): Services {
  const calls = new LedgerCalls(ledger, options.submitDeadlineMs);
  return {
    members: new MemberService(calls),
    receivables: new ReceivableService(calls),
    vouchers: new VoucherService(calls),
    fingerprints: new FingerprintService(calls),
    ledger: new LedgerInfoService(ledger),
  };
}
