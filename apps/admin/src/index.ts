export { AdminConfigError, DEV_SECRET_KEY, loadAdminConfig, type AdminConfig } from './config/admin.config';
export { startAdmin, type AdminDeps, type AdminHandle } from './start-admin';
export { createAdminLogger, type AdminLogger } from './admin.logger';
export {
  ADMIN_CHANGES_CHANNEL,
  MemoryChangePublisher,
  RedisChangePublisher,
  type ChangeListener,
  type ChangePublisher,
  type PublishingClient,
} from './changes/change-publisher';
export { ROUTES, type RouteSpec } from './http/routes';
export { buildOpenApiDocument } from './openapi/openapi-document';
