/**
 * What the machine needs to know to run the job: the container image, the job's settings as
 * an environment file, the ticker list and the schedule. Built from the validated config by a
 * pure function, so the same config always renders the same user data.
 */
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { jobEnvironment } from '../job-environment.js';
import { isValidSymbol, type TickerList } from '../tickers.js';
import { dailyScheduleFor, type DailySchedule } from './daily-schedule.js';

/** Everything the user data is rendered from. */
export interface MachineSpec {
  readonly image: string;
  readonly region: string;
  readonly schedule: DailySchedule;
  /** `KEY=value` entries of the container's environment file, in a fixed order. */
  readonly environment: readonly (readonly [string, string])[];
  /** The ticker list as CSV text, or undefined to use the list bundled in the image. */
  readonly tickersCsv: string | undefined;
}

/** Where the container finds its data folder and the mounted ticker list. */
export const containerPaths = { data: '/data', tickers: '/config/tickers.csv' } as const;

// The docker reference grammar, simplified: an optional registry host (with port), lowercase
// path components, an optional tag and digest. Anything else (spaces, quotes, `$`) could not
// be a valid image and must never reach a shell script.
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const imagePattern = new RegExp(
  `^(?:[A-Za-z0-9.-]+(?::\\d+)?/)?${pathComponent}(?:/${pathComponent})*` +
    '(?::\\w[\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$',
);

/** Is this a container image reference the user data may name? */
export function isValidImageReference(image: string): boolean {
  return image.length <= 255 && imagePattern.test(image);
}

/** Build the spec from the config, the image and (optionally) the operator's ticker list. */
export function machineSpecFrom(
  config: Config,
  options: { image: string | undefined; tickerList?: TickerList },
): MachineSpec {
  const { image, tickerList } = options;
  if (image === undefined || image === '') {
    throw new ConfigError('launch needs the container image the machine runs', {
      hint: 'pass --image, e.g. --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/tickops:1.0',
    });
  }
  if (!isValidImageReference(image)) {
    throw new ConfigError(`--image: '${image}' is not a container image reference`, {
      hint: 'use registry/name:tag, e.g. ghcr.io/example/tickops:1.0',
    });
  }
  if (config.source === 'replay') {
    throw new ConfigError('source replay reads a local folder that the machine does not have', {
      hint: 'launch with --source yahoo (the default), google or simulated',
    });
  }

  return {
    image,
    region: config.region,
    schedule: dailyScheduleFor(config.timeZone),
    environment: environmentOf(config, tickerList !== undefined),
    tickersCsv: tickerList === undefined ? undefined : tickersCsvOf(tickerList),
  };
}

function environmentOf(config: Config, hasTickers: boolean): [string, string][] {
  // The endpoint and profile are the operator's (an emulator, a named profile): the machine
  // talks to real AWS with its instance role, so neither is passed on.
  const own: [string, string][] = [
    ['TICKOPS_LAYOUT', JSON.stringify(config.layout)],
    ['TICKOPS_DATA_DIR', containerPaths.data],
    ...(hasTickers ? [['TICKOPS_TICKERS', containerPaths.tickers] as [string, string]] : []),
    ['NO_COLOR', '1'],
  ];
  const present = [...jobEnvironment(config), ...own];
  for (const [key, value] of present) {
    // docker --env-file takes each line literally; a line break would start a new variable.
    if (/[\r\n\0]/.test(value)) throw new ConfigError(`${key}: the value has a line break`);
  }

  return present;
}

/**
 * The list as `ticker,source_symbol` CSV. Company names are left out: they are for people,
 * would need CSV quoting, and cost user-data bytes (16 KB in all).
 */
function tickersCsvOf(list: TickerList): string {
  const rows = list.tickers.map((ticker) => {
    const sourceSymbol = ticker.sourceSymbol ?? '';
    if (sourceSymbol !== '' && !isValidSymbol(sourceSymbol)) {
      throw new ConfigError(
        `${list.path} line ${ticker.line}: source_symbol '${sourceSymbol}' is not a symbol`,
      );
    }

    return `${ticker.symbol},${sourceSymbol}`;
  });

  return `ticker,source_symbol\n${rows.join('\n')}\n`;
}
