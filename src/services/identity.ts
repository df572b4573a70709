/** Who the credentials belong to, for the console's header. */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { toTickopsError } from './aws-errors.js';

/** The caller as the header shows it. */
export type Identity =
  | { readonly kind: 'known'; readonly account: string; readonly arn: string }
  | { readonly kind: 'none'; readonly reason: string };

/** Ask STS who we are; a failure is an answer ("no credentials: ..."), not an error. */
export async function getIdentity(sts: STSClient, endpoint?: string): Promise<Identity> {
  try {
    const reply = await sts.send(new GetCallerIdentityCommand({}));
    return { kind: 'known', account: reply.Account ?? '?', arn: reply.Arn ?? '?' };
  } catch (error) {
    const wrapped = toTickopsError(error, {
      action: 'sts:GetCallerIdentity',
      resource: 'caller',
      endpoint,
    });
    return { kind: 'none', reason: wrapped.message };
  }
}
