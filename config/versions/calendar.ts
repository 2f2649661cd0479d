/**
 * Support windows as vendors publish them: a version is in standard support until the day its
 * standard support ends, then in extended support until the day that ends, then unsupported.
 * Dates are UTC calendar days ("YYYY-MM-DD"): AWS starts billing extended support "at the
 * beginning of the day that the version reaches end of standard support, in UTC+0", and on the
 * end-of-extended-support date no new cluster can be created. Pure: the caller passes the clock.
 */

export type SupportState = 'standard' | 'extended' | 'unsupported' | 'unknown';

export interface SupportWindow {
  /** first UTC day the version is no longer in standard support */
  readonly standardSupportEnd: string;
  /** first UTC day the version is no longer supported at all (cannot be created) */
  readonly extendedSupportEnd: string;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC calendar day of an instant, "YYYY-MM-DD". */
export function utcDay(instant: Date): string {
  if (Number.isNaN(instant.getTime())) throw new Error('utcDay: the clock returned an invalid date');
  return instant.toISOString().slice(0, 10);
}

export function isIsoDay(text: string): boolean {
  if (!ISO_DAY.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}

/** Where a version stands on `today` (UTC); `unknown` when its window is not in the data. */
export function supportStateOn(window: SupportWindow | undefined, today: Date): SupportState {
  if (window === undefined) return 'unknown';
  const day = utcDay(today);
  if (day < window.standardSupportEnd) return 'standard';
  if (day < window.extendedSupportEnd) return 'extended';
  return 'unsupported';
}

/** Whole days from `today` (UTC) to `day`; negative when `day` is past. */
export function daysUntil(day: string, today: Date): number {
  return Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${utcDay(today)}T00:00:00Z`)) / 86_400_000);
}
