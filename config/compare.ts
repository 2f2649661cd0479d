/**
 * Code-point string order: the same on every machine. `localeCompare` follows the machine's
 * locale (in Danish "aa" sorts after "z"), which would make rendered output machine-dependent.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
