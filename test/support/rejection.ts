/**
 * The error a promise rejects with; fails the test if it resolves. Typed
 * loosely by default so a test can check any property (code, txId,
 * detail...), or as the error type the caller names.
 */
export async function rejectionOf<E extends Error = Error & Record<string, any>>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (err) {
    return err as E;
  }
  throw new Error('expected a rejection');
}
