import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseGetprices } from '../../src/services/market-data/getprices.js';
import { parseYahooChart } from '../../src/services/market-data/yahoo-chart.js';
import { tradingDateAt, tradingDayBounds, zonedTimeToUtc } from '../../src/services/trading-day.js';
import { startDelayProxy, type DelayProxy } from './delay-proxy.js';
import {
  createIamUserWithPolicy,
  createMotoS3Client,
  describeWithMoto,
  iamSetupActionCount,
  startMoto,
} from './moto.js';
import {
  startSourceServer,
  type Fault,
  type SourceServer,
  type SourceServerOptions,
} from './source-server.js';

const bucketConfig = { LocationConstraint: 'eu-west-1' } as const;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function createBucket(s3: S3Client, bucket: string) {
  return s3.send(
    new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: bucketConfig }),
  );
}

/** 'ok', or the HTTP status and SDK error name ('403 AccessDenied'). */
async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return `${status} ${error instanceof Error ? error.name : String(error)}`;
  }
}

describeWithMoto('moto harness', (getMoto) => {
  let s3: S3Client | undefined;

  afterEach(() => s3?.destroy());

  it('creates and lists buckets through the S3 SDK', async () => {
    s3 = createMotoS3Client(getMoto());

    await createBucket(s3, 'ticks-raw');
    const listed = await s3.send(new ListBucketsCommand({}));

    expect(listed.Buckets?.map((bucket) => bucket.Name)).toEqual(['ticks-raw']);
  });

  it('forgets every bucket on reset', async () => {
    s3 = createMotoS3Client(getMoto());
    await createBucket(s3, 'ticks-temp');

    await getMoto().reset();
    const listed = await s3.send(new ListBucketsCommand({}));

    expect(listed.Buckets ?? []).toEqual([]);
  });

  it('hands child processes a loopback endpoint and fake credentials', () => {
    const moto = getMoto();

    expect(moto.env).toEqual({
      AWS_ENDPOINT_URL: `http://127.0.0.1:${moto.port}`,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });

  it('stops its own process and nothing else', async () => {
    const other = await startMoto();
    expect(isAlive(other.pid)).toBe(true);

    await other.stop();

    expect(isAlive(other.pid)).toBe(false);
    expect(isAlive(getMoto().pid)).toBe(true);
  });

  it('does not outlive a test process that crashes', async () => {
    const script = [
      `import { startMoto } from ${JSON.stringify(new URL('./moto.ts', import.meta.url).href)};`,
      'const moto = await startMoto();',
      'console.log(moto.pid);',
      "setTimeout(() => { throw new Error('simulated crash'); }, 10);",
    ].join('\n');

    const crashed = await execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], {
      reject: false,
    });
    const pid = Number(crashed.stdout.split('\n')[0]);

    expect(crashed.exitCode).not.toBe(0);
    expect(pid).toBeGreaterThan(0);
    await vi.waitFor(() => expect(isAlive(pid)).toBe(false), { timeout: 10_000, interval: 100 });
  });

  it('gives concurrent starts different ports', async () => {
    const servers = await Promise.all([startMoto(), startMoto()]);

    await Promise.all(servers.map((server) => server.stop()));

    expect(new Set(servers.map((server) => server.port)).size).toBe(2);
  });
});

const bucket = 'ticks-raw';
const listAllOnly = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:ListAllMyBuckets'], Resource: '*' }],
};
const bucketWriter = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: `arn:aws:s3:::${bucket}` },
    {
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject'],
      Resource: `arn:aws:s3:::${bucket}/*`,
    },
  ],
};

// Not an AWS action: moto's name for what HeadBucket needs.
const bucketHeader = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:HeadBucket'], Resource: `arn:aws:s3:::${bucket}` }],
};

