import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/services/config.js';

const noFile = () => {
  throw Object.assign(new Error('missing'), { code: 'ENOENT' });
};

describe('loadConfig', () => {
  it('gives the original defaults: bucket ftse100 in eu-west-1, London, yahoo, 8 at once', () => {
    const config = loadConfig({ env: {}, readFile: noFile, cwd: '/srv' });

    expect(config).toMatchObject({
      bucket: 'ftse100',
      region: 'eu-west-1',
      timeZone: 'Europe/London',
      source: 'yahoo',
      concurrency: 8,
      dataDirectory: '/srv/tickops-data',
      forcePathStyle: false,
      endpoint: undefined,
    });
    expect(config.layout.raw).toBe('raw/{date}/{ticker}.{ext}');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('ranks flags over TICKOPS_* over the file over defaults', () => {
    const file = JSON.stringify({ bucket: 'from-file', concurrency: 3, region: 'eu-west-2' });

    const config = loadConfig({
      env: { TICKOPS_BUCKET: 'from-env', TICKOPS_CONCURRENCY: '5' },
      flags: { bucket: 'from-flag' },
      readFile: () => file,
    });

    expect(config.bucket).toBe('from-flag');
    expect(config.concurrency).toBe(5);
    expect(config.region).toBe('eu-west-2');
  });

  it('uses path-style S3 whenever an endpoint override is set (case B08)', () => {
    const config = loadConfig({
      env: { AWS_ENDPOINT_URL: 'http://localhost:4566' },
      readFile: noFile,
    });

    expect(config.endpoint).toBe('http://localhost:4566');
    expect(config.forcePathStyle).toBe(true);
    expect(config.region).toBe('eu-west-1');
  });

  it('takes AWS_REGION when TICKOPS_REGION is not set (case B03)', () => {
    expect(loadConfig({ env: { AWS_REGION: 'us-east-1' }, readFile: noFile }).region).toBe(
      'us-east-1',
    );
  });

  it.each([
    [
      { TICKOPS_CONCURRENCY: 'lots' },
      /^TICKOPS_CONCURRENCY: expected a whole number from 1 to 64, got 'lots'$/,
    ],
    [{ TICKOPS_CONCURRENCY: '0' }, /^TICKOPS_CONCURRENCY: expected a whole number from 1 to 64/],
    [{ TICKOPS_BUCKET: 'Bad_Bucket' }, /^TICKOPS_BUCKET: expected an S3 bucket name/],
    [
      { TICKOPS_SOURCE: 'bloomberg' },
      /^TICKOPS_SOURCE: expected one of yahoo, google, replay, simulated/,
    ],
    [{ TICKOPS_SOURCE_URL: 'ftp://x' }, /^TICKOPS_SOURCE_URL: expected an http\(s\) base URL/],
    [
      { TICKOPS_TIMEZONE: 'Mars/Olympus' },
      /^TICKOPS_TIMEZONE: expected an IANA time zone such as Europe\/London, got 'Mars\/Olympus'$/,
    ],
    [{ TICKOPS_REGION: 'europe' }, /^TICKOPS_REGION: expected an AWS region/],
  ])('rejects %j with one line naming the key', (env, message) => {
    expect(() => loadConfig({ env, readFile: noFile })).toThrow(message);
    expect(() => loadConfig({ env, readFile: noFile })).toThrow(
      expect.objectContaining({ exitCode: 2 }),
    );
  });

  it('names the file and key of a wrong type in the config file', () => {
    const load = () =>
      loadConfig({ env: {}, configPath: '/etc/t.json', readFile: () => '{"concurrency": "8"}' });

    expect(load).toThrow(
      /^\/etc\/t\.json: concurrency: expected a whole number from 1 to 64, got '8'$/,
    );
  });

  it('rejects an unknown key in the file and lists the known ones', () => {
    const load = () => loadConfig({ env: {}, readFile: () => '{"bukcet": "x"}', cwd: '/srv' });

    expect(load).toThrow("config file /srv/tickops.config.json: unknown key 'bukcet'");
    expect(load).toThrow(expect.objectContaining({ hint: expect.stringContaining('bucket') }));
  });

  it('reads a file saved with a byte-order mark, and says how to write one that is no object', () => {
    const withMark = loadConfig({
      env: {},
      readFile: () => '\uFEFF{"bucket": "ftse100-ops"}',
      cwd: '/srv',
    });
    const list = () => loadConfig({ env: {}, readFile: () => '[]', cwd: '/srv' });

    expect(withMark.bucket).toBe('ftse100-ops');
    expect(list).toThrow(
      'config file /srv/tickops.config.json must hold a JSON object of settings',
    );
    expect(list).toThrow(expect.objectContaining({ hint: expect.stringContaining('{"bucket"') }));
  });

  it('refuses a default config file it cannot read, rather than running with defaults', () => {
    const folderInstead = () => {
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    };

    const load = () => loadConfig({ env: {}, readFile: folderInstead, cwd: '/srv' });

    expect(load).toThrow('config file /srv/tickops.config.json cannot be read (EISDIR)');
    expect(load).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('move it away') }),
    );
  });

  it.each(['toString', 'constructor', '__proto__'])(
    'takes %s for the unknown key it is, not for a setting',
    (key) => {
      const load = () =>
        loadConfig({ env: {}, readFile: () => `{"${key}": {"bucket": "x"}}`, cwd: '/srv' });

      expect(load).toThrow(`config file /srv/tickops.config.json: unknown key '${key}'`);
    },
  );

  it('reports broken JSON and a missing explicit file', () => {
    expect(() => loadConfig({ env: {}, readFile: () => '{"bucket": ', cwd: '/srv' })).toThrow(
      /is not valid JSON/,
    );
    expect(() =>
      loadConfig({ env: {}, configPath: 'nope.json', readFile: noFile, cwd: '/srv' }),
    ).toThrow(/config file \/srv\/nope\.json cannot be read \(ENOENT\)/);
  });

  it('refuses URLs with credentials or a query: they would be printed and uploaded', () => {
    const load = (env: Record<string, string>) => () => loadConfig({ env, readFile: noFile });

    expect(load({ TICKOPS_SOURCE_URL: 'http://u:secret@127.0.0.1:9' })).toThrow(
      /without credentials/,
    );
    expect(load({ TICKOPS_SOURCE_URL: 'http://127.0.0.1:9/?apikey=SECRET' })).toThrow(
      /TICKOPS_SOURCE_URL/,
    );
    expect(load({ AWS_ENDPOINT_URL: 'http://admin:hunter2@127.0.0.1:9' })).toThrow(
      /^AWS_ENDPOINT_URL: expected/,
    );
    expect(load({ AWS_ENDPOINT_URL: 'http://admin:hunter2@127.0.0.1:9' })).not.toThrow(
      /hunter2.*hunter2/,
    );
  });

  it('refuses layouts whose objects would share a key', () => {
    const load = (layout: unknown) => () =>
      loadConfig({ env: {}, readFile: () => JSON.stringify({ layout }) });

    expect(
      load({
        raw: 'd/{date}/{ticker}.{ext}',
        bars: 'd/{date}/{ticker}.csv',
        manifest: 'm/{date}.json',
      }),
    ).toThrow(/layout: expected/);
    expect(
      load({
        raw: 'r/{date}/{ticker}.{ext}',
        bars: 'b/{date}/{ticker}.{ext}',
        manifest: 'm/{date}.json',
      }),
    ).toThrow(/layout/);
  });

  it('requires a replay folder for the replay source', () => {
    expect(() => loadConfig({ env: { TICKOPS_SOURCE: 'replay' }, readFile: noFile })).toThrow(
      /replayDirectory/,
    );
  });

  it('validates key layout templates', () => {
    const load = (layout: unknown) => () =>
      loadConfig({ env: {}, readFile: () => JSON.stringify({ layout }) });

    expect(
      load({
        raw: 'raw/{date}/{ticker}.{ext}',
        bars: 'b/{date}/{ticker}.csv',
        manifest: 'm/{date}.json',
      }),
    ).not.toThrow();
    expect(
      load({ raw: 'raw/{ticker}', bars: 'b/{date}/{ticker}.csv', manifest: 'm/{date}.json' }),
    ).toThrow(/layout: expected/);
  });
});
