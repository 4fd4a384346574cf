/*
 * The worker side of ThreadedLedger (threaded-ledger.ts): opens the
 * EmbeddedLedger on this thread and answers the gateway thread's calls.
 */
import '../../chaincode-logs';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { CallerIdentity, CallOptions, ClockAdvanceRequest, LedgerEvent } from '../ledger';
import { EmbeddedLedger } from './embedded-ledger';
import { type FromWorker, type Method, osThreadId, type ToWorker, toWire, type WorkerData } from './threaded-ledger';

interface Subscription {
  iterator: AsyncIterator<LedgerEvent>;
  abort: AbortController;
}

async function serve(port: MessagePort, data: WorkerData): Promise<void> {
  const send = (m: FromWorker) => port.postMessage(m);
  let ledger: EmbeddedLedger;
  try {
    ledger = await EmbeddedLedger.open(data.dataDir, { ...data.options, logger: { info: (obj, msg) => send({ kind: 'log', obj, msg }) } });
  } catch (err) {
    send({ kind: 'open-failed', error: toWire(err) });
    port.close();
    return;
  }
  const subscriptions = new Map<number, Subscription>();

  const methods: Record<Method, (...args: never[]) => unknown> = {
    submit: (identity: CallerIdentity, name: string, command: object, opts?: CallOptions) => ledger.submit(identity, name, command, opts),
    evaluate: (identity: CallerIdentity, name: string, command: object, opts?: CallOptions) => ledger.evaluate(identity, name, command, opts),
    transactionStatus: (txId: string) => ledger.transactionStatus(txId),
    checkCursor: (cursor: string) => ledger.checkCursor(cursor),
    height: () => ledger.height(),
    ready: () => ledger.ready(),
    conflictStats: () => ledger.conflictStats(),
    commitStats: () => ledger.commitStats(),
    advanceClock: (request: ClockAdvanceRequest) => ledger.sandboxClock.advance(request),
    subscribe: (subscription: number, fromCursor?: string) => {
      const abort = new AbortController();
      const iterator = ledger.events(fromCursor, { signal: abort.signal })[Symbol.asyncIterator]();
      subscriptions.set(subscription, { iterator, abort });
    },
    next: async (subscription: number) => {
      const sub = subscriptions.get(subscription);
      if (!sub) return { done: true, value: undefined };
      const step = await sub.iterator.next();
      if (step.done) subscriptions.delete(subscription);
      return step;
    },
    // Closing the ledger ends every event stream it serves.
    close: () => ledger.close(),
  };

  port.on('message', (m: ToWorker) => {
    if (m.kind === 'cancel') {
      const sub = subscriptions.get(m.subscription);
      subscriptions.delete(m.subscription);
      sub?.abort.abort();
      void sub?.iterator.return?.();
      return;
    }
    const method = methods[m.method] as (...args: unknown[]) => unknown;
    Promise.resolve()
      .then(() => method(...m.args))
      .then(
        (value) => send({ kind: 'answer', id: m.id, ok: true, value }),
        (err: unknown) => send({ kind: 'answer', id: m.id, ok: false, error: toWire(err) }),
      );
  });
  send({ kind: 'opened', enabled: ledger.sandboxClock.enabled, advances: ledger.sandboxClock.advances(), osThreadId: osThreadId() });
}

if (!parentPort) throw new Error('ledger-worker.ts runs as a worker thread of ThreadedLedger');
void serve(parentPort, workerData as WorkerData);
