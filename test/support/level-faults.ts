import type { ClassicLevel } from 'classic-level';
import sinon from 'sinon';

type Db = ClassicLevel<Buffer, Buffer>;

/**
 * Makes every block write of `db` fail as a full disk would: each chained
 * batch the backend builds is real, but its write rejects (and the batch is
 * closed, as abstract-level closes a batch whose write failed). The stub of
 * `db.batch` counts the batches begun.
 */
export function failBatchWrites(db: Db, error: () => Error): sinon.SinonStub {
  const real = db.batch.bind(db) as () => ReturnType<Db['batch']>;
  return sinon.stub(db, 'batch').callsFake((() => {
    const batch = real();
    sinon.stub(batch, 'write').callsFake(async () => {
      await batch.close();
      throw error();
    });
    return batch;
  }));
}
