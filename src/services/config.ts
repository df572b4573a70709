/**
 * The one place settings are read. Layers, lowest priority first: defaults, the config file
 * (`tickops.config.json` or `--config`), `TICKOPS_*` environment variables, flags. Each key is
 * validated on its own so an error names the key, where the bad value came from, and what was
 * expected. The result is frozen and passed down; nothing else reads the environment.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { configKeys, type ConfigKey, type SettingSpec } from './config-keys.js';
import { resolveShard } from './shard-config.js';
import type { Shard } from './shard.js';

export { configKeys, type ConfigKey } from './config-keys.js';

/** Where object keys go in the bucket; `{date}` is YYYYMMDD, `{ticker}` the list symbol. */
export interface KeyLayout {
  readonly raw: string;
  readonly bars: string;
  readonly manifest: string;
}

/** The validated settings every command and service receives. */
export interface Config {
  readonly bucket: string;
  readonly region: string;
  readonly layout: KeyLayout;
  /** Path of the ticker list; undefined means the bundled FTSE 100 list. */
  readonly tickersFile: string | undefined;
  readonly exchange: string;
  readonly timeZone: string;
  readonly source: 'yahoo' | 'google' | 'replay' | 'simulated';
  readonly sourceUrl: string | undefined;
  readonly replayDirectory: string | undefined;
  readonly concurrency: number;
  readonly uploadConcurrency: number;
  readonly retries: number;
  readonly requestTimeoutMs: number;
  readonly dataDirectory: string;
  /** S3/IAM/EC2 endpoint override (a local emulator); undefined means real AWS. */
  readonly endpoint: string | undefined;
  /** Path-style S3 addressing: on by default whenever an endpoint override is in effect. */
  readonly forcePathStyle: boolean;
  readonly profile: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /**
   * The shard this process runs (`--shard K/N`, or the Batch array index with a count);
   * undefined for a run of the whole list.
   */
  readonly shard: Shard | undefined;
  /** The number of shards asked for (`--shards N`, TICKOPS_SHARD_COUNT), if any. */
  readonly shardCount: number | undefined;
  /**
   * The instant the job takes as "now" (ISO-8601), for replaying recordings and for tests;
   * undefined means the real clock. It decides today's date and the source's history limit.
   */
  readonly now: string | undefined;
  /** Which file the config came from, for messages; undefined when none was read. */
  readonly configFile: string | undefined;
}

/** Flag values as the command line parser hands them over (strings, numbers or booleans). */
export type FlagValues = Partial<Record<ConfigKey, string | number | boolean | undefined>>;

/** What loadConfig reads; the environment and file system are injected for tests. */
export interface ConfigSources {
  readonly flags?: FlagValues;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Path given with --config; a missing file is then an error. */
  readonly configPath?: string;
  readonly cwd?: string;
  readonly readFile?: (path: string) => string;
}

interface Candidate {
  readonly value: unknown;
  readonly origin: string;
  readonly fromText: boolean;
}

const defaultConfigFile = 'tickops.config.json';

/** Resolve and validate the whole configuration, or throw one ConfigError naming the key. */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? {};
  const cwd = sources.cwd ?? process.cwd();
  const readFile = sources.readFile ?? ((path: string) => readFileSync(path, 'utf8'));

  const file = readConfigFile(
    sources.configPath ?? (env.TICKOPS_CONFIG || undefined),
    cwd,
    readFile,
  );
  const values: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const [key, spec] of Object.entries(configKeys) as [ConfigKey, SettingSpec][]) {
    const candidate = pickCandidate(key, spec, sources.flags ?? {}, env, file);
    values[key] = candidate ? parseSetting(key, spec, candidate) : spec.defaultValue;
    if (candidate) origins[key] = candidate.origin;
  }

  const { shard, shardIndex, ...settings } = values;
  const endpoint = values.endpoint as string | undefined;
  const config: Config = {
    ...(settings as Omit<Config, 'forcePathStyle' | 'configFile' | 'layout' | 'shard'>),
    layout: values.layout as KeyLayout,
    shard: resolveShard({
      shard: shard as string | undefined,
      shardIndex: shardIndex as number | undefined,
      shardCount: values.shardCount as number | undefined,
      origins,
    }),
    tickersFile: resolveOptionalPath(values.tickersFile as string | undefined, cwd),
    replayDirectory: resolveOptionalPath(values.replayDirectory as string | undefined, cwd),
    dataDirectory: resolve(cwd, values.dataDirectory as string),
    forcePathStyle: (values.forcePathStyle as boolean | undefined) ?? endpoint !== undefined,
    configFile: file?.path,
  };
  checkCombinations(config);

  return Object.freeze(config);
}

