/** The caller's identity for the header, asked once. */
import { useEffect, useState } from 'react';
import type { Identity } from '../../services/identity.js';

/** Loading, then the identity (or why there is none). */
export function useIdentity(load: () => Promise<Identity>): Identity | undefined {
  const [identity, setIdentity] = useState<Identity>();

  useEffect(() => {
    let live = true;
    load().then(
      (found) => live && setIdentity(found),
      (error: unknown) => live && setIdentity({ kind: 'none', reason: String(error) }),
    );
    return () => {
      live = false;
    };
  }, [load]);

  return identity;
}
