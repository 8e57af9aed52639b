// The part of autocannon 9's library API the bench uses (the package ships no types).
declare module 'autocannon' {
  type Percentiles = { p50: number; p99: number; average: number; max: number };
  type Result = {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    latency: Percentiles;
    requests: Percentiles & { total: number };
    statusCodeStats: Record<string, { count: number } | undefined>;
  };
  type Options = {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    overallRate?: number;
    requests?: { method: string; path: string; headers?: Record<string, string>; body?: string; onResponse?: (status: number, body: string) => void }[];
  };
  export default function autocannon(options: Options): Promise<Result>;
}
