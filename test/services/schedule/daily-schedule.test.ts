import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  dailyScheduleFor,
  londonClose,
  nextRunTimes,
  onCalendarOf,
} from '../../../src/services/schedule/daily-schedule.js';

/** Case B14's table: 17:00 London on each date, as a UTC instant. */
const b14 = [
  ['2024-03-28', '2024-03-28T17:00:00.000Z'],
  ['2024-04-02', '2024-04-02T16:00:00.000Z'],
  ['2024-10-25', '2024-10-25T16:00:00.000Z'],
  ['2024-10-28', '2024-10-28T17:00:00.000Z'],
] as const;

function systemdAnalyzePath(): string | undefined {
  try {
    return execFileSync('which', ['systemd-analyze'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

describe('nextRunTimes', () => {
  it.each(b14)('fires 17:00 London on %s at %s (case B14)', (date, utc) => {
    const morning = Date.parse(`${date}T06:00:00Z`);

    const [next] = nextRunTimes(morning, 1);

    expect(next?.utc).toBe(utc);
  });

  it('shows each run in London time and in UTC, across the October clock change', () => {
    const fridayNoon = Date.parse('2024-10-25T11:00:00Z');

    const runs = nextRunTimes(fridayNoon, 3);

    expect(runs.map((run) => [run.local, run.utc])).toEqual([
      ['Fri 2024-10-25 17:00 BST', '2024-10-25T16:00:00.000Z'],
      ['Mon 2024-10-28 17:00 GMT', '2024-10-28T17:00:00.000Z'],
      ['Tue 2024-10-29 17:00 GMT', '2024-10-29T17:00:00.000Z'],
    ]);
  });

  it('skips the weekend and a run that has just passed', () => {
    const fridayAfterRun = Date.parse('2024-03-29T17:00:00Z');

    const runs = nextRunTimes(fridayAfterRun, 2);

    expect(runs.map((run) => run.utc)).toEqual([
      '2024-04-01T16:00:00.000Z',
      '2024-04-02T16:00:00.000Z',
    ]);
  });

  it('still fires on Thursday after a stop on Wednesday evening and a start on Thursday', () => {
    const thursdayMorning = Date.parse('2024-03-28T08:00:00Z');

    const [next] = nextRunTimes(thursdayMorning, 1);

    expect(next?.local).toBe('Thu 2024-03-28 17:00 GMT');
  });

  it('reads the same 17:00 in another exchange zone', () => {
    const schedule = dailyScheduleFor('America/New_York');

    const [next] = nextRunTimes(Date.parse('2024-03-11T12:00:00Z'), 1, schedule);

    expect(onCalendarOf(schedule)).toBe('Mon..Fri 17:00 America/New_York');
    expect(next?.utc).toBe('2024-03-11T21:00:00.000Z');
  });
});

describe('the timer expression under systemd-analyze', () => {
  const analyze = systemdAnalyzePath();
  if (analyze === undefined) {
    console.warn('Skipping systemd-analyze checks: systemd-analyze is not installed here.');
  }

  it.skipIf(analyze === undefined)(
    'fires at the UTC instants of case B14 and agrees with nextRunTimes',
    () => {
      const expression = onCalendarOf(londonClose);
      const elapses = (base: string, iterations: number) =>
        execFileSync(
          analyze ?? 'systemd-analyze',
          ['calendar', `--base-time=${base}`, `--iterations=${iterations}`, expression],
          { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } },
        )
          .split('\n')
          .filter((line) => /(Next elapse|Iter\. #\d+):/.test(line))
          .map((line) => line.replace(/^.*?: /, '').trim());

      const march = elapses('2024-03-27 18:00 UTC', 4);
      const october = elapses('2024-10-24 18:00 UTC', 3);

      expect(march).toEqual([
        'Thu 2024-03-28 17:00:00 UTC',
        'Fri 2024-03-29 17:00:00 UTC',
        'Mon 2024-04-01 16:00:00 UTC',
        'Tue 2024-04-02 16:00:00 UTC',
      ]);
      expect(october).toEqual([
        'Fri 2024-10-25 16:00:00 UTC',
        'Mon 2024-10-28 17:00:00 UTC',
        'Tue 2024-10-29 17:00:00 UTC',
      ]);
      const ours = nextRunTimes(Date.parse('2024-03-27T18:00:00Z'), 4).map((run) => run.utc);
      expect(ours).toEqual([
        '2024-03-28T17:00:00.000Z',
        '2024-03-29T17:00:00.000Z',
        '2024-04-01T16:00:00.000Z',
        '2024-04-02T16:00:00.000Z',
      ]);
    },
  );
});
