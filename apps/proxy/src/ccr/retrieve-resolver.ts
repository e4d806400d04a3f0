import type { CcrStore } from '@leeway/state';
import { originalResolver } from '@leeway/wire';
import type { RetrieveResolver } from '@leeway/wire';

/**
 * Answers `leeway_retrieve` for one tenant from the CCR store (I6: the store is asked with the caller's
 * tenant only, so another team's key is indistinguishable from an unknown one). Keys arrive normalised
 * (lower case); a store failure reads as unknown ("expired — re-run the command"), never as an error.
 */
export function tenantResolver(ccr: Pick<CcrStore, 'findOriginal'>, tenant: string): RetrieveResolver {
  return originalResolver(async (key) => {
    try {
      return await ccr.findOriginal(tenant, key.toLowerCase());
    } catch {
      return null;
    }
  });
}
