import * as grpc from '@grpc/grpc-js';
import { connect, type Gateway, StatusCode } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import {
  type CallOptions,
  type Ledger,
  LedgerError,
  type LedgerEvent,
  type CallerIdentity,
  type LedgerIdentity,
  type SubmitOptions,
  type SubmitResult,
  type TransactionStatus,
} from '../ledger';
import { ConflictLanes } from '../conflict-lane';
import { type RetryPolicy, sleep } from '../retry';
import { asGatewayError, GRPC, mapProposalError } from './errors';
import { type EventLogger, fabricEvents, parseFabricCursor } from './events';
import type { FabricProfile } from './profile';
import { HeightTracker } from './heights';
import { endorsementWriteKeys, endorsementWritesNothing } from './rwset';
import { signingWith } from './signer';
import { type ContractLike, DEFAULT_DEADLINES, type Deadlines, evaluateFlow, submitFlow } from './submit';

/**
 * How soon the connector dials a peer again after a failed connection.
 * gRPC's default backoff grows to 120 s: after a peer had been down for
 * 40 s while the gateway kept asking it (the readiness probe, the event
 * stream), every call failed for another 13 s after the peer was back. A
 * peer is a few hops away, and a dial every 2 s at most costs nothing.
 */
const PEER_RECONNECT = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2_000 };

/** How many event cursors checkCursor remembers as found (a resuming client's, the outbox's). */
const MAX_CURSORS_KEPT = 1024;

const STATUS_NAMES = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code as number, name]));

export interface FabricLedgerOptions {
  deadlines?: Deadlines;
  retry?: RetryPolicy;
  /**
   * How long checkCursor waits for the peer to reach a cursor's block before
   * judging the cursor another chain's (default 5 s): a cursor another
   * gateway had from a peer slightly ahead of ours is not refused.
   */
  cursorCatchUpMs?: number;
  /** Receives event-stream failures (each reconnect, and a permanent refusal). */
  logger?: EventLogger;
}

/**
 * Ledger over a Fabric network: each call goes to a peer of the caller's own
 * org, signed with the caller's identity. The flow logic (retries, error
 * mapping) lives in submit.ts and events.ts; this class only wires gRPC.
 */
export class FabricLedger implements Ledger {
  private readonly clients = new Map<string, grpc.Client>();
  private readonly gateways = new Map<string, Gateway>();
  private readonly deadlines: Deadlines;
  private readonly closing = new AbortController();
  /** Read-your-writes across orgs' peers (heights.ts). */
  private readonly heights = new HeightTracker();
  /** Retries after a read conflict queue here, per function (conflict-lane.ts). */
  private readonly lanes = new ConflictLanes();
  /** Event cursors checkCursor found on this chain (at most MAX_CURSORS_KEPT, then forgotten together). */
  private readonly cursorsOnChain = new Set<string>();

  constructor(
    private readonly profile: FabricProfile,
    private readonly options: FabricLedgerOptions = {},
  ) {
    this.deadlines = options.deadlines ?? DEFAULT_DEADLINES;
  }

  async submit(identity: CallerIdentity, name: string, command: object, opts?: SubmitOptions): Promise<SubmitResult> {
    const contract = this.contract(identity);
    await this.heights.caughtUp(identity.mspId, () => this.peerHeight(identity.mspId));
    const endorsers = new Map([...this.profile.peers.keys()].map((mspId) => [mspId, () => this.peerHeight(mspId)]));
    const result = await this.heights.withEndorsersCaughtUp(
      () =>
        submitFlow(contract, name, command, {
          deadlines: this.deadlines,
          retry: this.options.retry,
          deadlineMs: opts?.deadlineMs,
          transient: opts?.transient,
          writesNothing: (tx) => endorsementWritesNothing(tx.getBytes()),
          writeKeys: (tx) => endorsementWriteKeys(tx.getBytes()),
          commitStatus: (txId) => this.transactionStatus(txId),
          lanes: this.lanes,
        }),
      endorsers,
      refusedOnState,
    );
    if (result.blockNumber !== undefined) this.heights.committed(identity.mspId, result.blockNumber);
    return result;
  }

  async evaluate(identity: CallerIdentity, name: string, command: object, opts?: CallOptions): Promise<unknown> {
    const contract = this.contract(identity);
    await this.heights.caughtUp(identity.mspId, () => this.peerHeight(identity.mspId));
    return evaluateFlow(contract, name, command, {
      deadlines: this.deadlines,
      deadlineMs: opts?.deadlineMs,
      transient: opts?.transient,
    });
  }