describe('moto with IAM enforced', () => {
  const users: Record<'lister' | 'writer' | 'header', S3Client | undefined> = {
    lister: undefined,
    writer: undefined,
    header: undefined,
  };
  const client = (name: keyof typeof users) => {
    const found = users[name];
    if (!found) throw new Error(`user ${name} was not set up`);
    return found;
  };

  afterAll(() => Object.values(users).forEach((s3) => s3?.destroy()));

  describeWithMoto(
    'a least-privilege user',
    () => {
      it('may list buckets with only s3:ListAllMyBuckets', async () => {
        const result = await client('lister').send(new ListBucketsCommand({}));

        expect(result.Buckets?.map((each) => each.Name)).toEqual([bucket]);
      });

      it('is denied every bucket and object action its policy lacks', async () => {
        const s3 = client('lister');

        const results = {
          putObject: await outcome(() =>
            s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' })),
          ),
          listBucket: await outcome(() => s3.send(new ListObjectsV2Command({ Bucket: bucket }))),
          createBucket: await outcome(() => createBucket(s3, 'ticks-other')),
          headBucket: await outcome(() => s3.send(new HeadBucketCommand({ Bucket: bucket }))),
          getObject: await outcome(() =>
            s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'seed' })),
          ),
          deleteObject: await outcome(() =>
            s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'seed' })),
          ),
        };

        // HeadBucket answers 403 without a body, so the SDK can only name it Unknown.
        expect(results).toEqual({
          putObject: '403 AccessDenied',
          listBucket: '403 AccessDenied',
          createBucket: '403 AccessDenied',
          headBucket: '403 Unknown',
          getObject: '403 AccessDenied',
          deleteObject: '403 AccessDenied',
        });
      });

      it('may do exactly what a bucket-scoped policy grants', async () => {
        const s3 = client('writer');

        const results = {
          putObject: await outcome(() =>
            s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' })),
          ),
          putOtherBucket: await outcome(() =>
            s3.send(new PutObjectCommand({ Bucket: 'ticks-other', Key: 'k', Body: 'x' })),
          ),
          listBucket: await outcome(() => s3.send(new ListObjectsV2Command({ Bucket: bucket }))),
          getObject: await outcome(() =>
            s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'seed' })),
          ),
          deleteObject: await outcome(() =>
            s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'seed' })),
          ),
          listAllBuckets: await outcome(() => s3.send(new ListBucketsCommand({}))),
        };

        expect(results).toEqual({
          putObject: 'ok',
          putOtherBucket: '403 AccessDenied',
          listBucket: 'ok',
          getObject: 'ok',
          deleteObject: '403 AccessDenied',
          listAllBuckets: '403 AccessDenied',
        });
      });

      it('needs s3:HeadBucket for HeadBucket, where AWS checks s3:ListBucket', async () => {
        const head = (name: keyof typeof users) =>
          outcome(() => client(name).send(new HeadBucketCommand({ Bucket: bucket })));

        expect(await head('writer')).toBe('403 Unknown');
        expect(await head('header')).toBe('ok');
      });
    },
    {
      // Root's bucket and seed object, then three users.
      enforceIamAfter: 2 + 3 * iamSetupActionCount,
      async setup(moto) {
        const root = createMotoS3Client(moto);
        await createBucket(root, bucket);
        await root.send(new PutObjectCommand({ Bucket: bucket, Key: 'seed', Body: 'seed' }));
        root.destroy();

        const lister = await createIamUserWithPolicy(moto, {
          userName: 'lister',
          policyName: 'list-all-buckets',
          document: listAllOnly,
        });
        const writer = await createIamUserWithPolicy(moto, {
          userName: 'writer',
          policyName: 'ticks-raw-writer',
          document: bucketWriter,
        });
        const header = await createIamUserWithPolicy(moto, {
          userName: 'header',
          policyName: 'ticks-raw-head',
          document: bucketHeader,
        });
        users.lister = createMotoS3Client(moto, lister);
        users.writer = createMotoS3Client(moto, writer);
        users.header = createMotoS3Client(moto, header);
      },
    },
  );
});

describeWithMoto(
  'moto reset with IAM enforced',
  (getMoto) => {
    it('rejects root credentials once the allowance is spent, and reset restores it', async () => {
      const root = createMotoS3Client(getMoto());
      await createBucket(root, 'ticks-before');

      const spent = await outcome(() => root.send(new ListBucketsCommand({})));
      await getMoto().reset();
      const afterReset = await outcome(() => createBucket(root, 'ticks-after'));
      root.destroy();

      expect(spent).toBe('403 InvalidAccessKeyId');
      expect(afterReset).toBe('ok');
    });
  },
  { enforceIamAfter: 1 },
);

const date = '2024-10-25';
const london = 'Europe/London';

function chartPath(symbol: string): string {
  const { start, end } = tradingDayBounds(date, london);
  const query = `period1=${start / 1000}&period2=${end / 1000}&interval=1m&includePrePost=false`;

  return `/v8/finance/chart/${encodeURIComponent(symbol)}?${query}`;
}

