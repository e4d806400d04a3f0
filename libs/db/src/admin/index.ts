export { AdminDbError, type AdminDbErrorCode } from './admin-errors';
export { ALL_TEAMS, canSeeTeam, onlyTeams, teamScope, type TeamScope, type Visibility } from './scope';
export {
  ADMIN_TOKEN_PREFIX,
  VIRTUAL_KEY_PREFIX,
  SecretError,
  decryptCredential,
  encryptCredential,
  hashSecret,
  issueAdminToken,
  issueVirtualKey,
  keyHint,
  secretsEqual,
  type IssuedSecret,
} from './secrets';
export { TeamRepository, slugify } from './team.repository';
export { KeyRepository, type ActiveVirtualKey } from './key.repository';
export { CredentialRepository } from './credential.repository';
export { PolicyRepository } from './policy.repository';
export { BudgetRepository } from './budget.repository';
export { UserRepository, type RoleGrant, type TokenPrincipal } from './user.repository';
export { AuditRepository, type AuditRecord } from './audit.repository';
export { ReportRepository, type SpendGroup } from './report.repository';
export { PriceRepository } from './price.repository';