  async transactionStatus(txId: string): Promise<TransactionStatus> {
    const qscc = this.gateway(this.profile.serviceIdentity).getNetwork(this.profile.channel).getContract('qscc');
    const deadline = () => new Date(Date.now() + this.deadlines.evaluateMs);
    let processed: Uint8Array;
    let blockBytes: Uint8Array;
    try {
      processed = await qscc.newProposal('GetTransactionByID', { arguments: [this.profile.channel, txId] }).evaluate({ deadline: deadline() });
      blockBytes = await qscc.newProposal('GetBlockByTxID', { arguments: [this.profile.channel, txId] }).evaluate({ deadline: deadline() });
    } catch (err) {
      // qscc answers an unknown id with an error response (gRPC UNKNOWN: "chaincode
      // response 500, ..."). Anything else (a refused query, an unreachable peer) is
      // not an answer about the transaction and must not read as "no such transaction".
      if (asGatewayError(err)?.code !== GRPC.UNKNOWN) throw mapProposalError(err);
      throw new LedgerError('NOT_FOUND', `no transaction ${txId} on channel ${this.profile.channel}`, { txId, cause: err });
    }
    const code = peer.ProcessedTransaction.deserializeBinary(processed).getValidationcode();
    const blockNumber = common.Block.deserializeBinary(blockBytes).getHeader()?.getNumber() ?? 0;
    return { txId, blockNumber, validationCode: STATUS_NAMES.get(code) ?? String(code), valid: code === StatusCode.VALID };
  }

  /**
   * Channel height (blocks), from qscc at the service identity's peer, once
   * that peer has every block this gateway's own writes committed in
   * (heights.ts): a write answered before the call is always counted, even
   * when it went through another org's peer. Tests use it to prove a request
   * added no transaction.
   */
  async height(): Promise<number> {
    const asker = this.profile.serviceIdentity;
    // The wait's last reading is the answer; asked afresh when there was no wait.
    return (await this.heights.caughtUp(asker.mspId, () => this.chainHeight(asker))) ?? this.chainHeight(asker);
  }

  /** The height of `mspId`'s peer, asked as an identity of that org the profile holds. */
  private peerHeight(mspId: string): Promise<number> {
    const asker = this.profile.identities.find((i) => i.identity.mspId === mspId)?.identity;
    if (!asker) return Promise.reject(new Error(`no identity of ${mspId} in the profile`));
    return this.chainHeight(asker);
  }

  private async chainHeight(identity: LedgerIdentity): Promise<number> {
    const qscc = this.gateway(identity).getNetwork(this.profile.channel).getContract('qscc');
    try {
      const bytes = await qscc
        .newProposal('GetChainInfo', { arguments: [this.profile.channel] })
        .evaluate({ deadline: new Date(Date.now() + this.deadlines.evaluateMs) });
      return common.BlockchainInfo.deserializeBinary(bytes).getHeight();
    } catch (err) {
      throw mapProposalError(err);
    }
  }

  /**
   * A peer of the service identity's org answers qscc: the connector can
   * reach the network. The probe answers at once with what that peer says; it
   * never waits for the peer to catch up with the gateway's writes.
   */
  ready(): Promise<number> {
    return this.chainHeight(this.profile.serviceIdentity);
  }

  /**
   * A Fabric cursor carries its transaction id: it is on this chain when the
   * service identity's peer has that transaction in the cursor's block. A
   * peer that has not reached the block yet is given cursorCatchUpMs to do
   * so; a cursor past the height after that, or whose transaction is not in
   * a block the peer has, is another chain's.
   */
  async checkCursor(cursor: string): Promise<void> {
    const c = parseFabricCursor(cursor);
    // A transaction never leaves its block: a cursor found once is on this chain for good. The
    // SSE handler and the webhook outbox ask before they open a stream, which asks again.
    if (this.cursorsOnChain.has(cursor)) return;
    const end = Date.now() + (this.options.cursorCatchUpMs ?? 5_000);
    const notHere = (why: string) => new LedgerError('NOT_FOUND', `event cursor ${cursor} is not on channel ${this.profile.channel}: ${why}`);
    for (;;) {
      // The height first: a block that was there before the transaction was looked up holds it, if this chain has it.
      const height = BigInt(await this.chainHeight(this.profile.serviceIdentity));
      const status = await this.transactionStatus(c.txId).catch((err: unknown) => {
        if (err instanceof LedgerError && err.code === 'NOT_FOUND') return undefined;
        throw err;
      });
      if (status !== undefined) {
        if (BigInt(status.blockNumber) === c.blockNumber) {
          if (this.cursorsOnChain.size >= MAX_CURSORS_KEPT) this.cursorsOnChain.clear();
          this.cursorsOnChain.add(cursor);
          return;
        }
        throw notHere(`it names block ${c.blockNumber} for transaction ${c.txId}, which is in block ${status.blockNumber}`);
      }
      if (c.blockNumber < height) throw notHere(`block ${c.blockNumber} does not hold transaction ${c.txId}`);
      if (Date.now() >= end) throw notHere(`it names block ${c.blockNumber} and the channel has ${height} blocks (was the network purged and brought up again?)`);
      await sleep(250);
    }
  }

