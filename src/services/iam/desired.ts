/**
 * What "in place" means for one account and bucket: the `s3_upload` policy with the chosen
 * document, the `DataProcessor` role trusting EC2 (and optionally ECS tasks) with the policy
 * attached, and an instance profile of the same name holding the role.
 */
import type { KeyLayout } from '../config.js';
import { runTodayNeeds, type AccessNeed } from './evaluate.js';
import { s3UploadPolicy, type PolicyFlavour } from './policy-documents.js';
import type { PolicyDocument } from './policy-json.js';
import { trustedServices, trustPolicy } from './trust-policy.js';

/** The names the original system used; the EC2 machine and the README refer to them. */
export const iamNames = {
  policy: 's3_upload',
  role: 'DataProcessor',
  instanceProfile: 'DataProcessor',
} as const;

/** What the operator chose, plus the account the credentials belong to. */
export interface IamTarget {
  readonly accountId: string;
  /** `aws`, or `aws-cn` / `aws-us-gov`, taken from the caller's ARN. */
  readonly partition: string;
  readonly bucket: string;
  readonly layout: KeyLayout;
  readonly flavour: PolicyFlavour;
  /**
   * The role also runs shards as ECS tasks (AWS Batch on Fargate or ECS): it trusts
   * ecs-tasks.amazonaws.com, and least privilege lets it read the shards' manifest parts.
   */
  readonly ecs: boolean;
}

/** The desired IAM state, fully spelled out. */
export interface DesiredIam {
  readonly target: IamTarget;
  readonly policyName: string;
  readonly policyArn: string;
  readonly policyDocument: PolicyDocument;
  readonly roleName: string;
  readonly trustDocument: PolicyDocument;
  readonly trustedServices: readonly string[];
  readonly instanceProfileName: string;
  /** What the run needs the role's policies to allow. */
  readonly needs: readonly AccessNeed[];
}

/** Spell out the desired state for a target. */
export function desiredIam(target: IamTarget): DesiredIam {
  return {
    target,
    policyName: iamNames.policy,
    policyArn: `arn:${target.partition}:iam::${target.accountId}:policy/${iamNames.policy}`,
    policyDocument: s3UploadPolicy(target.flavour, target.bucket, target.layout, target.partition, {
      shards: target.ecs,
    }),
    roleName: iamNames.role,
    trustDocument: trustPolicy({ ecs: target.ecs }),
    trustedServices: trustedServices({ ecs: target.ecs }),
    instanceProfileName: iamNames.instanceProfile,
    needs: runTodayNeeds(target.bucket, target.layout, target.partition, { shards: target.ecs }),
  };
}
