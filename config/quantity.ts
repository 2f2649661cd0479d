/**
 * Kubernetes resource quantities ("500m", "2", "1Gi", "1.5G"), parsed to base units so that
 * quotas can be compared with requests before anything reaches a cluster.
 */
export const QUANTITY_PATTERN = /^(\+)?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

const SUFFIX_FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export function isQuantity(text: string): boolean {
  return QUANTITY_PATTERN.test(text);
}

/** The quantity in base units (cores for CPU, bytes for memory). Throws on malformed input. */
export function parseQuantity(text: string): number {
  const match = QUANTITY_PATTERN.exec(text);
  if (!match) throw new Error(`"${text}" is not a Kubernetes quantity`);
  const [, , digits = '0', , suffix = ''] = match;
  const value = Number(digits);
  if (/^[eE]/.test(suffix)) return value * 10 ** Number(suffix.slice(1));
  const factor = SUFFIX_FACTORS[suffix];
  if (factor === undefined) throw new Error(`"${text}" has an unknown suffix`);
  return value * factor;
}

/** Compares in milli-units so that float noise ("0.1" vs "100m") never flips a comparison. */
export function compareQuantities(a: string, b: string): number {
  const left = Math.round(parseQuantity(a) * 1000);
  const right = Math.round(parseQuantity(b) * 1000);
  return Math.sign(left - right);
}

/** Renders base units back to a canonical quantity: CPU in millicores, memory in Mi. */
export function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

export function formatMemory(bytes: number): string {
  const mi = bytes / 2 ** 20;
  if (Number.isInteger(mi / 1024)) return `${mi / 1024}Gi`;
  if (Number.isInteger(mi)) return `${mi}Mi`;
  return String(Math.round(bytes));
}