  events(fromCursor?: string, opts?: { signal?: AbortSignal }): AsyncIterable<LedgerEvent> {
    if (fromCursor !== undefined) parseFabricCursor(fromCursor); // a malformed cursor fails now, not on first read
    const signal = opts?.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    return fabricEvents(
      {
        // Connected on each (re)open, so a closed ledger never reconnects.
        open: (checkpoint) =>
          this.gateway(this.profile.serviceIdentity)
            .getNetwork(this.profile.channel)
            .getChaincodeEvents(this.profile.chaincode, { checkpoint, startBlock: 0n }),
        verify: (cursor) => this.checkCursor(cursor),
      },
      fromCursor,
      signal,
      undefined,
      this.options.logger,
    );
  }

  close(): Promise<void> {
    this.closing.abort();
    for (const g of this.gateways.values()) g.close();
    for (const c of this.clients.values()) c.close();
    this.gateways.clear();
    this.clients.clear();
    return Promise.resolve();
  }

  private contract(identity: CallerIdentity): ContractLike {
    return this.gateway(identity).getNetwork(this.profile.channel).getContract(this.profile.chaincode);
  }

  private gateway(identity: CallerIdentity): Gateway {
    // After close() nothing reconnects: a late call would leave a gRPC channel open.
    if (this.closing.signal.aborted) throw new LedgerError('LEDGER_UNAVAILABLE', 'the ledger is shutting down');
    // A peer takes only signed proposals: an identity whose key its member keeps cannot be used here.
    if (identity.privateKey === undefined) {
      throw new LedgerError(
        'FORBIDDEN',
        `the Fabric connector signs every proposal and holds no private key for this ${identity.mspId} certificate: enrol the identity with the org's CA and add its certificate and key to the gateway profile`,
      );
    }
    // The key is part of the cache key: a gateway signs with the key it was created with.
    const key = `${identity.mspId}\u0000${identity.certificate}\u0000${identity.privateKey}`;
    const existing = this.gateways.get(key);
    if (existing) return existing;
    const gw = connect({
      client: this.client(identity.mspId),
      identity: { mspId: identity.mspId, credentials: Buffer.from(identity.certificate, 'utf8') },
      ...signingWith(identity.privateKey),
    });
    this.gateways.set(key, gw);
    return gw;
  }

  private client(mspId: string): grpc.Client {
    const existing = this.clients.get(mspId);
    if (existing) return existing;
    const peerConfig = this.profile.peers.get(mspId);
    if (!peerConfig) throw new LedgerError('LEDGER_UNAVAILABLE', `no peer configured for ${mspId}`);
    const client = new grpc.Client(peerConfig.endpoint, grpc.credentials.createSsl(peerConfig.tlsRootCert), {
      ...PEER_RECONNECT,
      ...(peerConfig.hostAlias ? { 'grpc.ssl_target_name_override': peerConfig.hostAlias } : {}),
    });
    this.clients.set(mspId, client);
    return client;
  }
}

/**
 * A refusal the chaincode makes from what it reads, which a peer behind the
 * latest blocks can make wrongly; nothing was ordered (no tx id). Not
 * VALIDATION_FAILED (the command alone decides it) nor the ledger's own
 * failures.
 */
const STATE_REFUSALS: ReadonlySet<string> = new Set([
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_STATE',
  'DOUBLE_FINANCING',
  'ALREADY_EXISTS',
  'BUSINESS_RULE',
  'FROZEN',
]);

function refusedOnState(err: unknown): boolean {
  return err instanceof LedgerError && err.txId === undefined && STATE_REFUSALS.has(err.code);
}
