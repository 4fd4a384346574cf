import { expect } from 'chai';
import { DemoRefused, setUpDemoWhenReady } from '../../../gateway/src/demo/setup';
import { type Ledger, LedgerError, type LedgerIdentity } from '../../../gateway/src/ledger/ledger';
import { rejectionOf } from '../../support/rejection';

const operator: LedgerIdentity = { mspId: 'PlatformMSP', certificate: 'cert', privateKey: 'key' };
const NO_PLAN = 'the network cannot endorse now: no set of reachable peers satisfies the endorsement policy (peers starting or down); retry';

/** A ledger that reads fine but refuses the first `failures` submits as a converging Fabric network does. */
function convergingLedger(failures: number, error = () => new LedgerError('LEDGER_UNAVAILABLE', NO_PLAN)) {
  const submitted: string[] = [];
  let refused = 0;
  const ledger = {
    evaluate: (_id: LedgerIdentity, name: string) =>
      Promise.reject(name === 'member:WhoAmI' ? new LedgerError('FORBIDDEN', 'not bound') : new LedgerError('NOT_FOUND', 'no member')),
    submit: (_id: LedgerIdentity, name: string) => {
      if (refused < failures) {
        refused++;
        return Promise.reject(error());
      }
      submitted.push(name);
      return Promise.resolve({ txId: 't', result: {}, blockNumber: 1 });
    },
  } as unknown as Ledger;
  return { ledger, submitted };
}

describe('demo set-up on a network that is still converging', () => {
  const identities = new Map([['operator-admin', operator]]);

  it('waits while submits are LEDGER_UNAVAILABLE, says why once, then completes the set-up', async () => {
    const { ledger, submitted } = convergingLedger(3);
    const logged: string[] = [];
    let clock = 0;
    const report = await setUpDemoWhenReady(ledger, identities, {
      log: (m) => logged.push(m),
      sleep: (ms) => ((clock += ms), Promise.resolve()),
      now: () => clock,
    });
    expect(report.bootstrapped).to.equal(true);
    expect(submitted[0]).to.equal('member:Bootstrap');
    expect(submitted.filter((n) => n === 'member:Register')).to.have.length(7);
    expect(logged).to.deep.equal([`demo set-up: waiting for the network to accept transactions (${NO_PLAN})`]);
    expect(clock).to.equal(3_000);
  });

  it('gives up after the bound, naming the cause', async () => {
    const { ledger, submitted } = convergingLedger(Number.POSITIVE_INFINITY);
    let clock = 0;
    const err = await rejectionOf(
      setUpDemoWhenReady(ledger, identities, { timeoutMs: 5_000, sleep: (ms) => ((clock += ms), Promise.resolve()), now: () => clock }),
    );
    expect((err as Error).message).to.equal(`demo set-up: the ledger did not accept transactions within 5 s: ${NO_PLAN}`);
    expect(submitted).to.deep.equal([]);
  });

  it('fails at once on any other error', async () => {
    const { ledger } = convergingLedger(1, () => new LedgerError('FORBIDDEN', 'caller is not the operator org'));
    let slept = 0;
    const err = await rejectionOf(setUpDemoWhenReady(ledger, identities, { sleep: () => (slept++, Promise.resolve()) }));
    expect(err).to.include({ code: 'FORBIDDEN' });
    expect(slept).to.equal(0);
  });

});

describe('demo set-up on a ledger whose operator is not the demo\'s', () => {
  const identities = new Map([['operator-admin', operator]]);
  /** A ledger bootstrapped by `realOperator`: the demo's operator identity is bound to it, or to nobody (unbound since). */
  function ledgerOf(realOperator: string, operatorIdentityBound: boolean) {
    const submitted: string[] = [];
    const ledger = {
      evaluate: (_id: LedgerIdentity, name: string) =>
        name === 'member:WhoAmI' && operatorIdentityBound ? Promise.resolve({ member: { id: realOperator } }) : Promise.reject(new LedgerError('FORBIDDEN', 'not bound')),
      submit: (_id: LedgerIdentity, name: string) => {
        submitted.push(name);
        return Promise.reject(new LedgerError('ALREADY_EXISTS', `the ledger was already bootstrapped by ${realOperator}`));
      },
    } as unknown as Ledger;
    return { ledger, submitted };
  }

  it('refuses, writing nothing, when the operator identity is bound to another member', async () => {
    const { ledger, submitted } = ledgerOf('91310115MA1K4LXX05', true);
    const err = await rejectionOf(setUpDemoWhenReady(ledger, identities));
    expect(err).to.be.instanceOf(DemoRefused);
    expect(err.message).to.contain("this ledger's operator is member 91310115MA1K4LXX05, not the demo's").and.to.contain('SCF_DEMO=false');
    expect(submitted).to.deep.equal([]);
  });

  it('refuses with the same words when that identity was unbound since (the Bootstrap names the operator)', async () => {
    const { ledger, submitted } = ledgerOf('91310115MA1K4LXX05', false);
    const err = await rejectionOf(setUpDemoWhenReady(ledger, identities));
    expect(err).to.be.instanceOf(DemoRefused);
    expect(err.message).to.contain("this ledger's operator is member 91310115MA1K4LXX05, not the demo's");
    expect(submitted).to.deep.equal(['member:Bootstrap']);
  });
});
