/**
 * A readers-writer lock that prefers writers, as the peer's commit lock does:
 * simulations share it, a block commit takes it alone, and a waiting commit
 * holds back simulations that arrive after it. Releasing is idempotent.
 */
export class ReadWriteLock {
  private readers = 0;
  private writer = false;
  private readonly waiting: { write: boolean; grant: () => void }[] = [];

  read(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.readers++;
        resolve(this.once(() => {
          this.readers--;
          this.pump();
        }));
      };
      if (!this.writer && this.waiting.length === 0) grant();
      else this.waiting.push({ write: false, grant });
    });
  }

  write(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.writer = true;
        resolve(this.once(() => {
          this.writer = false;
          this.pump();
        }));
      };
      if (!this.writer && this.readers === 0 && this.waiting.length === 0) grant();
      else this.waiting.push({ write: true, grant });
    });
  }

  private pump(): void {
    for (;;) {
      const next = this.waiting[0];
      if (!next || this.writer) return;
      if (next.write) {
        if (this.readers > 0) return;
        this.waiting.shift();
        next.grant();
        return;
      }
      this.waiting.shift();
      next.grant();
    }
  }

  private once(fn: () => void): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      fn();
    };
  }
}
