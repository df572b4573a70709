/**
 * Who the credentials belong to: STS GetCallerIdentity, which needs no permission on AWS. The
 * setup asks it to build ARNs (a failure stops the setup); the console's header asks it to
 * show who is at work (a failure is shown as the answer).
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { toTickopsError } from './aws-errors.js';
import { TickopsError } from './errors.js';

/** The caller in full. */
export interface CallerIdentity {
  readonly accountId: string;
  readonly arn: string;
  readonly userId: string;
  /** `aws`, `aws-cn` or `aws-us-gov`, from the ARN. */
  readonly partition: string;
}

/** The caller as the header shows it. */
export type Identity =
  | { readonly kind: 'known'; readonly account: string; readonly arn: string }
  | { readonly kind: 'none'; readonly reason: string };

/** Ask STS who we are; throws a TickopsError saying why it could not tell. */
export async function detectIdentity(sts: STSClient, endpoint?: string): Promise<CallerIdentity> {
  try {
    const reply = await sts.send(new GetCallerIdentityCommand({}));
    const arn = reply.Arn ?? '';

    return {
      accountId: reply.Account ?? '',
      arn,
      userId: reply.UserId ?? '',
      partition: arn.split(':')[1] || 'aws',
    };
  } catch (error) {
    throw toTickopsError(error, { action: 'sts:GetCallerIdentity', resource: 'caller', endpoint });
  }
}

/** The caller for the header; a failure is an answer ("no credentials: ..."), not an error. */
export async function getIdentity(sts: STSClient, endpoint?: string): Promise<Identity> {
  try {
    const caller = await detectIdentity(sts, endpoint);
    return { kind: 'known', account: caller.accountId || '?', arn: caller.arn || '?' };
  } catch (error) {
    return { kind: 'none', reason: error instanceof TickopsError ? error.message : String(error) };
  }
}