function getpricesPath(symbol: string): string {
  return `/finance/getprices?q=${encodeURIComponent(symbol)}&x=LON&i=60&p=10d&f=d,c,h,l,o,v`;
}

describe('source server', () => {
  let server: SourceServer | undefined;
  const start = async (options: SourceServerOptions = {}) => {
    server = await startSourceServer({ date, ...options });
    return server;
  };

  afterEach(async () => {
    expect(server?.errors ?? []).toEqual([]);
    await server?.close();
    server = undefined;
  });

  it('serves a Yahoo chart of the trading day that period1 falls on', async () => {
    const source = await start();

    const response = await fetch(source.url + chartPath('BARC.L'));
    const chart = parseYahooChart(await response.text(), date, london);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(chart.bars).toHaveLength(510);
    expect(chart.bars[0]?.time).toBe(zonedTimeToUtc(date, 8 * 60, london));
    expect(source.requests[0]).toMatchObject({ api: 'yahoo', symbol: 'BARC.L', status: 200 });
  });

  it('decodes the symbol from the chart path', async () => {
    const source = await start();

    await (await fetch(source.url + chartPath('^FTSE'))).arrayBuffer();

    expect(source.requestCount('^FTSE')).toBe(1);
  });

  it('serves getprices for the configured date and the weekday before it', async () => {
    const source = await start();

    const response = await fetch(source.url + getpricesPath('BARC'));
    const parsed = parseGetprices(await response.text());
    const dates = new Set(parsed.bars.map((bar) => tradingDateAt(bar.time, london)));

    expect(response.status).toBe(200);
    expect([...dates]).toEqual(['2024-10-24', date]);
    expect(parsed.bars).toHaveLength(2 * 510);
  });

  it('answers unknown symbols as each source does', async () => {
    const source = await start({ unknownSymbols: ['GONE.L', 'GONE'] });

    const yahoo = await fetch(source.url + chartPath('GONE.L'));
    const google = await fetch(source.url + getpricesPath('GONE'));
    const googleText = await google.text();

    expect(yahoo.status).toBe(404);
    expect(await yahoo.json()).toEqual({
      chart: {
        result: null,
        error: { code: 'Not Found', description: 'No data found, symbol may be delisted' },
      },
    });
    expect(google.status).toBe(200);
    expect(googleText).toContain('DATA=');
    expect(parseGetprices(googleText).bars).toEqual([]);
  });
});

interface Probe {
  readonly status?: number;
  readonly contentType?: string | null;
  readonly retryAfter?: string | null;
  readonly text?: string;
  readonly failed?: string;
}

/** One GET, read to the end; a transport failure is reported, not thrown. */
async function probe(url: string, timeoutMs = 5_000): Promise<Probe> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    const { headers } = response;

    return {
      status: response.status,
      contentType: headers.get('content-type'),
      retryAfter: headers.get('retry-after'),
      text,
    };
  } catch (error) {
    return { failed: error instanceof Error ? error.name : String(error) };
  }
}

