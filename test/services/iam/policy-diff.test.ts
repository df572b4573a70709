import { describe, expect, it } from 'vitest';
import { diffPolicies, formatPolicyChange } from '../../../src/services/iam/policy-diff.js';
import {
  leastPrivilegeS3UploadPolicy,
  originalS3UploadPolicy,
} from '../../../src/services/iam/policy-documents.js';

const layout = {
  raw: 'raw/{date}/{ticker}.{ext}',
  bars: 'bars/{date}/{ticker}.csv',
  manifest: 'manifests/{date}.json',
};
const desired = leastPrivilegeS3UploadPolicy('tickops-data', layout);

describe('diffPolicies', () => {
  it('finds no difference between a document and itself respelled', () => {
    const respelled = JSON.parse(
      JSON.stringify(desired).replace(/"s3:PutObject"/, '"S3:PUTOBJECT"'),
    );

    expect(diffPolicies(respelled, desired)).toEqual({ same: true, changes: [] });
  });

  it('shows the original against least privilege: one action added, three widened', () => {
    const diff = diffPolicies(originalS3UploadPolicy(), desired);

    expect(diff.same).toBe(false);
    expect(diff.changes.map(formatPolicyChange)).toEqual([
      '+ s3:ListAllMyBuckets on * (not needed)',
      '! s3:PutObject widened to * (wanted arn:aws:s3:::tickops-data/raw/*, ' +
        'arn:aws:s3:::tickops-data/bars/*, arn:aws:s3:::tickops-data/manifests/*)',
      '! s3:ListBucket widened to * (wanted arn:aws:s3:::tickops-data)',
      '! s3:CreateBucket widened to * (wanted arn:aws:s3:::tickops-data)',
    ]);
  });

  it('reports a missing action and a hand-widened resource', () => {
    const handEdited = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::tickops-data/*' },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::tickops-data' },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::tickops-data/*' },
      ],
    } as const;

    const diff = diffPolicies(handEdited, desired);

    expect(diff.changes).toEqual([
      { kind: 'action-added', action: 's3:GetObject', resources: ['arn:aws:s3:::tickops-data/*'] },
      {
        kind: 'resource-widened',
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::tickops-data/*',
        wanted: [
          'arn:aws:s3:::tickops-data/raw/*',
          'arn:aws:s3:::tickops-data/bars/*',
          'arn:aws:s3:::tickops-data/manifests/*',
        ],
      },
      { kind: 'action-missing', action: 's3:CreateBucket' },
    ]);
  });

  it('names the other bucket and the missing one when the bucket changed', () => {
    const diff = diffPolicies(leastPrivilegeS3UploadPolicy('tickops-old', layout), desired);

    expect(diff.changes).toContainEqual({
      kind: 'resource-unexpected',
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::tickops-old',
    });
    expect(diff.changes).toContainEqual({
      kind: 'resource-missing',
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::tickops-data',
    });
  });

  it('lists a Deny or conditional statement whole', () => {
    const withDeny = {
      Version: '2012-10-17',
      Statement: [
        ...(desired.Statement as object[]),
        { Effect: 'Deny', Action: 's3:PutObject', Resource: '*' },
      ],
    } as never;

    const diff = diffPolicies(withDeny, desired);

    expect(diff.changes).toEqual([expect.objectContaining({ kind: 'statement-added' })]);
    expect(formatPolicyChange(diff.changes[0] as never)).toMatch(/^\+ statement .*"Deny"/);
  });
});
