import { Agent } from 'node:http';
import { join } from 'node:path';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { osThreadId } from '../../gateway/src/ledger/embedded/threaded-ledger';
import { postJson } from './http-client';
import { type LoadResult, runLoad } from './load';

/**
 * A REST load client on its own thread. In the gateway group the gateway,
 * its connector and the embedded ledger run on the benchmark's main thread;
 * an HTTP client on that same thread would have its request building and
 * response parsing counted as the gateway's cost, which a real client on
 * another machine never adds. Here the closed-loop clients run in a worker
 * thread (the second core) and only the server side shares the main thread
 * with the ledger, as with the direct connector. CPU figures are the
 * process's, so they include the worker.
 */

export interface RestLoadSpec {
  baseUrl: string;
  token: string;
  /** One request per operation index (warm-up first): the path and the JSON body. */
  requests: ReadonlyArray<{ path: string; body: object }>;
  count: number;
  warmup: number;
  concurrency: number;
}

type FromWorker = { kind: 'before-measure'; osThreadId: number | undefined } | { kind: 'done'; result: LoadResult } | { kind: 'failed'; message: string };

/**
 * Runs `spec` in a worker; `beforeMeasure` runs on this thread between
 * warm-up and measurement, told the client thread's OS id (Linux).
 */
export function runRestLoadInWorker(spec: RestLoadSpec, beforeMeasure: (clientThread: number | undefined) => void | Promise<void>): Promise<LoadResult> {
  const worker = new Worker(join(__dirname, 'rest-load-worker.ts'), {
    workerData: spec,
    execArgv: ['-r', 'ts-node/register/transpile-only'],
  });
  return new Promise<LoadResult>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'before-measure') {
        void Promise.resolve(beforeMeasure(m.osThreadId)).then(() => worker.postMessage('go'), reject);
      } else if (m.kind === 'done') resolve(m.result);
      else reject(new Error(`REST load worker: ${m.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`REST load worker exited ${code} without a result`)));
  }).finally(() => void worker.terminate());
}

async function work(port: NonNullable<typeof parentPort>, spec: RestLoadSpec): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  try {
    const result = await runLoad({
      count: spec.count,
      warmup: spec.warmup,
      concurrency: spec.concurrency,
      beforeMeasure: () =>
        new Promise<void>((resolve) => {
          port.once('message', () => resolve());
          port.postMessage({ kind: 'before-measure', osThreadId: osThreadId() } satisfies FromWorker);
        }),
      op: async (i) => {
        const r = spec.requests[i];
        if (!r) throw new RangeError(`no request for operation ${i}`);
        const status = await postJson(agent, `${spec.baseUrl}${r.path}`, spec.token, r.body);
        return status === 200 ? 'VALID' : `HTTP_${status}`;
      },
    });
    port.postMessage({ kind: 'done', result } satisfies FromWorker);
  } catch (err) {
    port.postMessage({ kind: 'failed', message: (err as Error).message } satisfies FromWorker);
  } finally {
    agent.destroy();
  }
}

if (parentPort && workerData) void work(parentPort, workerData as RestLoadSpec);