function resolveOptionalPath(path: string | undefined, cwd: string): string | undefined {
  return path === undefined ? undefined : resolve(cwd, path);
}

interface ConfigFile {
  readonly path: string;
  readonly values: Record<string, unknown>;
}

function readConfigFile(
  explicitPath: string | undefined,
  cwd: string,
  readFile: (path: string) => string,
): ConfigFile | undefined {
  const path = resolve(cwd, explicitPath ?? defaultConfigFile);
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    // Only a default file that is not there means "no file"; one that is there but cannot be
    // read (a folder, no permission) would silently run with defaults and the wrong bucket.
    if (explicitPath === undefined && errorCode(error) === 'ENOENT') return undefined;
    throw new ConfigError(`config file ${path} cannot be read (${errorCode(error)})`, {
      hint:
        explicitPath === undefined
          ? 'make it a readable file of settings, or move it away to use the defaults'
          : 'check the path given with --config or TICKOPS_CONFIG',
      cause: error,
    });
  }

  let parsed: unknown;
  try {
    // Windows editors save UTF-8 with a byte-order mark, which JSON.parse does not accept.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix the JSON syntax, or move the file away to use defaults',
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object of settings`, {
      hint: 'write the settings between braces, e.g. {"bucket": "ftse100", "region": "eu-west-1"}',
    });
  }

  // Own keys only: `in` would take `toString` or `constructor` for settings.
  const unknown = Object.keys(parsed).filter((key) => !Object.hasOwn(configKeys, key));
  if (unknown.length > 0) {
    throw new ConfigError(`config file ${path}: unknown key '${unknown[0]}'`, {
      hint: `known keys: ${Object.keys(configKeys).join(', ')}`,
    });
  }

  return { path, values: parsed as Record<string, unknown> };
}

function pickCandidate(
  key: ConfigKey,
  spec: SettingSpec,
  flags: FlagValues,
  env: Readonly<Record<string, string | undefined>>,
  file: ConfigFile | undefined,
): Candidate | undefined {
  const flagValue = flags[key];
  if (flagValue !== undefined) {
    return { value: flagValue, origin: `--${spec.flag}`, fromText: typeof flagValue === 'string' };
  }

  for (const name of spec.env) {
    const envValue = env[name];
    if (envValue !== undefined && envValue !== '') {
      return { value: envValue, origin: name, fromText: true };
    }
  }

  if (file && key in file.values) {
    return { value: file.values[key], origin: `${file.path}: ${key}`, fromText: false };
  }

  return undefined;
}

function parseSetting(key: ConfigKey, spec: SettingSpec, candidate: Candidate): unknown {
  const input = candidate.fromText
    ? coerceText(candidate.value as string, spec.schema)
    : candidate.value;
  const result = spec.schema.safeParse(input);
  if (result.success) return result.data;

  // A rejected URL may carry a password: the message shows it with the credentials masked.
  const masked = (text: string) => text.replace(/\/\/[^/@\s]*@/, '//***@');
  const shown =
    typeof candidate.value === 'string'
      ? `'${masked(candidate.value)}'`
      : masked(JSON.stringify(candidate.value) ?? String(candidate.value));
  throw new ConfigError(`${candidate.origin}: expected ${spec.expected}, got ${shown}`, {
    hint: `fix ${key} (see README, Configuration)`,
  });
}

/** Environment variables and flags arrive as text; turn them into what the schema wants. */
function coerceText(text: string, schema: z.ZodType): unknown {
  const trimmed = text.trim();
  const base = schema instanceof z.ZodOptional ? schema.unwrap() : schema;
  if (base instanceof z.ZodNumber)
    return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : trimmed;
  if (base instanceof z.ZodBoolean) {
    if (/^(1|true|yes|on)$/i.test(trimmed)) return true;
    if (/^(0|false|no|off)$/i.test(trimmed)) return false;
    return trimmed;
  }
  if (base instanceof z.ZodObject) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return trimmed;
    }
  }

  return trimmed;
}

function checkCombinations(config: Config): void {
  if (config.source === 'replay' && config.replayDirectory === undefined) {
    throw new ConfigError(
      'source replay needs replayDirectory (--replay-dir or TICKOPS_REPLAY_DIR)',
      {
        hint: 'point it at a folder of recorded responses named TICKER.txt or TICKER.json',
      },
    );
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
