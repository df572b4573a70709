/**
 * The table of settings: for each key its schema, what an error says was expected, its
 * default, the flag and the environment variables that set it. The README's configuration
 * table is written from this list.
 */
import { z } from 'zod';
import { maxShardCount, parseShard } from './shard.js';
import { isKnownTimeZone } from './trading-day.js';

/** One setting's description. */
export interface SettingSpec {
  readonly schema: z.ZodType;
  readonly expected: string;
  readonly defaultValue: unknown;
  readonly flag: string;
  /** Environment variables, highest priority first. */
  readonly env: readonly string[];
}

// S3's rules for new buckets: 3-63 characters, lowercase letters, digits, dots and hyphens,
// starting and ending with a letter or digit.
const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
  .refine((name) => !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name));

const keyTemplate = (placeholders: readonly string[]) =>
  z
    .string()
    .min(1)
    .refine((template) => !template.startsWith('/'))
    .refine((template) => placeholders.every((name) => template.includes(`{${name}}`)));

const layout = z
  .object({
    raw: keyTemplate(['date', 'ticker', 'ext']),
    bars: keyTemplate(['date', 'ticker']),
    manifest: keyTemplate(['date']),
  })
  .strict()
  // Each kind of object needs keys of its own, or one would overwrite the other every run.
  .refine(({ raw, bars, manifest }) => new Set([raw, bars, manifest]).size === 3)
  .refine(({ bars, manifest }) => !bars.includes('{ext}') && !manifest.includes('{ext}'))
  .refine(({ raw, bars }) => raw.replace('{ext}', 'csv') !== bars);

// A base URL only: no user or password in it (they would be printed in every message and
// written into manifests), and no query or fragment (paths are appended to it).
const httpUrl = z.string().refine((text) => {
  try {
    const url = new URL(text);
    const http = url.protocol === 'http:' || url.protocol === 'https:';
    return (
      http && url.username === '' && url.password === '' && url.search === '' && url.hash === ''
    );
  } catch {
    return false;
  }
});

const spec = (
  schema: z.ZodType,
  expected: string,
  defaultValue: unknown,
  flag: string,
  env: readonly string[],
): SettingSpec => ({ schema, expected, defaultValue, flag, env });

/** Every setting tickops knows. */
export const configKeys = {
  bucket: spec(
    bucketName,
    'an S3 bucket name (3-63 lowercase letters, digits, . or -)',
    'ftse100',
    'bucket',
    ['TICKOPS_BUCKET'],
  ),
  region: spec(
    z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/),
    'an AWS region such as eu-west-1',
    'eu-west-1',
    'region',
    ['TICKOPS_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION'],
  ),
  layout: spec(
    layout,
    'an object {raw, bars, manifest} of distinct key templates using {date}, {ticker}, raw {ext}',
    {
      raw: 'raw/{date}/{ticker}.{ext}',
      bars: 'bars/{date}/{ticker}.csv',
      manifest: 'manifests/{date}.json',
    },
    'layout',
    ['TICKOPS_LAYOUT'],
  ),
  tickersFile: spec(
    z.string().min(1).optional(),
    'a path to a CSV or one-per-line ticker list',
    undefined,
    'tickers',
    ['TICKOPS_TICKERS'],
  ),
  exchange: spec(
    z.string().regex(/^[A-Z]{2,10}$/),
    'an exchange code such as LON or NASDAQ',
    'LON',
    'exchange',
    ['TICKOPS_EXCHANGE'],
  ),
  timeZone: spec(
    z.string().min(1).refine(isKnownTimeZone),
    'an IANA time zone such as Europe/London',
    'Europe/London',
    'time-zone',
    ['TICKOPS_TIMEZONE'],
  ),
  source: spec(
    z.enum(['yahoo', 'google', 'replay', 'simulated']),
    'one of yahoo, google, replay, simulated',
    'yahoo',
    'source',
    ['TICKOPS_SOURCE'],
  ),
  sourceUrl: spec(
    httpUrl.optional(),
    'an http(s) base URL of a compatible market-data endpoint, without credentials or query',
    undefined,
    'source-url',
    ['TICKOPS_SOURCE_URL'],
  ),
  replayDirectory: spec(
    z.string().min(1).optional(),
    'a folder of recorded responses',
    undefined,
    'replay-dir',
    ['TICKOPS_REPLAY_DIR'],
  ),
  concurrency: spec(
    z.number().int().min(1).max(64),
    'a whole number from 1 to 64',
    8,
    'concurrency',
    ['TICKOPS_CONCURRENCY'],
  ),
  uploadConcurrency: spec(
    z.number().int().min(1).max(64),
    'a whole number from 1 to 64',
    16,
    'upload-concurrency',
    ['TICKOPS_UPLOAD_CONCURRENCY'],
  ),
  retries: spec(z.number().int().min(0).max(10), 'a whole number from 0 to 10', 4, 'retries', [
    'TICKOPS_RETRIES',
  ]),
  requestTimeoutMs: spec(
    z.number().int().min(100).max(300_000),
    'milliseconds from 100 to 300000',
    20_000,
    'request-timeout',
    ['TICKOPS_REQUEST_TIMEOUT_MS'],
  ),
  dataDirectory: spec(z.string().min(1), 'a folder path', 'tickops-data', 'data-dir', [
    'TICKOPS_DATA_DIR',
  ]),
  endpoint: spec(
    httpUrl.optional(),
    'an http(s) URL such as http://127.0.0.1:5000, without credentials',
    undefined,
    'endpoint-url',
    ['TICKOPS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'],
  ),
  forcePathStyle: spec(z.boolean().optional(), 'true or false', undefined, 'path-style', [
    'TICKOPS_S3_PATH_STYLE',
  ]),
  profile: spec(z.string().min(1).optional(), 'an AWS profile name', undefined, 'profile', [
    'AWS_PROFILE',
  ]),
  now: spec(
    z
      .string()
      .refine((text) => !Number.isNaN(Date.parse(text)))
      .optional(),
    'an ISO-8601 instant such as 2024-10-25T17:00:00Z',
    undefined,
    'now',
    ['TICKOPS_NOW'],
  ),
  shard: spec(
    z
      .string()
      .refine((text) => parseShard(text) !== undefined)
      .optional(),
    `K/N with 0 <= K < N <= ${maxShardCount}, e.g. 3/8 (shards count from 0)`,
    undefined,
    'shard',
    ['TICKOPS_SHARD'],
  ),
  // Inside an AWS Batch array job every child gets its index from Batch itself, so the
  // container needs no per-shard settings: the count comes from the job's environment.
  shardIndex: spec(
    z
      .number()
      .int()
      .min(0)
      .max(maxShardCount - 1)
      .optional(),
    `a whole number from 0 to ${maxShardCount - 1}`,
    undefined,
    'shard-index',
    ['TICKOPS_SHARD_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'],
  ),
  shardCount: spec(
    z.number().int().min(1).max(maxShardCount).optional(),
    `a whole number from 1 to ${maxShardCount}`,
    undefined,
    'shards',
    ['TICKOPS_SHARD_COUNT'],
  ),
  logLevel: spec(
    z.enum(['debug', 'info', 'warn', 'error', 'silent']),
    'one of debug, info, warn, error, silent',
    'warn',
    'log-level',
    ['TICKOPS_LOG_LEVEL'],
  ),
} as const satisfies Record<string, SettingSpec>;

/** The name of a setting. */
export type ConfigKey = keyof typeof configKeys;
