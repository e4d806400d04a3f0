import { applyDecorators, Delete, Get, HttpCode, Patch, Post, Put, SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { routeSpec, toNestPath, type RouteSpec } from '../http/routes';
import type { Access } from './principal';

export const ROUTE_SPEC = Symbol('leeway.admin.route');

const METHODS = { GET: Get, POST: Post, PUT: Put, PATCH: Patch, DELETE: Delete } as const;

/** Bind a handler to its declared route: HTTP method, path, status and role set in one place. */
export function AdminRoute(id: string): MethodDecorator {
  const spec = routeSpec(id);
  return applyDecorators(METHODS[spec.method](toNestPath(spec.path)), HttpCode(spec.status), SetMetadata(ROUTE_SPEC, spec));
}

export interface AdminRequestState {
  access?: Access;
  spec?: RouteSpec;
}

/** The caller's `Access` as computed by the guard. */
export const CallerAccess = createParamDecorator((_data: unknown, ctx: ExecutionContext): Access => {
  const req = ctx.switchToHttp().getRequest<{ leeway?: AdminRequestState }>();
  const access = req.leeway?.access;
  if (!access) throw new Error('route has no access context (public route?)');
  return access;
});
