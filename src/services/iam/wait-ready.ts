/**
 * After a role or instance profile is created, IAM can take several seconds before reads (and
 * EC2) see it. Apply waits, boundedly, until GetInstanceProfile lists the role, so the next
 * step (launching the machine) does not fail on an "invalid instance profile".
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { withConsistencyRetry, type ConsistencyOptions } from './consistency.js';
import type { DesiredIam } from './desired.js';
import { readInstanceProfile } from './read.js';

class NotReadyYet extends Error {}

/** Wait until the instance profile is seen holding the role; gives up quietly when bounded. */
export async function waitUntilProfileReady(
  iam: IAMClient,
  desired: DesiredIam,
  options: ConsistencyOptions,
): Promise<boolean> {
  try {
    await withConsistencyRetry(
      async () => {
        const profile = await readInstanceProfile(iam, desired.instanceProfileName);
        if (profile.kind === 'denied') return;
        if (profile.kind !== 'found' || !profile.value.roles.includes(desired.roleName)) {
          throw new NotReadyYet();
        }
      },
      true,
      `instance profile ${desired.instanceProfileName} does not show role ${desired.roleName} yet`,
      { ...options, isTransient: (error) => error instanceof NotReadyYet },
    );
    return true;
  } catch (error) {
    // Everything was created; EC2 may still need a few seconds, which its own launch retries.
    if (error instanceof NotReadyYet) return false;
    throw error;
  }
}
