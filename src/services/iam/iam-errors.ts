/**
 * IAM's error codes as the SDK reports them, and IAM failures in the operator's words. The
 * SDK names modelled errors with an `Exception` suffix (`EntityAlreadyExistsException`)
 * while the wire code has none (`EntityAlreadyExists`); both spellings are accepted.
 */
import { AccessDeniedError, type TickopsError } from '../errors.js';
import { sdkErrorParts, toTickopsError } from '../aws-errors.js';

/** The IAM error codes tickops reacts to. */
export type IamErrorCode =
  | 'NoSuchEntity'
  | 'EntityAlreadyExists'
  | 'LimitExceeded'
  | 'DeleteConflict'
  | 'MalformedPolicyDocument';

/** Is this the IAM error with that code? */
export function isIamError(error: unknown, code: IamErrorCode): boolean {
  const { name } = sdkErrorParts(error);

  return name === code || name === `${code}Exception`;
}

/** Was the call refused for lack of permission (not for bad credentials)? */
export function isAccessDenied(error: unknown): boolean {
  const { name, status } = sdkErrorParts(error);
  if (name === 'AccessDenied' || name === 'AccessDeniedException') return true;

  return status === 403 && !/Signature|Token|AccessKey|ClientToken/i.test(name);
}

/** An IAM call that failed, as an operator-facing error naming the permission. */
export function iamFailure(
  error: unknown,
  action: string,
  resource: string,
  endpoint?: string,
): TickopsError {
  if (isAccessDenied(error)) {
    return new AccessDeniedError(`access denied: ${action} on ${resource}`, {
      hint: `grant ${action} to these credentials, or run tickops iam as an IAM administrator`,
      cause: error,
    });
  }

  return toTickopsError(error, { action, resource, endpoint });
}
