/** What every subcommand starts from: the validated config and a stderr logger. */
import { loadConfig, type Config, type FlagValues } from '../services/config.js';
import { createJsonLogger, type Logger } from '../services/logger.js';
import { flagsFrom, type CliOptions } from './cli-options.js';

/** A command's config and logger. */
export interface CommandContext {
  readonly config: Config;
  readonly logger: Logger;
}

/** Load the config from flags, environment and file; throws ConfigError (exit 2) when bad. */
export function loadCommandContext(
  options: CliOptions,
  env: NodeJS.ProcessEnv = process.env,
  defaults: FlagValues = {},
): CommandContext {
  const config = loadConfig({
    flags: flagsFrom(options, defaults),
    env,
    configPath: typeof options.config === 'string' ? options.config : undefined,
  });
  const logger = createJsonLogger((line) => process.stderr.write(line), config.logLevel);

  return { config, logger };
}
