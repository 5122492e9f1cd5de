const DECIMALS = 6n;
const SCALE = 10n ** DECIMALS;
const MANTISSA_BITS = 52n;
const EXPONENT_BIAS = 1075n; // 1023 + 52: the exponent of the mantissa's last bit

/**
 * Formats like Go's `strconv.FormatFloat(p, 'f', 6, 64)`, the key Jaeger uses for the
 * probabilities a client reports and for the adaptive check. The exact binary value is rounded
 * to 6 decimals, exact ties to even: 0.0078125 → "0.007812", where `toFixed` gives "0.007813".
 * A one-digit difference here decides whether an operation counts as adaptively sampled.
 */
export function formatProbability(p: number): string {
  // toFixed also rounds the exact binary value and differs only on exact ties, which at 6
  // decimals are the odd multiples of 1/128; it is over ten times faster than the path below,
  // and this runs for every reported operation, every OTLP root span and every calculation.
  if (p > 0 && p < 1e21 && (p * 128) % 2 !== 1) return p.toFixed(6);
  if (Number.isNaN(p)) return 'NaN';
  if (p === Infinity) return '+Inf';
  if (p === -Infinity) return '-Inf';

  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, p);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biasedExponent = (bits >> MANTISSA_BITS) & 0x7ffn;
  const fraction = bits & ((1n << MANTISSA_BITS) - 1n);
  // |p| = mantissa × 2^exponent exactly; subnormals have no implicit leading bit.
  const mantissa = biasedExponent === 0n ? fraction : fraction | (1n << MANTISSA_BITS);
  const exponent = (biasedExponent === 0n ? 1n : biasedExponent) - EXPONENT_BIAS;

  let scaled: bigint; // round(|p| × 10^6)
  if (exponent >= 0n) {
    scaled = (mantissa * SCALE) << exponent;
  } else {
    const numerator = mantissa * SCALE;
    const denominator = 1n << -exponent;
    scaled = numerator / denominator;
    const twiceRemainder = (numerator % denominator) * 2n;
    if (twiceRemainder > denominator || (twiceRemainder === denominator && scaled % 2n === 1n)) {
      scaled += 1n;
    }
  }

  const digits = scaled.toString().padStart(Number(DECIMALS) + 1, '0');
  const cut = digits.length - Number(DECIMALS);
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/** Formatted probabilities by value: ingest formats the same few thousand served rates over and over. */
const formatted = new Map<number, string>();
const MAX_FORMATTED = 4096;

/** `formatProbability`, remembered for the values met most recently (a bounded map). */
export function formatProbabilityCached(p: number): string {
  // 0 and -0 are one key to a Map but format differently.
  if (p === 0) return formatProbability(p);
  let text = formatted.get(p);
  if (text === undefined) {
    // Cleared rather than evicted one by one: a new calculation's rates replace the old ones anyway.
    if (formatted.size >= MAX_FORMATTED) formatted.clear();
    text = formatProbability(p);
    formatted.set(p, text);
  }
  return text;
}