describe('source server faults', () => {
  let server: SourceServer | undefined;
  let normal = '';

  beforeAll(async () => {
    const clean = await startSourceServer({ date });
    normal = (await probe(clean.url + chartPath('BARC.L'))).text ?? '';
    await clean.close();
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const cases: [Fault, (first: Probe) => void][] = [
    [
      { kind: '429', retryAfterSeconds: 7 },
      (first) =>
        expect(first).toMatchObject({ status: 429, retryAfter: '7', text: 'Too Many Requests\n' }),
    ],
    [
      { kind: '429', body: 'html' },
      (first) => {
        expect(first).toMatchObject({ status: 429, retryAfter: null });
        expect(first.contentType).toContain('text/html');
      },
    ],
    [{ kind: '500' }, (first) => expect(first.status).toBe(500)],
    [{ kind: '503' }, (first) => expect(first.status).toBe(503)],
    [{ kind: 'reset' }, (first) => expect(first.failed).toBe('TypeError')],
    [{ kind: 'reset-mid-body' }, (first) => expect(first.failed).toBe('TypeError')],
    [
      { kind: 'truncated' },
      (first) => {
        expect(first.status).toBe(200);
        expect(first.text).toBe(normal.slice(0, Math.floor(normal.length / 2)));
      },
    ],
    [
      { kind: 'html200' },
      (first) => {
        expect(first.status).toBe(200);
        expect(first.contentType).toContain('text/html');
      },
    ],
    [
      { kind: 'empty' },
      (first) => {
        expect(first.status).toBe(200);
        expect(parseYahooChart(first.text ?? '', date, london).bars).toEqual([]);
      },
    ],
    [{ kind: 'unknown' }, (first) => expect(first.status).toBe(404)],
  ];

  it.each(cases)('injects %o on the first request, then serves normally', async (fault, check) => {
    server = await startSourceServer({ date, faults: { 'BARC.L': [fault] } });

    const first = await probe(server.url + chartPath('BARC.L'));
    const second = await probe(server.url + chartPath('BARC.L'));

    check(first);
    expect(second).toMatchObject({ status: 200, text: normal });
    expect(server.requests.map((request) => request.fault)).toEqual([fault.kind, undefined]);
  });

  it('injects faults into getprices the same way', async () => {
    server = await startSourceServer({
      date,
      faults: { BARC: [{ kind: 'truncated' }, { kind: 'empty' }] },
    });

    const truncated = await probe(server.url + getpricesPath('BARC'));
    const empty = await probe(server.url + getpricesPath('BARC'));
    const full = await probe(server.url + getpricesPath('BARC'));

    expect(truncated.text?.length).toBe(Math.floor((full.text?.length ?? 0) / 2));
    expect(parseGetprices(empty.text ?? '').bars).toEqual([]);
    expect(parseGetprices(full.text ?? '').bars).toHaveLength(1020);
  });

  it('leaves a hanging request open until close, then ends it', async () => {
    server = await startSourceServer({ date, faults: { 'BARC.L': [{ kind: 'hang' }] } });
    const hanging = probe(server.url + chartPath('BARC.L'), 10_000);
    await vi.waitFor(() => expect(server?.requestCount()).toBe(1));

    const closeStarted = performance.now();
    await server.close();
    const closeMs = performance.now() - closeStarted;

    expect(await hanging).toEqual({ failed: 'TypeError' });
    expect(closeMs).toBeLessThan(1_000);
    expect(server.requests[0]?.status).toBeUndefined();
  });

  it('follows the schedule attempt by attempt, per symbol', async () => {
    server = await startSourceServer({
      date,
      faults: { 'BARC.L': [{ kind: '500' }, { kind: '503' }] },
      defaultFaults: [{ kind: '429' }],
    });

    const statuses = async (symbol: string, count: number) => {
      const seen: (number | undefined)[] = [];
      for (let index = 0; index < count; index += 1) {
        seen.push((await probe(server?.url + chartPath(symbol))).status);
      }
      return seen;
    };

    expect(await statuses('BARC.L', 3)).toEqual([500, 503, 200]);
    expect(await statuses('VOD.L', 2)).toEqual([429, 200]);
    expect(await statuses('BP.L', 1)).toEqual([429]);
  });

  it('starts a new schedule from the next request after setFaults', async () => {
    server = await startSourceServer({ date });
    await probe(server.url + chartPath('BARC.L'));

    server.setFaults('BARC.L', [{ kind: '503' }]);
    const next = await probe(server.url + chartPath('BARC.L'));
    const after = await probe(server.url + chartPath('BARC.L'));

    expect([next.status, after.status]).toEqual([503, 200]);
  });
});

describe('source server load', () => {
  let server: SourceServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('adds the configured latency', async () => {
    server = await startSourceServer({ date, latencyMs: 150 });

    const started = performance.now();
    await probe(server.url + chartPath('BARC.L'));

    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('answers 500 tickers at 200 ms latency concurrently, and counts them in flight', async () => {
    server = await startSourceServer({ date, latencyMs: 200 });
    const symbols = Array.from({ length: 500 }, (_, index) => `T${index}.L`);
    await server.warm(symbols);

    const started = performance.now();
    const results = await Promise.all(
      symbols.map((symbol) => probe(server?.url + chartPath(symbol))),
    );
    const elapsedMs = performance.now() - started;

    expect(results.every((result) => result.status === 200)).toBe(true);
    expect(server.maxInFlight).toBe(500);
    // About 0.5 s when idle; serialised it would take 100 s.
    expect(elapsedMs).toBeLessThan(3_000);
  });

  it('rate-limits past maxInFlight with 429 and Retry-After: 1', async () => {
    server = await startSourceServer({ date, latencyMs: 200, rateLimit: { maxInFlight: 3 } });
    const symbols = Array.from({ length: 10 }, (_, index) => `T${index}.L`);

    const results = await Promise.all(
      symbols.map((symbol) => probe(server?.url + chartPath(symbol))),
    );
    const limited = results.filter((result) => result.status === 429);

    expect(results.filter((result) => result.status === 200)).toHaveLength(3);
    expect(limited).toHaveLength(7);
    expect(limited.every((result) => result.retryAfter === '1')).toBe(true);
    expect(server.requests.filter((request) => request.fault === 'rate-limit')).toHaveLength(7);
  });
  it('frees a rate-limit slot when a request is reset or hangs up', async () => {
    server = await startSourceServer({
      date,
      rateLimit: { maxInFlight: 1 },
      faults: { 'BARC.L': [{ kind: 'reset' }, { kind: 'reset-mid-body' }] },
    });

    const first = await probe(server.url + chartPath('BARC.L'));
    const second = await probe(server.url + chartPath('BARC.L'));
    const third = await probe(server.url + chartPath('BARC.L'));

    expect([first.failed, second.failed, third.status]).toEqual(['TypeError', 'TypeError', 200]);
  });
});

/** An HTTP server that answers every request with the byte count and sum of its body. */
async function startEchoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    let length = 0;
    let sum = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      for (const byte of chunk) sum = (sum + byte) % 65_521;
    });
    request.on('end', () => response.end(`${length}:${sum}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function timedPost(url: string, body: Uint8Array): Promise<{ text: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', body });
  const text = await response.text();

  return { text, ms: performance.now() - started };
}

describe('delay proxy', () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>> | undefined;
  let proxy: DelayProxy | undefined;

  afterEach(async () => {
    await proxy?.close();
    await echo?.close();
  });

  it('adds at least the delay to a request, compared with going direct', async () => {
    echo = await startEchoServer();
    proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: echo.port }, delayMs: 100 });
    const body = new TextEncoder().encode('hello');

    const direct = await timedPost(`http://127.0.0.1:${echo.port}/`, body);
    const proxied = await timedPost(`${proxy.url}/`, body);

    expect(proxied.text).toBe(direct.text);
    expect(proxied.ms).toBeGreaterThanOrEqual(100);
    expect(proxied.ms).toBeGreaterThan(direct.ms);
  });

  it('passes a large body through intact and in order, paying the delay about once', async () => {
    echo = await startEchoServer();
    proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: echo.port }, delayMs: 50 });
    const body = new Uint8Array(4 * 1024 * 1024).map((_, index) => (index * 7) % 251);

    const direct = await timedPost(`http://127.0.0.1:${echo.port}/`, body);
    const proxied = await timedPost(`${proxy.url}/`, body);

    expect(proxied.text).toBe(direct.text);
    expect(proxied.ms).toBeGreaterThanOrEqual(50);
    // Chunks are delayed side by side, not one after another.
    expect(proxied.ms).toBeLessThan(direct.ms + 1_000);
  });

  it('drops open connections on close', async () => {
    echo = await startEchoServer();
    proxy = await startDelayProxy({
      target: { host: '127.0.0.1', port: echo.port },
      delayMs: 5_000,
    });

    const pending = fetch(`${proxy.url}/`, { method: 'POST', body: 'late' }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await proxy.close();
    proxy = undefined;

    expect(await pending).toBe('failed');
  });
});

describeWithMoto('delay proxy in front of moto', (getMoto) => {
  it('slows every S3 request by the delay', async () => {
    const moto = getMoto();
    const proxy = await startDelayProxy({
      target: { host: '127.0.0.1', port: moto.port },
      delayMs: 30,
    });
    const direct = createMotoS3Client(moto);
    const slow = createMotoS3Client({ ...moto, endpoint: proxy.url });
    await createBucket(direct, 'ticks-warm');

    const timeList = async (s3: S3Client) => {
      const started = performance.now();
      await s3.send(new ListBucketsCommand({}));
      return performance.now() - started;
    };
    const directMs = await timeList(direct);
    const slowMs = await timeList(slow);
    direct.destroy();
    slow.destroy();
    await proxy.close();

    expect(slowMs).toBeGreaterThanOrEqual(30);
    expect(slowMs).toBeGreaterThan(directMs);
  });
});
