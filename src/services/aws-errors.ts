/**
 * Turn AWS SDK failures into errors an operator can act on: which call, on which resource,
 * what to do. The SDK error is kept as `cause`; credentials never appear in a message.
 */
import { AccessDeniedError, AwsResourceError, TickopsError } from './errors.js';

interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string | undefined> };
}

/** The parts of an SDK error we look at. */
export function sdkErrorParts(error: unknown): {
  name: string;
  status: number | undefined;
  message: string;
  header: (name: string) => string | undefined;
} {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const headers = shape.$response?.headers ?? {};

  return {
    name: shape.name ?? shape.code ?? 'Error',
    status: shape.$metadata?.httpStatusCode,
    message: shape.message ?? String(error),
    header: (name) => headers[name.toLowerCase()],
  };
}

const credentialProblems = new Set([
  'CredentialsProviderError',
  'InvalidAccessKeyId',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  // A malformed or unknown session token (S3 answers 400 for it).
  'InvalidToken',
  'UnrecognizedClientException',
  'TokenRefreshRequired',
]);

/**
 * Were the credentials themselves refused (a wrong key, an expired session)? S3 answers those
 * with 403 too, and a 403 read as "not allowed" would send the operator to the wrong fix.
 */
export function isCredentialProblem(error: unknown): boolean {
  return credentialProblems.has(sdkErrorParts(error).name);
}

const deniedNames = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'Forbidden',
  'UnauthorizedOperation',
]);

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'TimeoutError',
  'RequestTimeout',
]);

/** What failed, in the operator's words, e.g. `s3:PutObject on ftse100/raw/20241025/BARC.json`. */
export interface AwsCallContext {
  readonly action: string;
  readonly resource: string;
  /** The endpoint override, named in network errors so a wrong URL is obvious. */
  readonly endpoint?: string;
}

/** Wrap any SDK error; already-wrapped errors pass through. */
export function toTickopsError(error: unknown, context: AwsCallContext): TickopsError {
  if (error instanceof TickopsError) return error;

  const { name, status, message } = sdkErrorParts(error);
  const code = (error as { code?: string }).code ?? name;
  const where = `${context.action} on ${context.resource}`;

  if (credentialProblems.has(name)) {
    return new AccessDeniedError(`AWS credentials were not accepted for ${where}: ${name}`, {
      hint:
        'set AWS_PROFILE (or --profile), AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where ' +
        'the DataProcessor role is available',
      cause: error,
    });
  }
  if (deniedNames.has(name) || status === 403) {
    return new AccessDeniedError(`access denied: ${where}`, {
      hint: `grant ${context.action} to these credentials (see the s3_upload policy in the README)`,
      cause: error,
    });
  }
  if (networkCodes.has(code) || networkCodes.has(name)) {
    const target = context.endpoint ?? 'AWS';

    return new AwsResourceError(`cannot reach ${target} for ${where} (${code})`, {
      hint: context.endpoint
        ? 'check that the endpoint URL (AWS_ENDPOINT_URL or --endpoint-url) is right and up'
        : 'check the network connection to AWS',
      cause: error,
    });
  }

  return new AwsResourceError(
    `${where} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${message}`,
    {
      cause: error,
    },
  );
}
