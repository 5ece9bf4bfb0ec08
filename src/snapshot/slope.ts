/**
 * Least-squares slope of y over x; null with fewer than two distinct x (the variance is 0).
 * Both series are taken relative to their first value, so a constant y gives exactly 0.
 */
export function leastSquaresSlope(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  if (ys.length !== n) return null;
  const dx = xs.map((x) => x - xs[0]);
  const dy = ys.map((y) => y - ys[0]);
  const meanX = dx.reduce((sum, x) => sum + x, 0) / n;
  let covariance = 0;
  let variance = 0;
  // Σ(x − x̄)(y − ȳ) = Σ(x − x̄)·y, since Σ(x − x̄) = 0: the mean of y is not needed.
  for (let i = 0; i < n; i++) {
    covariance += (dx[i] - meanX) * dy[i];
    variance += (dx[i] - meanX) ** 2;
  }
  return variance === 0 ? null : covariance / variance;
}

/** Above this many points, a Theil–Sen fit thins them evenly: its cost grows with the square. */
const THEIL_SEN_MAX_POINTS = 240;

function thinned<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.round((i * (items.length - 1)) / (max - 1))]);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Theil–Sen slope of y over x: the median of the slopes between every two points. One outlier
 * (indeed up to 29 % of the points) cannot move it far, where it drags a least-squares fit.
 * Null with fewer than two distinct x; exactly 0 for a constant y.
 */
export function theilSenSlope(xs: number[], ys: number[]): number | null {
  if (xs.length !== ys.length) return null;
  const points = thinned(
    xs.map((x, i) => [x, ys[i]] as const),
    THEIL_SEN_MAX_POINTS,
  );
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dx = points[j][0] - points[i][0];
      if (dx !== 0) slopes.push((points[j][1] - points[i][1]) / dx);
    }
  }
  return slopes.length === 0 ? null : median(slopes);
}
