/**
 * EC2 failures in the operator's words. The general mapping (credentials, network) is shared
 * with S3; EC2 adds its own names for denial and for the networking mistakes a launch makes.
 */
import { toTickopsError, sdkErrorParts, type AwsCallContext } from '../aws-errors.js';
import { AccessDeniedError, ConfigError, type TickopsError } from '../errors.js';

/** What failed, and in which region (EC2 resources are regional). */
export interface Ec2CallContext extends AwsCallContext {
  readonly region: string;
}

/** The error code of an SDK error (`name`, e.g. `VPCIdNotSpecified`). */
export function errorCode(error: unknown): string {
  return sdkErrorParts(error).name;
}

/** The message a region without a default VPC gets, whichever call found out. */
export function noDefaultVpcError(region: string, cause?: unknown): ConfigError {
  return new ConfigError(`no default VPC in ${region}: a subnet is needed to launch`, {
    hint:
      'pass --subnet subnet-... (and optionally --security-group sg-... in the same VPC); ' +
      'nothing was created',
    cause,
  });
}

/** Wrap an EC2 SDK error; already-wrapped errors pass through. */
export function toEc2Error(error: unknown, context: Ec2CallContext): TickopsError {
  const { name, message } = sdkErrorParts(error);
  const where = `${context.action} on ${context.resource}`;

  switch (name) {
    case 'VPCIdNotSpecified':
      return noDefaultVpcError(context.region, error);
    case 'InvalidSubnetID.NotFound':
    case 'InvalidGroup.NotFound':
    case 'InvalidGroupId.Malformed':
    case 'InvalidSubnetID.Malformed':
    case 'InvalidAMIID.NotFound':
    case 'InvalidAMIID.Malformed':
    case 'InvalidKeyPair.NotFound':
      return new ConfigError(`${where}: ${message}`, {
        hint: `check the id; it must exist in ${context.region}`,
        cause: error,
      });
    case 'UnauthorizedOperation':
      // EC2's denial carries an encoded message; the action and resource are enough here.
      return new AccessDeniedError(`access denied: ${where}`, {
        hint:
          `grant ${context.action} to these credentials` +
          (context.action === 'ec2:RunInstances' ? ', and iam:PassRole on the role' : ''),
        cause: error,
      });
    default:
      return toTickopsError(error, context);
  }
}
