/**
 * Trading dates in an exchange's own zone. Intl knows every IANA zone and its DST rules, so
 * no date library is needed for the three questions the job asks: what date is it there, when
 * does that date start and end in UTC, and is it a weekday.
 */
import type { TradingDate } from './market-data/types.js';

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, formatter);
  }

  return formatter;
}

/** Does this runtime know the IANA zone? */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The wall-clock reading in a zone at an instant. */
export function wallClockAt(instant: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }

  return {
    year: fields.year ?? 0,
    month: fields.month ?? 0,
    day: fields.day ?? 0,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

/** The zone's offset from UTC at an instant, in minutes (BST is +60). */
export function utcOffsetMinutes(instant: number, timeZone: string): number {
  const wall = wallClockAt(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);

  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/** The trading date in force in the zone at an instant. */
export function tradingDateAt(instant: number, timeZone: string): TradingDate {
  const wall = wallClockAt(instant, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');

  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** Parse `YYYY-MM-DD`, rejecting impossible dates such as 2024-02-30. */
export function parseTradingDate(text: string): TradingDate | undefined {
  const match = datePattern.exec(text);
  if (!match) return undefined;

  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  const valid =
    probe.getUTCFullYear() === year &&
    probe.getUTCMonth() === month - 1 &&
    probe.getUTCDate() === day;

  return valid ? text : undefined;
}

/** The UTC instant at which a local wall-clock time happens in the zone. */
export function zonedTimeToUtc(
  date: TradingDate,
  minutesAfterMidnight: number,
  timeZone: string,
): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const naive = Date.UTC(year, month - 1, day) + minutesAfterMidnight * 60_000;

  // Two passes: the offset at the first guess may differ from the offset at the answer when
  // a DST change falls between them.
  const firstGuess = naive - utcOffsetMinutes(naive, timeZone) * 60_000;

  return naive - utcOffsetMinutes(firstGuess, timeZone) * 60_000;
}

/** The UTC half-open interval [start, end) that a trading date covers in the zone. */
export function tradingDayBounds(
  date: TradingDate,
  timeZone: string,
): { start: number; end: number } {
  return {
    start: zonedTimeToUtc(date, 0, timeZone),
    end: zonedTimeToUtc(nextDate(date), 0, timeZone),
  };
}

/** The calendar date after the given one. */
export function nextDate(date: TradingDate): TradingDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];

  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

/** Saturday or Sunday: no exchange this tool serves trades then. */
export function isWeekend(date: TradingDate): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();

  return weekday === 0 || weekday === 6;
}

/** `2024-10-25` → `20241025`, the original's folder name. */
export function compactDate(date: TradingDate): string {
  return date.replaceAll('-', '');
}
