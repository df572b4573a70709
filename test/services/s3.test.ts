import { afterEach, describe, expect, it } from 'vitest';
import { ensureBucket, listObjects, decodeListedKey } from '../../src/services/s3.js';
import {
  startScriptedServer,
  type ScriptedReply,
  type ScriptedServer,
} from '../support/scripted-http.js';
import { testS3Client } from '../support/s3-client.js';

let server: ScriptedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function replay(answer: (method: string, url: string) => ScriptedReply) {
  server = await startScriptedServer((request) => answer(request.method, request.url));

  return server;
}

const notFound: ScriptedReply = {
  status: 404,
  body: '<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>',
};
const created: ScriptedReply = { status: 200 };
const errorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

describe('ensureBucket (case B03: location constraint follows the region)', () => {
  it.each([
    ['eu-west-1', '<LocationConstraint>eu-west-1</LocationConstraint>'],
    ['eu-west-2', '<LocationConstraint>eu-west-2</LocationConstraint>'],
  ])('sends LocationConstraint %s to a bucket created in that region', async (region, expected) => {
    const s3Server = await replay((method) => (method === 'GET' ? notFound : created));

    const state = await ensureBucket(testS3Client(s3Server.url, region), {
      bucket: 'tickops-data-test',
      region,
    });

    const create = s3Server.requests.find((request) => request.method === 'PUT');
    expect(state).toBe('created');
    expect(create?.body).toContain(expected);
    expect(create?.body).toContain('xmlns="http://s3.amazonaws.com/doc/2006-03-01/"');
    expect(create?.headers.authorization).toContain(`/${region}/s3/aws4_request`);
  });

  it('sends no CreateBucketConfiguration at all in us-east-1', async () => {
    const s3Server = await replay((method) => (method === 'GET' ? notFound : created));

    await ensureBucket(testS3Client(s3Server.url, 'us-east-1'), {
      bucket: 'tickops-data-test',
      region: 'us-east-1',
    });

    const create = s3Server.requests.find((request) => request.method === 'PUT');
    expect(create?.body).toBe('');
  });

  it.each([
    ['InvalidLocationConstraint', 'us-east-1'],
    ['IllegalLocationConstraintException', 'eu-west-1'],
  ])('stops once with the S3 code and region when %s comes back', async (code, region) => {
    const s3Server = await replay((method) =>
      method === 'GET' ? notFound : { status: 400, body: errorXml(code, 'bad constraint') },
    );

    const attempt = ensureBucket(testS3Client(s3Server.url, region, 3), {
      bucket: 'tickops-data-test',
      region,
    });

    await expect(attempt).rejects.toThrow(new RegExp(`${code}.*|${region}`));
    await expect(attempt).rejects.toMatchObject({ exitCode: 2 });
    expect(s3Server.requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
  });
});

describe('ensureBucket (case B04: the name is already taken)', () => {
  it('treats BucketAlreadyOwnedByYou as a ready bucket', async () => {
    const s3Server = await replay((method) =>
      method === 'GET'
        ? notFound
        : { status: 409, body: errorXml('BucketAlreadyOwnedByYou', 'you already own it') },
    );

    const state = await ensureBucket(testS3Client(s3Server.url), {
      bucket: 'tickops-data',
      region: 'eu-west-1',
    });

    expect(state).toBe('exists');
    expect(s3Server.requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
  });

  it('stops with an access error and makes no CreateBucket when the bucket probe is forbidden', async () => {
    const s3Server = await replay((method) =>
      method === 'GET'
        ? { status: 403 }
        : { status: 409, body: errorXml('BucketAlreadyExists', 'not available') },
    );

    const attempt = ensureBucket(testS3Client(s3Server.url), {
      bucket: 'tickops-data',
      region: 'eu-west-1',
    });

    await expect(attempt).rejects.toThrow(
      /tickops-data exists but these credentials cannot use it/,
    );
    await expect(attempt).rejects.toMatchObject({
      exitCode: 3,
      hint: expect.stringMatching(/another/),
    });
    expect(s3Server.requests.filter((request) => request.method === 'PUT')).toHaveLength(0);
  });

  it('names another account when CreateBucket answers BucketAlreadyExists', async () => {
    const s3Server = await replay((method) =>
      method === 'GET' ? notFound : { status: 409, body: errorXml('BucketAlreadyExists', 'taken') },
    );

    const attempt = ensureBucket(testS3Client(s3Server.url), {
      bucket: 'tickops-data',
      region: 'eu-west-1',
    });

    await expect(attempt).rejects.toThrow(/taken by another AWS account/);
    expect(s3Server.requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
  });

  it('reports the real region on a 301 and never tries to create the bucket', async () => {
    const s3Server = await replay(() => ({
      status: 301,
      headers: { 'x-amz-bucket-region': 'us-east-1' },
      body: '<Error><Code>PermanentRedirect</Code><Message>use the right endpoint</Message></Error>',
    }));

    const attempt = ensureBucket(testS3Client(s3Server.url), {
      bucket: 'tickops-data',
      region: 'eu-west-1',
    });

    await expect(attempt).rejects.toThrow(/tickops-data is in us-east-1, not eu-west-1/);
    expect(s3Server.requests.filter((request) => request.method === 'PUT')).toHaveLength(0);
  });

  it('treats a 200 on re-creation in us-east-1 as success', async () => {
    const s3Server = await replay((method) => (method === 'GET' ? notFound : created));

    const state = await ensureBucket(testS3Client(s3Server.url, 'us-east-1'), {
      bucket: 'tickops-data',
      region: 'us-east-1',
    });

    expect(state).toBe('created');
  });
});

const listPage = (keys: readonly string[], token?: string, extra = '') =>
  `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>tickops-data</Name>` +
  `${extra}<KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
  `<IsTruncated>${token ? 'true' : 'false'}</IsTruncated>` +
  (token ? `<NextContinuationToken>${token}</NextContinuationToken>` : '') +
  keys
    .map((key) => `<Contents><Key>${key}</Key><Size>41230</Size><ETag>"x"</ETag></Contents>`)
    .join('') +
  '</ListBucketResult>';

describe('listObjects (case B05: more than 1000 objects)', () => {
  it('follows the continuation token byte for byte and counts every object', async () => {
    const firstPage = Array.from(
      { length: 1000 },
      (_, index) => `prices/2024-01-02/T${index}.L.csv`,
    );
    firstPage[0] = 'prices/2024-01-02/AAL.L.csv';
    const secondPage = [
      'prices/2024-06-14/VOD.L.csv',
      'prices/2024-06-14/AZN.L.csv',
      'prices/2024-06-14/BP.L.csv',
    ];
    const s3Server = await replay((_method, url) =>
      url.includes('continuation-token')
        ? { status: 200, body: listPage(secondPage) }
        : { status: 200, body: listPage(firstPage, '1Zk+Qm9/vB2tMbQ==') },
    );

    const objects = await listObjects(
      testS3Client(s3Server.url),
      { bucket: 'tickops-data', region: 'eu-west-1' },
      'prices/',
    );

    expect(objects.size).toBe(1003);
    expect(objects.has('prices/2024-06-14/VOD.L.csv')).toBe(true);
    expect(s3Server.requests).toHaveLength(2);
    const token = new URL(s3Server.requests[1]?.url ?? '', 'http://x').searchParams.get(
      'continuation-token',
    );
    expect(token).toBe('1Zk+Qm9/vB2tMbQ==');
    expect(s3Server.requests[1]?.url).toContain('continuation-token=1Zk%2BQm9%2FvB2tMbQ%3D%3D');
  });
});

const listAll = (s3Server: ScriptedServer) =>
  listObjects(testS3Client(s3Server.url), { bucket: 'b', region: 'eu-west-1' }, '');

describe('listed keys (case B06: special characters)', () => {
  it('keeps keys verbatim when no encoding was requested', async () => {
    const s3Server = await replay(() => ({
      status: 200,
      body: listPage([
        'runs/2024-06-14T16:35:00+01:00/summary.json',
        'prices/2024-06-14/GBPUSD=X.csv',
      ]),
    }));

    const objects = await listAll(s3Server);

    expect([...objects.keys()]).toEqual([
      'runs/2024-06-14T16:35:00+01:00/summary.json',
      'prices/2024-06-14/GBPUSD=X.csv',
    ]);
  });

  it('decodes form-encoded keys when the listing says EncodingType url', async () => {
    const s3Server = await replay(() => ({
      status: 200,
      body: listPage(
        ['runs/2024-06-14T16%3A35%3A00%2B01%3A00/summary.json', 'notes/daily+report.txt'],
        undefined,
        '<EncodingType>url</EncodingType>',
      ),
    }));

    const objects = await listAll(s3Server);

    expect([...objects.keys()]).toEqual([
      'runs/2024-06-14T16:35:00+01:00/summary.json',
      'notes/daily report.txt',
    ]);
  });

  it('leaves a plus sign alone unless the keys are url-encoded', () => {
    expect(decodeListedKey('a+b', undefined)).toBe('a+b');
    expect(decodeListedKey('a+b%2Bc', 'url')).toBe('a b+c');
  });
});
