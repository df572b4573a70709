import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/services/config.js';
import { ConfigError } from '../../src/services/errors.js';

const load = (env: Record<string, string>, flags = {}) =>
  loadConfig({ env, flags, cwd: '/tmp', readFile: () => '{}' });

describe('the shard settings', () => {
  it('leave a run whole by default', () => {
    expect(load({})).toMatchObject({ shard: undefined, shardCount: undefined });
  });

  it('take K/N from --shard or TICKOPS_SHARD, the flag first', () => {
    expect(load({ TICKOPS_SHARD: '2/4' }).shard).toEqual({ index: 2, count: 4 });
    expect(load({ TICKOPS_SHARD: '2/4' }, { shard: '1/4' }).shard).toEqual({ index: 1, count: 4 });
  });

  it('take the index from AWS_BATCH_JOB_ARRAY_INDEX and the count from TICKOPS_SHARD_COUNT', () => {
    const config = load({ AWS_BATCH_JOB_ARRAY_INDEX: '5', TICKOPS_SHARD_COUNT: '8' });

    expect(config.shard).toEqual({ index: 5, count: 8 });
    expect(config.shardCount).toBe(8);
  });

  it('let an explicit shard win over the Batch index', () => {
    const config = load(
      { AWS_BATCH_JOB_ARRAY_INDEX: '5', TICKOPS_SHARD_COUNT: '8' },
      { shard: '1/8' },
    );

    expect(config.shard).toEqual({ index: 1, count: 8 });
  });

  it('name the setting when a value is wrong or they disagree (exit 2)', () => {
    const cases: [Record<string, string>, object, RegExp][] = [
      [{ TICKOPS_SHARD: '8/8' }, {}, /^TICKOPS_SHARD: expected K\/N with 0 <= K < N/],
      [
        { AWS_BATCH_JOB_ARRAY_INDEX: '3' },
        {},
        /^AWS_BATCH_JOB_ARRAY_INDEX is 3 but no shard count/,
      ],
      [
        { AWS_BATCH_JOB_ARRAY_INDEX: '8', TICKOPS_SHARD_COUNT: '8' },
        {},
        /^AWS_BATCH_JOB_ARRAY_INDEX is 8, not below TICKOPS_SHARD_COUNT 8/,
      ],
      [
        { TICKOPS_SHARD_COUNT: '4' },
        { shard: '1/8' },
        /^--shard says 1\/8 but TICKOPS_SHARD_COUNT says 4/,
      ],
      [
        { TICKOPS_SHARD_COUNT: 'many' },
        {},
        /^TICKOPS_SHARD_COUNT: expected a whole number from 1 to 1000/,
      ],
    ];

    for (const [env, flags, message] of cases) {
      let caught: unknown;
      try {
        load(env, flags);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).exitCode).toBe(2);
      expect((caught as ConfigError).message).toMatch(message);
    }
  });
});
