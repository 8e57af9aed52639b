// Closed-loop load with autocannon (as a library): the most requests per second a server answers at a given concurrency.
import autocannon from 'autocannon';

export type MaxLoadResult = {
  requestsPerSec: number;
  /** Answers with the status the route should give (202). */
  accepted: number;
  /** Every answer that is not the expected status, plus connection errors and timeouts. */
  errors: number;
  p50Ms: number;
  p99Ms: number;
  durationSec: number;
};

export type MaxLoadOptions = {
  url: string;
  connections: number;
  durationSec: number;
  body: unknown;
  /** Sent with each request besides content-type (the API key). */
  headers?: Record<string, string>;
  expectStatus?: number;
  /** Called with each expected answer's body (only when given: reading bodies costs the generator time). */
  onAccepted?: (body: string) => void;
};

export async function maxLoad({ url, connections, durationSec, body, headers = {}, expectStatus = 202, onAccepted }: MaxLoadOptions): Promise<MaxLoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: durationSec,
    requests: [{
      method: 'POST', path: '/call', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body),
      ...(onAccepted ? { onResponse: (status: number, responseBody: string) => status === expectStatus && onAccepted(responseBody) } : {}),
    }],
  });
  const accepted = Number(result.statusCodeStats[String(expectStatus) as keyof typeof result.statusCodeStats]?.count ?? 0);
  const answered = Object.values(result.statusCodeStats).reduce((sum, s) => sum + Number(s?.count ?? 0), 0);
  return {
    // Only the expected answers count towards the rate; errors are reported apart.
    requestsPerSec: accepted / result.duration,
    accepted,
    errors: answered - accepted + result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    durationSec: result.duration,
  };
}
