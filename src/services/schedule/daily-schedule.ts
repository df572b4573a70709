/**
 * When the machine runs the job: weekdays at a fixed wall-clock time in the exchange's zone,
 * 17:00 Europe/London by default, after the London close (16:30 plus the closing auction).
 * systemd evaluates the zone itself, so the UTC instant moves with GMT and BST and nobody has
 * to change anything twice a year.
 */
import { isWeekend, nextDate, tradingDateAt, zonedTimeToUtc } from '../trading-day.js';

/** A weekday timer at one local time. */
export interface DailySchedule {
  /** Local time as HH:MM, 24-hour. */
  readonly localTime: string;
  /** IANA zone the local time is read in. */
  readonly timeZone: string;
}

/** The default: 17:00 in London, Monday to Friday. */
export const londonClose: DailySchedule = { localTime: '17:00', timeZone: 'Europe/London' };

/** The schedule for an exchange zone: the same 17:00, read in that zone. */
export function dailyScheduleFor(timeZone: string): DailySchedule {
  return { ...londonClose, timeZone };
}

/** The systemd `OnCalendar=` value, e.g. `Mon..Fri 17:00 Europe/London`. */
export function onCalendarOf(schedule: DailySchedule): string {
  return `Mon..Fri ${schedule.localTime} ${schedule.timeZone}`;
}

/** Minutes after local midnight of the schedule's time. */
export function scheduleMinutes(schedule: DailySchedule): number {
  const [hours, minutes] = schedule.localTime.split(':').map(Number) as [number, number];

  return hours * 60 + minutes;
}

/** One future run, as the instant and as it reads in the zone and in UTC. */
export interface ScheduledRun {
  readonly instant: number;
  /** ISO-8601 UTC, e.g. `2024-10-25T16:00:00.000Z`. */
  readonly utc: string;
  /** Wall clock in the zone, e.g. `Fri 2024-10-25 17:00 BST`. */
  readonly local: string;
  readonly timeZone: string;
}

/** The next `count` runs strictly after `now`, as the timer would fire them. */
export function nextRunTimes(
  now: number,
  count: number,
  schedule: DailySchedule = londonClose,
): ScheduledRun[] {
  const runs: ScheduledRun[] = [];
  const minutes = scheduleMinutes(schedule);

  // A week holds five runs, so count + 7 days always finds enough of them.
  let date = tradingDateAt(now, schedule.timeZone);
  for (let day = 0; runs.length < count && day < count * 2 + 7; day += 1) {
    const instant = zonedTimeToUtc(date, minutes, schedule.timeZone);
    if (!isWeekend(date) && instant > now) {
      runs.push({
        instant,
        utc: new Date(instant).toISOString(),
        local: formatLocal(instant, schedule.timeZone),
        timeZone: schedule.timeZone,
      });
    }
    date = nextDate(date);
  }

  return runs;
}

function formatLocal(instant: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((item) => item.type === type)?.value ?? '';

  return (
    `${part('weekday')} ${part('year')}-${part('month')}-${part('day')} ` +
    `${part('hour')}:${part('minute')} ${part('timeZoneName')}`
  );
}
