// 95% confidence intervals by batch means: the waits of nearby calls are correlated, so the spread of whole batches'
// means, not of single calls, says how far a long run's mean may be from the truth.

/** Two-sided 95% quantiles of Student's t for 1…30 degrees of freedom; beyond 30 the normal's 1.96 is close enough. */
const t975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function studentT975(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Infinity;
  return t975[degreesOfFreedom - 1] ?? 1.96;
}

export interface BatchMeansInterval {
  /** The mean of the batch means (equal batches: the overall mean). */
  readonly mean: number;
  /** Half-width of the 95% interval: t(n−1) · s / √n over the n batch means. */
  readonly halfWidth: number;
  readonly batches: number;
  /** Lag-1 autocorrelation of the batch means: near 0 when the batches are long enough to be independent. */
  readonly lag1Correlation: number;
}

export function batchMeansInterval(means: readonly number[]): BatchMeansInterval {
  const n = means.length;
  const mean = means.reduce((sum, value) => sum + value, 0) / n;
  const squares = means.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  const variance = squares / (n - 1);
  let lagged = 0;
  for (let i = 1; i < n; i++) lagged += (means[i]! - mean) * (means[i - 1]! - mean);
  return {
    mean,
    halfWidth: n < 2 ? Infinity : studentT975(n - 1) * Math.sqrt(variance / n),
    batches: n,
    lag1Correlation: squares > 0 ? lagged / squares : 0,
  };
}

/** Splits `items` in order into `count` batches of equal size (the last takes the remainder). */
export function splitIntoBatches<T>(items: readonly T[], count: number): T[][] {
  const size = Math.max(1, Math.floor(items.length / count));
  const batches: T[][] = [];
  for (let batch = 0; batch < count && batch * size < items.length; batch++) {
    batches.push(items.slice(batch * size, batch === count - 1 ? items.length : (batch + 1) * size));
  }
  return batches;
}
