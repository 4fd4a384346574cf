import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { osThreadId } from '../../../gateway/src/ledger/embedded/threaded-ledger';
import { cpuByThread, perOperation, ThreadSampler, threadTable } from '../../../scripts/bench/threads';

describe('bench: CPU by thread', () => {
  it('splits the CPU spent between two samples per operation: named threads, and the rest as other threads', () => {
    const before = new Map([
      [1, 100],
      [2, 50],
      [3, 10],
    ]);
    // Thread 3 ended; thread 4 started in between.
    const after = new Map([
      [1, 300],
      [2, 250],
      [4, 40],
    ]);
    expect(perOperation(before, after, { gateway: 1, ledger: 2, client: undefined }, 10)).to.deep.equal({
      gateway: 20,
      ledger: 20,
      client: 0,
      'other threads': 4,
    });
  });

  it('keeps one split per measured window by phase, in order, for the thread table', () => {
    const threads = new ThreadSampler();
    expect(threads.sampled).to.equal(false);
    for (const phase of ['a', 'b', 'a']) {
      threads.start();
      const end = Date.now() + 30;
      while (Date.now() < end);
      const split = threads.stop(phase, 1, { 'this thread': osThreadId() });
      expect(split?.['this thread']).to.be.at.least(0);
    }
    expect(threads.sampled).to.equal(true);
    expect(threads.repeats('a')).to.have.length(2);
    expect(threads.repeats('b')).to.have.length(1);
    expect(threads.repeats('c')).to.deep.equal([]);
    // 30 ms of busy loop per window, counted in 10 ms ticks, on this thread.
    expect(threads.repeats('b')[0]?.['this thread']).to.be.within(10, 80);
  });

  // Linux, as the project's machines are (/proc/self/task, /proc/thread-self).
  it('reads this process’s threads, finds a busy worker by the OS id it reports, and counts its CPU to it', async () => {
    const source = `
      const { parentPort } = require('node:worker_threads');
      const { readFileSync, readlinkSync } = require('node:fs');
      parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').pop()));
      // Busy until this thread itself has run 300 ms (utime + stime, in 10 ms ticks), however busy the machine is.
      const ticks = () => { const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
      parentPort.once('message', () => { const start = ticks(); const cap = Date.now() + 20000; while (ticks() < start + 30 && Date.now() < cap); parentPort.postMessage('done'); });`;
    const worker = new Worker(source, { eval: true });
    try {
      const tid = await new Promise<number>((resolve) => worker.once('message', resolve));
      expect(tid).to.not.equal(osThreadId());
      expect(osThreadId()).to.equal(process.pid);
      const before = cpuByThread();
      expect(before?.has(tid)).to.equal(true);
      worker.postMessage('go');
      await new Promise((resolve) => worker.once('message', resolve));
      const split = perOperation(before as Map<number, number>, cpuByThread() as Map<number, number>, { worker: tid, main: process.pid }, 1);
      expect(split.worker).to.be.greaterThan(200);
      expect(split.main).to.be.lessThan(split.worker as number);
    } finally {
      await worker.terminate();
    }
  });

  it('prints medians per thread and of the totals, one row per phase with repeats', () => {
    const table = threadTable([
      { phase: 'direct', repeats: [{ main: 1, other: 0.5 }, { main: 3, other: 0.5 }, { main: 2, other: 1.5 }] },
      { phase: 'none', repeats: [] },
    ]);
    const lines = table.split('\n');
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(/^\| phase\s+\|\s+main \|\s+other \| all threads \|$/);
    expect(lines[2]).to.match(/^\| direct \|\s+2\.000 \|\s+0\.500 \|\s+3\.500 \|$/);
  });
});
