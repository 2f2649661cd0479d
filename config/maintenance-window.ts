/**
 * RDS time windows, UTC: the weekly maintenance window "ddd:hh24:mi-ddd:hh24:mi" and the daily
 * backup window "hh24:mi-hh24:mi". RDS wants each at least 30 minutes long and the two never
 * overlapping; these checks say so at config time instead of failing `pulumi up` halfway.
 */

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const WEEK = 7 * 24 * 60;
const DAY = 24 * 60;
export const MIN_WINDOW_MINUTES = 30;

/** A span of minutes on a circle of `period` minutes: start inclusive, length in minutes. */
export interface Span {
  readonly start: number;
  readonly length: number;
  readonly period: number;
}

function clockMinutes(hh: string, mm: string): number | undefined {
  const h = Number(hh);
  const m = Number(mm);
  return h <= 23 && m <= 59 ? h * 60 + m : undefined;
}

/** "sun:03:30-sun:04:30" -> minutes of the week, or a reason it is not a window. */
export function parseMaintenanceWindow(text: string): Span | string {
  const match = /^([a-z]{3}):(\d{2}):(\d{2})-([a-z]{3}):(\d{2}):(\d{2})$/.exec(text);
  if (!match) return `${JSON.stringify(text)} is not a maintenance window "ddd:hh24:mi-ddd:hh24:mi" in UTC (e.g. "sun:03:30-sun:04:30")`;
  const [, d1, h1, m1, d2, h2, m2] = match as unknown as [string, string, string, string, string, string, string];
  const day1 = DAYS.indexOf(d1 as (typeof DAYS)[number]);
  const day2 = DAYS.indexOf(d2 as (typeof DAYS)[number]);
  if (day1 < 0 || day2 < 0) return `${JSON.stringify(text)}: the days are ${DAYS.join(', ')}`;
  const t1 = clockMinutes(h1, m1);
  const t2 = clockMinutes(h2, m2);
  if (t1 === undefined || t2 === undefined) return `${JSON.stringify(text)}: hours are 00-23 and minutes 00-59`;
  const start = day1 * DAY + t1;
  const length = (day2 * DAY + t2 - start + WEEK) % WEEK;
  if (length < MIN_WINDOW_MINUTES) return `${JSON.stringify(text)} is ${length} minutes long; RDS needs at least ${MIN_WINDOW_MINUTES}`;
  return { start, length, period: WEEK };
}

/** "02:00-03:00" -> minutes of the day, or a reason it is not a window. */
export function parseBackupWindow(text: string): Span | string {
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
  if (!match) return `${JSON.stringify(text)} is not a backup window "hh24:mi-hh24:mi" in UTC (e.g. "02:00-03:00")`;
  const [, h1, m1, h2, m2] = match as unknown as [string, string, string, string, string];
  const t1 = clockMinutes(h1, m1);
  const t2 = clockMinutes(h2, m2);
  if (t1 === undefined || t2 === undefined) return `${JSON.stringify(text)}: hours are 00-23 and minutes 00-59`;
  const length = (t2 - t1 + DAY) % DAY;
  if (length < MIN_WINDOW_MINUTES) return `${JSON.stringify(text)} is ${length} minutes long; RDS needs at least ${MIN_WINDOW_MINUTES}`;
  return { start: t1, length, period: DAY };
}

/** The weekly occurrences of a span (a daily one happens seven times a week). */
function weekly(span: Span): Span[] {
  if (span.period === WEEK) return [span];
  return DAYS.map((_, day) => ({ start: day * DAY + span.start, length: span.length, period: WEEK }));
}

function overlapsOnce(a: Span, b: Span): boolean {
  // a and b overlap when either starts inside the other, on the weekly circle
  const inside = (x: number, s: Span) => (x - s.start + WEEK) % WEEK < s.length;
  return inside(a.start, b) || inside(b.start, a);
}

export function windowsOverlap(a: Span, b: Span): boolean {
  return weekly(a).some((x) => weekly(b).some((y) => overlapsOnce(x, y)));
}
