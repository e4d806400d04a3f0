import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ADMIN_TOKEN_PREFIX, UserRepository, hashSecret, secretsEqual } from '@leeway/db';
import { ADMIN_CONTEXT, type AdminContext } from '../admin.tokens';
import { AdminHttpError } from '../http/admin-http.error';
import type { RouteSpec } from '../http/routes';
import { ROUTE_SPEC, type AdminRequestState } from './admin-route.decorator';
import { accessFor, type Principal } from './principal';

interface GuardedRequest {
  id: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  leeway?: AdminRequestState;
}

/**
 * Authentication (bootstrap token or a user's `lwa_…` token) and authorisation against the route's
 * declared role set; team-admins only reach their own team through a team path parameter. Handlers
 * without a declaration are refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ADMIN_CONTEXT) private readonly ctx: AdminContext,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const spec = this.reflector.get<RouteSpec | undefined>(ROUTE_SPEC, context.getHandler());
    if (!spec) throw new AdminHttpError('GEN_FORBIDDEN', 'route has no declared role set');
    const req = context.switchToHttp().getRequest<GuardedRequest>();
    req.leeway = { spec };
    if (spec.roles === 'public') return true;

    const principal = await this.authenticate(req.headers['authorization']);
    const access = accessFor(principal, spec, String(req.id));
    if (!access) throw new AdminHttpError('GEN_FORBIDDEN', 'your role does not allow this operation');
    if (spec.teamParam && access.visibility.kind === 'teams') {
      const teamId = req.params?.[spec.teamParam];
      if (!teamId || !access.visibility.teamIds.includes(teamId)) {
        throw new AdminHttpError('GEN_FORBIDDEN', 'you may only manage your own team');
      }
    }
    req.leeway.access = access;
    return true;
  }

  private async authenticate(header: string | string[] | undefined): Promise<Principal> {
    const value = Array.isArray(header) ? header[0] : header;
    const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
    const token = match?.[1];
    if (!token) throw new AdminHttpError('GEN_UNAUTHENTICATED', 'missing bearer token');
    const bootstrap = this.ctx.config.adminToken;
    if (bootstrap !== null && secretsEqual(token, bootstrap)) {
      return { actorType: 'bootstrap', actorId: null, roles: [{ role: 'admin', teamId: null }] };
    }
    if (token.startsWith(ADMIN_TOKEN_PREFIX)) {
      const found = await new UserRepository(this.ctx.database.sql).findPrincipalByTokenHash(hashSecret(token), this.ctx.now());
      if (found) return { actorType: 'user', actorId: found.userId, roles: found.roles };
    }
    throw new AdminHttpError('GEN_UNAUTHENTICATED', 'invalid or revoked token');
  }
}
