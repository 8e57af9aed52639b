// call-api over HTTP with one key: JSON in and out, and the retries the edge's contract asks for (503 Retry-After).
import { setTimeout as sleep } from 'node:timers/promises';

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /**
   * A request the routing worker decides on (answer, decline, hang-up, status): a 503 means it did not decide in time or
   * had not received the call yet, nothing or something may be done, and the contract says retry; so does a lost
   * connection. Other answers are returned as they are.
   */
  async decided<T = unknown>(method: string, path: string, body?: unknown, attempts = 10): Promise<ApiAnswer<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.request<T>(method, path, body);
        if (answer.status !== 503 || attempt >= attempts) return answer;
      } catch (error) {
        if (attempt >= attempts) throw error;
      }
      await sleep(1_000);
    }
  }

  /** Every item of a paged list (`items`, `nextCursor`). */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const answer: ApiAnswer<{ items: T[]; nextCursor: string | null }> = await this.request(
        'GET',
        `${path}${separator}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      items.push(...answer.body.items);
      cursor = answer.body.nextCursor;
    } while (cursor);
    return items;
  }
}

/** Throws with the answer when its status is not one expected. */
export function expectStatus<T>(what: string, answer: ApiAnswer<T>, ...statuses: number[]): ApiAnswer<T> {
  if (!statuses.includes(answer.status)) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
}
