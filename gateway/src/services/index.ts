import { type Ledger, LedgerError, type LedgerEvent, type TransactionStatus } from '../ledger/ledger';
import { ApprovalService } from './approvals';
import { LedgerCalls } from './calls';
import { type CredentialAuthority, CredentialService } from './credentials';
import { CreditLineService } from './credit-lines';
import { FinancingService } from './financings';
import { FingerprintService } from './fingerprints';
import { FreezeService } from './freezes';
import { MaintenanceService } from './maintenance';
import { MemberService } from './members';
import { ReceivableService } from './receivables';
import { type CreditLineLookup, ReportService } from './reports';
import { SandboxClockService } from './sandbox-clock';
import { VoucherService } from './vouchers';
import { WarehouseReceiptService } from './warehouse-receipts';
import { WebhookService } from './webhooks';
import { ledgerNow, type Notifications } from '../webhooks';
import { LedgerCreditLines } from '../reports/credit-line-lookup';

/** Commit status and the event stream: thin, but kept behind the service seam too. */
export class LedgerInfoService {
  constructor(private readonly ledger: Ledger) {}
  transaction(txId: string): Promise<TransactionStatus> {
    return this.ledger.transactionStatus(txId);
  }
  events(afterCursor: string | undefined, signal: AbortSignal): AsyncIterable<LedgerEvent> {
    return this.ledger.events(afterCursor, { signal });
  }
  /**
   * Refuses a resume cursor that is not on this ledger (NOT_FOUND), or that
   * the ledger refuses to judge, before a stream opens. A ledger that cannot
   * be asked now is not judged here: the stream asks again before its first
   * event, and waits for the ledger.
   */
  async checkResume(cursor: string): Promise<void> {
    try {
      await this.ledger.checkCursor(cursor);
    } catch (err) {
      if (!(err instanceof LedgerError) || err.code !== 'LEDGER_UNAVAILABLE') throw err;
    }
  }
  /** The ledger's height if it can take transactions now; any failure to tell is LEDGER_UNAVAILABLE. */
  async ready(): Promise<number> {
    try {
      return await this.ledger.ready();
    } catch (err) {
      if (err instanceof LedgerError && err.code === 'LEDGER_UNAVAILABLE') throw err;
      throw new LedgerError('LEDGER_UNAVAILABLE', `the ledger cannot be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

export interface Services {
  members: MemberService;
  receivables: ReceivableService;
  vouchers: VoucherService;
  fingerprints: FingerprintService;
  approvals: ApprovalService;
  freezes: FreezeService;
  financings: FinancingService;
  warehouseReceipts: WarehouseReceiptService;
  creditLines: CreditLineService;
  ledger: LedgerInfoService;
  sandboxClock: SandboxClockService;
  credentials: CredentialService;
  webhooks: WebhookService;
  reports: ReportService;
  maintenance: MaintenanceService;
  /** Webhooks, reminders and live notifications; absent when the gateway runs without them. */
  notifications: Notifications | undefined;
}

export interface ServiceOptions {
  submitDeadlineMs?: number;
  /** The embedded network's CA and the credential store; absent on Fabric (issuing credentials is then refused). */
  credentials?: CredentialAuthority | undefined;
  /** The webhook outbox and reminders (openNotifications); without them webhook routes answer 409. */
  notifications?: Notifications | undefined;
  /** Credit lines for the exposure report; by default the on-chain lines (issue 16), read as the caller. */
  creditLines?: CreditLineLookup | undefined;
}

export function createServices(ledger: Ledger, options: ServiceOptions = {}): Services {
  const calls = new LedgerCalls(ledger, options.submitDeadlineMs);
  return {
    members: new MemberService(calls),
    receivables: new ReceivableService(calls),
    vouchers: new VoucherService(calls),
    fingerprints: new FingerprintService(calls),
    approvals: new ApprovalService(calls),
    freezes: new FreezeService(calls),
    financings: new FinancingService(calls),
    warehouseReceipts: new WarehouseReceiptService(calls),
    creditLines: new CreditLineService(calls),
    ledger: new LedgerInfoService(ledger),
    sandboxClock: new SandboxClockService(ledger, calls, () => void options.notifications?.reminders?.trigger()),
    credentials: new CredentialService(calls, options.credentials),
    webhooks: new WebhookService(calls, options.notifications?.outbox),
    reports: new ReportService(calls, ledgerNow(ledger), options.creditLines ?? new LedgerCreditLines(calls)),
    maintenance: new MaintenanceService(calls),
    notifications: options.notifications,
  };
}
