import { Inject, Injectable } from '@nestjs/common';
import { TeamRepository, UserRepository } from '@leeway/db';
import type { TokenCreate, UserCreate, UserView } from '@leeway/contracts';
import type { Access } from '../auth/principal';
import { AdminHttpError, notFound } from '../http/admin-http.error';
import { AdminStore } from '../http/admin-store';

@Injectable()
export class UsersService {
  constructor(@Inject(AdminStore) private readonly store: AdminStore) {}

  createUser(access: Access, input: UserCreate): Promise<UserView> {
    return this.store.change(access, async (tx, rec) => {
      if (input.teamId && !(await new TeamRepository(tx).findById(input.teamId))) {
        throw new AdminHttpError('ADM_TEAM_NOT_FOUND', `team ${input.teamId} not found`);
      }
      const user = await new UserRepository(tx).create(input);
      await rec.audit({ action: 'user.created', targetType: 'user', targetId: user.id, teamId: input.teamId ?? null, before: null, after: user });
      return user;
    });
  }

  listUsers(): Promise<UserView[]> {
    return new UserRepository(this.store.sql).list();
  }

  createToken(access: Access, userId: string, input: TokenCreate) {
    return this.store.change(access, async (tx, rec) => {
      const users = new UserRepository(tx);
      if (!(await users.exists(userId))) throw notFound(`user ${userId}`);
      const token = await users.createToken(userId, input);
      await rec.audit({
        action: 'token.created',
        targetType: 'admin_token',
        targetId: token.id,
        teamId: null,
        before: null,
        after: { id: token.id, userId, name: input.name, prefix: token.prefix, expiresAt: token.expiresAt },
      });
      return token;
    });
  }

  revokeToken(access: Access, tokenId: string): Promise<{ id: string; deleted: true }> {
    return this.store.change(access, async (tx, rec) => {
      const revoked = await new UserRepository(tx).revokeToken(tokenId);
      if (!revoked) throw notFound(`token ${tokenId}`);
      await rec.audit({ action: 'token.revoked', targetType: 'admin_token', targetId: tokenId, teamId: null, before: revoked, after: null });
      return { id: tokenId, deleted: true as const };
    });
  }
}
