import { describe, expect, it } from 'vitest';
import {
  isWeekend,
  parseTradingDate,
  tradingDateAt,
  tradingDayBounds,
  utcOffsetMinutes,
  zonedTimeToUtc,
} from '../../src/services/trading-day.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('trading days in the exchange zone', () => {
  it('decides today in London, not UTC (case B14: 23:30Z on 2024-06-14 is 2024-06-15)', () => {
    expect(tradingDateAt(Date.parse('2024-06-14T23:30:00Z'), 'Europe/London')).toBe('2024-06-15');
    expect(tradingDateAt(Date.parse('2024-01-14T23:30:00Z'), 'Europe/London')).toBe('2024-01-14');
  });

  it('bounds a summer day at BST midnight and a winter day at GMT midnight', () => {
    expect(iso(tradingDayBounds('2024-06-14', 'Europe/London').start)).toBe(
      '2024-06-13T23:00:00.000Z',
    );
    expect(iso(tradingDayBounds('2024-01-15', 'Europe/London').start)).toBe(
      '2024-01-15T00:00:00.000Z',
    );
  });

  it('gives the day of a clock change 23 or 25 hours', () => {
    const spring = tradingDayBounds('2024-03-31', 'Europe/London');
    const autumn = tradingDayBounds('2024-10-27', 'Europe/London');

    expect((spring.end - spring.start) / 3_600_000).toBe(23);
    expect((autumn.end - autumn.start) / 3_600_000).toBe(25);
  });

  it('puts 17:00 London at the UTC instants of case B14', () => {
    const at = (date: string) => iso(zonedTimeToUtc(date, 17 * 60, 'Europe/London'));

    expect(at('2024-03-28')).toBe('2024-03-28T17:00:00.000Z');
    expect(at('2024-04-02')).toBe('2024-04-02T16:00:00.000Z');
    expect(at('2024-10-25')).toBe('2024-10-25T16:00:00.000Z');
    expect(at('2024-10-28')).toBe('2024-10-28T17:00:00.000Z');
  });

  it('knows New York offsets either side of the 2013 DST change', () => {
    expect(utcOffsetMinutes(Date.parse('2013-03-08T15:00:00Z'), 'America/New_York')).toBe(-300);
    expect(utcOffsetMinutes(Date.parse('2013-03-11T15:00:00Z'), 'America/New_York')).toBe(-240);
  });

  it('rejects impossible dates and wrong formats', () => {
    expect(parseTradingDate('2024-02-29')).toBe('2024-02-29');
    expect(parseTradingDate('2023-02-29')).toBeUndefined();
    expect(parseTradingDate('20240229')).toBeUndefined();
    expect(parseTradingDate('2024-13-01')).toBeUndefined();
  });

  it('calls Saturday and Sunday weekends', () => {
    expect(isWeekend('2024-06-15')).toBe(true);
    expect(isWeekend('2024-06-16')).toBe(true);
    expect(isWeekend('2024-06-17')).toBe(false);
  });
});
