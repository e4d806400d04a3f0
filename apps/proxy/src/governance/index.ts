export { Governance, GOVERNANCE, type GovernanceDefaults, type GovernanceOptions, type GovernedRequest } from './governance.service';
export { GovernanceCache, type GovernanceCacheOptions } from './governance.cache';
export { DbGovernanceSource, type CredentialRecord, type GovernanceSource, type VirtualKeyRecord } from './governance.source';
export { ADMIN_CHANGES_CHANNEL, BusChangeFeed, RedisChangeFeed, type ChangeBus, type ChangeFeed, type GovernanceChange } from './change-feed';
export { BudgetGate, estimateMicros, usdToMicros, type BudgetAlert, type BudgetAdmission, type BudgetTicket } from './budget.gate';
export { GovernanceError, errorHeaders } from './governance.errors';
export { VirtualKeyIdentityResolver, presentedKey, type RawProviderKeys } from './virtual-key.resolver';
