/**
 * Regular trading sessions, in minutes after local midnight in the exchange's zone. Holidays are
 * not known here: a holiday shows as an empty day, which the run reports as such.
 */
import { isWeekend, tradingDateAt, wallClockAt } from './trading-day.js';

/** A session's open and close, minutes after local midnight. */
export interface Session {
  readonly open: number;
  readonly close: number;
}

const sessions: Record<string, Session> = {
  LON: { open: 8 * 60, close: 16 * 60 + 30 },
  LSE: { open: 8 * 60, close: 16 * 60 + 30 },
  NASDAQ: { open: 9 * 60 + 30, close: 16 * 60 },
  NYSE: { open: 9 * 60 + 30, close: 16 * 60 },
  TSE: { open: 9 * 60 + 30, close: 16 * 60 },
};

/** The exchange's regular session; London's when the exchange is not in the table. */
export function sessionOf(exchange: string): Session {
  return sessions[exchange] ?? (sessions.LON as Session);
}

/** One-minute bars a full regular session has (510 for London). */
export function expectedBars(exchange: string): number {
  const session = sessionOf(exchange);

  return session.close - session.open;
}

/** Is the exchange's regular session under way at this instant? */
export function isMarketOpen(instant: number, exchange: string, timeZone: string): boolean {
  if (isWeekend(tradingDateAt(instant, timeZone))) return false;

  const wall = wallClockAt(instant, timeZone);
  const minute = wall.hour * 60 + wall.minute;
  const session = sessionOf(exchange);

  return minute >= session.open && minute < session.close;
}
