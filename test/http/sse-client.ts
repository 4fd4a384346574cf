import http from 'node:http';

export interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/** A minimal Server-Sent Events reader for tests: frames, comments and the close. */
export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  status = 0;
  contentType = '';
  body = '';
  ended = false;
  private buffer = '';
  private req: http.ClientRequest | undefined;
  private waiters: Array<() => void> = [];

  static open(url: string, headers: Record<string, string>): Promise<SseClient> {
    const c = new SseClient();
    return new Promise((resolve, reject) => {
      c.req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
        c.status = res.statusCode ?? 0;
        c.contentType = String(res.headers['content-type'] ?? '');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (c.status !== 200) c.body += chunk;
          else c.feed(chunk);
        });
        res.on('end', () => {
          c.ended = true;
          c.wake();
        });
        res.on('error', () => undefined);
        resolve(c);
      });
      c.req.on('error', (err) => (c.status === 0 ? reject(err) : undefined));
    });
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let sep: number;
    while ((sep = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, sep);
      this.buffer = this.buffer.slice(sep + 2);
      const e: SseEvent = { id: undefined, event: undefined, data: '' };
      let isEvent = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments += 1;
        else if (line.startsWith('id: ')) (e.id = line.slice(4)), (isEvent = true);
        else if (line.startsWith('event: ')) e.event = line.slice(7);
        else if (line.startsWith('data: ')) e.data += line.slice(6);
      }
      if (isEvent) this.events.push(e);
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves once `predicate` holds; rejects after `ms`. */
  async until(predicate: (c: SseClient) => boolean, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`SSE condition not met in ${ms} ms (${this.events.length} events, ended=${this.ended})`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close(): void {
    this.req?.destroy();
  }
}
