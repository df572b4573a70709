import { describe, expect, it } from 'vitest';
import {
  leastPrivilegeS3UploadPolicy,
  objectArns,
  originalS3UploadPolicy,
  shardPartsArn,
  templatePrefix,
} from '../../../src/services/iam/policy-documents.js';
import { evaluateAccess } from '../../../src/services/iam/evaluate.js';
import {
  canonicalPolicy,
  parsePolicyDocument,
  samePolicy,
} from '../../../src/services/iam/policy-json.js';
import { servicesTrusted, trustPolicy } from '../../../src/services/iam/trust-policy.js';

const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};

describe('the s3_upload documents', () => {
  it('keeps the original four actions on every resource', () => {
    expect(originalS3UploadPolicy()).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:ListAllMyBuckets', 's3:ListBucket', 's3:CreateBucket'],
          Resource: '*',
        },
      ],
    });
  });

  it('scopes least privilege to three prefixes and the bucket, no ListAllMyBuckets', () => {
    const document = leastPrivilegeS3UploadPolicy('ftse100-111122223333', layout);

    expect(document.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: [
          'arn:aws:s3:::ftse100-111122223333/raw/*',
          'arn:aws:s3:::ftse100-111122223333/bars/*',
          'arn:aws:s3:::ftse100-111122223333/manifests/*',
        ],
      }),
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['s3:ListBucket', 's3:CreateBucket'],
        Resource: ['arn:aws:s3:::ftse100-111122223333'],
      }),
    ]);
    expect(JSON.stringify(document)).not.toMatch(/ListAllMyBuckets|GetObject|DeleteObject|"\*"/);
  });

  it('lets a role that runs shards read the parts back, and no other object', () => {
    const document = leastPrivilegeS3UploadPolicy('tickops-data', layout, 'aws', { shards: true });
    const policies = [{ name: 's3_upload', document }];
    const can = (action: string, key: string) =>
      evaluateAccess(policies, [
        { action, resource: `arn:aws:s3:::tickops-data/${key}`, purpose: 'test' },
      ])[0]?.decision;

    expect(shardPartsArn('tickops-data', layout)).toBe(
      'arn:aws:s3:::tickops-data/manifests/*/parts/*',
    );
    expect(can('s3:GetObject', 'manifests/20241025/parts/3-of-8.json')).toBe('allowed');
    expect(can('s3:GetObject', 'manifests/20241025.json')).toBe('not-granted');
    expect(can('s3:GetObject', 'raw/20241025/BARC.json')).toBe('not-granted');
    expect(can('s3:GetObject', 'bars/20241025/BARC.csv')).toBe('not-granted');
    expect(can('s3:DeleteObject', 'manifests/20241025/parts/3-of-8.json')).toBe('not-granted');
    expect(JSON.stringify(leastPrivilegeS3UploadPolicy('tickops-data', layout))).not.toMatch(
      /GetObject/,
    );
  });

  it('follows a custom key layout and the partition', () => {
    const flat = {
      raw: 'raw-{date}-{ticker}.{ext}',
      bars: 'x/{ticker}/{date}.csv',
      manifest: 'm.{date}',
    };

    expect(templatePrefix('raw/{date}/{ticker}.{ext}')).toBe('raw/');
    expect(objectArns('b', flat, 'aws-cn')).toEqual([
      'arn:aws-cn:s3:::b/raw-*',
      'arn:aws-cn:s3:::b/x/*',
      'arn:aws-cn:s3:::b/m.*',
    ]);
  });
});

describe('policy documents as IAM returns them', () => {
  const document = leastPrivilegeS3UploadPolicy('tickops-data', layout);
  const text = JSON.stringify(document);

  it('parses the URL-encoded form AWS returns and the plain form moto returns alike', () => {
    expect(parsePolicyDocument(encodeURIComponent(text), 'test')).toEqual(document);
    expect(parsePolicyDocument(text, 'test')).toEqual(document);
    expect(parsePolicyDocument(encodeURIComponent(text).replace(/%20/g, '+'), 'x')).toEqual(
      document,
    );
  });

  it('rejects a document that is not a policy with a one-line error and a hint', () => {
    expect(() => parsePolicyDocument('%7Bnot json', 'policy s3_upload v3')).toThrow(
      /the policy document of policy s3_upload v3 is not a readable IAM policy/,
    );
  });

  it('compares as parsed JSON: order, single values, action case and Sids do not count', () => {
    const respelled = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['S3:CreateBucket', 's3:listbucket'],
          Resource: 'arn:aws:s3:::tickops-data',
        },
        {
          Sid: 'Other',
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: [...objectArns('tickops-data', layout)].reverse(),
        },
      ],
    } as const;

    expect(samePolicy(respelled, document)).toBe(true);
    expect(samePolicy(originalS3UploadPolicy(), document)).toBe(false);
    expect(canonicalPolicy(respelled)).toBe(canonicalPolicy(document));
  });
});

describe('the DataProcessor trust policy', () => {
  it('trusts EC2, and ECS tasks only when asked', () => {
    expect(servicesTrusted(trustPolicy({ ecs: false }), ['ec2.amazonaws.com'])).toEqual([
      'ec2.amazonaws.com',
    ]);
    expect(
      servicesTrusted(trustPolicy({ ecs: false }), [
        'ec2.amazonaws.com',
        'ecs-tasks.amazonaws.com',
      ]),
    ).toEqual(['ec2.amazonaws.com']);
    expect(servicesTrusted(trustPolicy({ ecs: true }), ['ecs-tasks.amazonaws.com'])).toEqual([
      'ecs-tasks.amazonaws.com',
    ]);
  });

  it('does not count a conditional allow or a denied service as trusted', () => {
    const trust = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:*' },
        {
          Effect: 'Allow',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
        },
      ],
    } as const;

    expect(servicesTrusted(trust, ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'])).toEqual([]);
  });
});
