import { describe, expect, it } from 'vitest';
import {
  evaluateAccess,
  matchesPattern,
  runTodayNeeds,
  type NamedPolicy,
} from '../../../src/services/iam/evaluate.js';
import {
  leastPrivilegeS3UploadPolicy,
  originalS3UploadPolicy,
} from '../../../src/services/iam/policy-documents.js';
import type { PolicyStatement } from '../../../src/services/iam/policy-json.js';

const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};
const needs = runTodayNeeds('tickops-data', layout);
const policy = (...Statement: PolicyStatement[]): NamedPolicy => ({
  name: 'p',
  document: { Version: '2012-10-17', Statement },
});
const decisions = (policies: NamedPolicy[]) =>
  evaluateAccess(policies, needs).map((result) => `${result.action} ${result.decision}`);

describe('matchesPattern', () => {
  it('matches * and ? as IAM does, actions case-insensitively, resources exactly', () => {
    expect(matchesPattern('s3:Put*', 's3:putobject', true)).toBe(true);
    expect(matchesPattern('s3:?utObject', 's3:PutObject')).toBe(true);
    expect(matchesPattern('arn:aws:s3:::*', 'arn:aws:s3:::b/raw/x.json')).toBe(true);
    expect(matchesPattern('arn:aws:s3:::b/raw/*', 'arn:aws:s3:::B/raw/x')).toBe(false);
    expect(matchesPattern('arn:aws:s3:::b.c', 'arn:aws:s3:::bxc')).toBe(false);
  });
});

describe('evaluateAccess of what --run-today needs', () => {
  it('lists ListBucket and CreateBucket on the bucket and PutObject under each prefix', () => {
    expect(needs.map((need) => `${need.action} ${need.resource}`)).toEqual([
      's3:ListBucket arn:aws:s3:::tickops-data',
      's3:CreateBucket arn:aws:s3:::tickops-data',
      's3:PutObject arn:aws:s3:::tickops-data/raw/20241025/BARC.json',
      's3:PutObject arn:aws:s3:::tickops-data/raw/20241025/BARC.txt',
      's3:PutObject arn:aws:s3:::tickops-data/bars/20241025/BARC.csv',
      's3:PutObject arn:aws:s3:::tickops-data/manifests/20241025.json',
    ]);
  });

  it('is granted by both s3_upload documents', () => {
    for (const document of [
      originalS3UploadPolicy(),
      leastPrivilegeS3UploadPolicy('tickops-data', layout),
    ]) {
      const results = evaluateAccess([{ name: 's3_upload', document }], needs);
      expect(results.every((result) => result.decision === 'allowed')).toBe(true);
    }
  });

  it('is not granted by least privilege for another bucket', () => {
    const other = leastPrivilegeS3UploadPolicy('tickops-old', layout);

    const results = evaluateAccess([{ name: 's3_upload', document: other }], needs);

    expect(results.every((result) => result.decision === 'not-granted')).toBe(true);
  });

  it('honours the wildcards s3:*, s3:Put* and arn:aws:s3:::*', () => {
    expect(
      decisions([policy({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::*' })]),
    ).toEqual(needs.map((need) => `${need.action} allowed`));
    expect(
      decisions([policy({ Effect: 'Allow', Action: ['s3:Put*', 's3:List*'], Resource: '*' })]),
    ).toEqual([
      's3:ListBucket allowed',
      's3:CreateBucket not-granted',
      ...Array(4).fill('s3:PutObject allowed'),
    ]);
  });

  it('lets an explicit Deny in any policy win over any Allow, and names it', () => {
    const results = evaluateAccess(
      [
        { name: 's3_upload', document: originalS3UploadPolicy() },
        {
          name: 'guard',
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'NoManifests',
                Effect: 'Deny',
                Action: 's3:Put*',
                Resource: 'arn:aws:s3:::*/manifests/*',
              },
            ],
          },
        },
      ],
      needs,
    );

    const manifest = results.find((result) => result.resource.endsWith('manifests/20241025.json'));
    expect(manifest).toMatchObject({ decision: 'explicit-deny', decidedBy: 'guard#NoManifests' });
    expect(results.filter((result) => result.decision === 'allowed')).toHaveLength(5);
  });

  it('applies NotAction and NotResource, and calls conditions conditional', () => {
    expect(
      decisions([
        policy(
          { Effect: 'Allow', NotAction: 's3:Delete*', Resource: '*' },
          {
            Effect: 'Deny',
            Action: 's3:PutObject',
            NotResource: 'arn:aws:s3:::tickops-data/raw/*',
          },
          {
            Effect: 'Deny',
            Action: 's3:CreateBucket',
            Resource: '*',
            Condition: { StringNotEquals: { 's3:LocationConstraint': 'eu-west-1' } },
          },
        ),
      ]),
    ).toEqual([
      's3:ListBucket allowed',
      's3:CreateBucket conditional',
      's3:PutObject allowed',
      's3:PutObject allowed',
      's3:PutObject explicit-deny',
      's3:PutObject explicit-deny',
    ]);
  });
});
