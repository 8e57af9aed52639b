// Latency histograms (hdr-histogram-js, microsecond resolution) and the percentiles the report quotes.
import hdr from 'hdr-histogram-js';

export type Percentiles = { count: number; p50Ms: number; p99Ms: number; maxMs: number };

export class LatencyRecorder {
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });

  recordMs(ms: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(ms * 1_000)));
  }

  percentiles(): Percentiles {
    const h = this.histogram;
    const ms = (us: number) => Math.round(us / 10) / 100;
    return { count: h.totalCount, p50Ms: ms(h.getValueAtPercentile(50)), p99Ms: ms(h.getValueAtPercentile(99)), maxMs: ms(h.maxValue) };
  }
}
