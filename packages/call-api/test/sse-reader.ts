// Reads a Server-Sent Events stream (GET /events) for the tests: each message's id and parsed data, comments counted.
export type SseMessage = { id: string | undefined; data: any };

export type SseReader = {
  status: number;
  /** Every message received so far, in order. */
  messages: SseMessage[];
  comments: string[];
  /** Resolves when the stream ends (or was aborted). */
  ended: Promise<void>;
  /** Waits until `count` messages came (or fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
};

export async function openSse(url: string, headers: Record<string, string>): Promise<SseReader> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  let notify = () => {};
  const reader: SseReader = {
    status: response.status,
    messages,
    comments,
    ended: Promise.resolve(),
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = performance.now() + timeoutMs;
      while (messages.length < count) {
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`${messages.length} of ${count} messages after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 100));
          notify = () => (clearTimeout(timer), resolve());
        });
      }
      return messages.slice(0, count);
    },
    close: () => abort.abort(),
  };
  if (!response.ok || !response.body) return reader;
  reader.ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id: string | undefined;
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id:')) id = line.slice(3).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trimStart();
          }
          if (data) messages.push({ id, data: JSON.parse(data) });
        }
        notify();
      }
    } catch {
      // aborted, or the server ended the connection
    }
  })();
  return reader;
}
