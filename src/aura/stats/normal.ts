/**
 * The standard normal tail P(Z > z) with relative accuracy far into the tail (p down to 1e-300), so
 * Mann-Whitney p-values of 50,000 neurons resolve well below 1/neurons. erfc by its Maclaurin series
 * below x = 3 and by its continued fraction (evaluated with Lentz's method) above.
 */

/** erfc(x) for x >= 0. */
function erfcPositive(x: number): number {
  if (x < 3) {
    // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)); terms shrink fast enough below 3.
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))).
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return 0;
  if (z === -Infinity) return 1;
  const x = Math.abs(z) / Math.SQRT2;
  const tail = 0.5 * erfcPositive(x);
  return z >= 0 ? tail : 1 - tail;
}

/** The z with P(Z > z) = tail, for tail in (0, 1): bisection on normalSf (monotone), to double precision. */
export function normalUpperQuantile(tail: number): number {
  if (!(tail > 0 && tail < 1)) throw new RangeError(`normal tail ${tail} is not in (0, 1)`);
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const mid = (lo + hi) / 2;
    if (normalSf(mid) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
