import { createServer } from 'node:net';
import { STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { getIdentity } from '../../src/services/identity.js';
import { detectIdentity } from '../../src/services/setup.js';
import { describeWithMoto, motoRegion, motoRootCredentials } from '../support/moto.js';

const stsAt = (endpoint: string) =>
  new STSClient({ endpoint, region: motoRegion, credentials: motoRootCredentials, maxAttempts: 1 });

/** A loopback port that was ours a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));

  return typeof address === 'object' && address ? address.port : 0;
}

describeWithMoto('who the credentials belong to', (getMoto) => {
  it('is one STS call for the setup and for the header alike', async () => {
    const sts = stsAt(getMoto().endpoint);

    const caller = await detectIdentity(sts, getMoto().endpoint);
    const header = await getIdentity(sts, getMoto().endpoint);

    expect(caller.accountId).toMatch(/^\d{12}$/);
    expect(caller.partition).toBe('aws');
    expect(header).toEqual({ kind: 'known', account: caller.accountId, arn: caller.arn });
  });
});

describe('who the credentials belong to, when STS cannot be asked', () => {
  it("stops the setup with the reason, and is the header's answer", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const sts = stsAt(endpoint);

    await expect(detectIdentity(sts, endpoint)).rejects.toThrow(
      `cannot reach ${endpoint} for sts:GetCallerIdentity on caller (ECONNREFUSED)`,
    );
    await expect(getIdentity(sts, endpoint)).resolves.toEqual({
      kind: 'none',
      reason: `cannot reach ${endpoint} for sts:GetCallerIdentity on caller (ECONNREFUSED)`,
    });
  });
});
