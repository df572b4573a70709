/**
 * The DataProcessor role's trust policy: who may assume it. EC2 always (the instance profile
 * on the daily machine); ECS tasks optionally, for operators who schedule the container there.
 */
import { statementsOf, type PolicyDocument } from './policy-json.js';

/** The service principals the role must trust. */
export function trustedServices(options: { ecs: boolean }): string[] {
  return options.ecs ? ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] : ['ec2.amazonaws.com'];
}

/** The trust policy tickops writes. */
export function trustPolicy(options: { ecs: boolean }): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: trustedServices(options) },
        Action: 'sts:AssumeRole',
      },
    ],
  };
}

/**
 * The services among `wanted` that the document lets assume the role: an unconditional Allow
 * of sts:AssumeRole (or a wildcard covering it) naming the service, with no Deny naming it.
 */
export function servicesTrusted(document: PolicyDocument, wanted: readonly string[]): string[] {
  const statements = statementsOf(document);
  const grants = (effect: 'Allow' | 'Deny', service: string) =>
    statements.some(
      (statement) =>
        statement.effect === effect &&
        (effect === 'Deny' || statement.condition === undefined) &&
        (statement.actions ?? []).some((action) => /^(\*|sts:\*|sts:assumerole)$/i.test(action)) &&
        principalServices(statement.principal).includes(service),
    );

  return wanted.filter((service) => grants('Allow', service) && !grants('Deny', service));
}

function principalServices(principal: unknown): string[] {
  if (typeof principal !== 'object' || principal === null) return [];
  const service = (principal as { Service?: unknown }).Service;
  if (typeof service === 'string') return [service];

  return Array.isArray(service) ? service.filter((item) => typeof item === 'string') : [];
}
