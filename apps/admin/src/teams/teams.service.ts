import { Inject, Injectable } from '@nestjs/common';
import {
  CredentialRepository,
  KeyRepository,
  TeamRepository,
  encryptCredential,
  keyHint,
  teamScope,
  type SqlQueryable,
} from '@leeway/db';
import type { CredentialPut, CredentialView, KeyCreate, KeyView, TeamCreate, TeamUpdate, TeamView } from '@leeway/contracts';
import type { Access } from '../auth/principal';
import { AdminHttpError, notFound } from '../http/admin-http.error';
import { AdminStore } from '../http/admin-store';

async function requireTeam(q: SqlQueryable, teamId: string): Promise<TeamView> {
  const team = await new TeamRepository(q).findById(teamId);
  if (!team) throw new AdminHttpError('ADM_TEAM_NOT_FOUND', `team ${teamId} not found`);
  return team;
}

@Injectable()
export class TeamsService {
  constructor(@Inject(AdminStore) private readonly store: AdminStore) {}

  createTeam(access: Access, input: TeamCreate): Promise<TeamView> {
    return this.store.change(access, async (tx, rec) => {
      const team = await new TeamRepository(tx).create(input);
      await rec.audit({ action: 'team.created', targetType: 'team', targetId: team.id, teamId: team.id, before: null, after: team });
      rec.notify({ kind: 'team', action: 'created', id: team.id, teamId: team.id });
      return team;
    });
  }

  listTeams(access: Access): Promise<TeamView[]> {
    return new TeamRepository(this.store.sql).list(access.visibility);
  }

  getTeam(teamId: string): Promise<TeamView> {
    return requireTeam(this.store.sql, teamId);
  }

  updateTeam(access: Access, teamId: string, patch: TeamUpdate): Promise<TeamView> {
    return this.store.change(access, async (tx, rec) => {
      const before = await requireTeam(tx, teamId);
      const after = (await new TeamRepository(tx).update(teamId, patch))!;
      await rec.audit({ action: 'team.updated', targetType: 'team', targetId: teamId, teamId, before, after });
      rec.notify({ kind: 'team', action: 'updated', id: teamId, teamId });
      return after;
    });
  }

  deleteTeam(access: Access, teamId: string): Promise<{ id: string; deleted: true }> {
    return this.store.change(access, async (tx, rec) => {
      const before = await new TeamRepository(tx).delete(teamId);
      if (!before) throw new AdminHttpError('ADM_TEAM_NOT_FOUND', `team ${teamId} not found`);
      await rec.audit({ action: 'team.deleted', targetType: 'team', targetId: teamId, teamId, before, after: null });
      rec.notify({ kind: 'team', action: 'deleted', id: teamId, teamId });
      return { id: teamId, deleted: true as const };
    });
  }

  createKey(access: Access, teamId: string, input: KeyCreate): Promise<{ id: string; key: string; prefix: string; expiresAt: string | null }> {
    if (input.expiresAt && Date.parse(input.expiresAt) <= this.store.now().getTime()) {
      throw new AdminHttpError('GEN_VALIDATION_FAILED', 'invalid request body', {
        issues: [{ in: 'body', path: 'expiresAt', code: 'custom', message: 'must be in the future' }],
      });
    }
    return this.store.change(access, async (tx, rec) => {
      await requireTeam(tx, teamId);
      const { view, key } = await new KeyRepository(tx).create(teamScope(teamId), {
        name: input.name,
        expiresAt: input.expiresAt,
        createdBy: access.principal.actorId ?? access.principal.actorType,
      });
      await rec.audit({ action: 'key.created', targetType: 'key', targetId: view.id, teamId, before: null, after: view });
      rec.notify({ kind: 'key', action: 'created', id: view.id, teamId });
      return { id: view.id, key, prefix: view.prefix, expiresAt: view.expiresAt };
    });
  }

  async listKeys(teamId: string): Promise<KeyView[]> {
    await requireTeam(this.store.sql, teamId);
    return new KeyRepository(this.store.sql).list(teamScope(teamId));
  }

  revokeKey(access: Access, teamId: string, keyId: string): Promise<KeyView> {
    return this.store.change(access, async (tx, rec) => {
      const revoked = await new KeyRepository(tx).revoke(teamScope(teamId), keyId);
      if (!revoked) throw notFound(`key ${keyId}`);
      await rec.audit({ action: 'key.revoked', targetType: 'key', targetId: keyId, teamId, before: revoked.before, after: revoked.after });
      rec.notify({ kind: 'key', action: 'revoked', id: keyId, teamId, keyHash: revoked.hash });
      return revoked.after;
    });
  }

  putCredential(access: Access, teamId: string, provider: string, input: CredentialPut): Promise<CredentialView> {
    return this.store.change(access, async (tx, rec) => {
      await requireTeam(tx, teamId);
      const { before, after } = await new CredentialRepository(tx).put(teamScope(teamId), provider, {
        name: input.name ?? `${provider} key`,
        encrypted: encryptCredential(this.store.secretKey, provider, input.apiKey),
        keyHint: keyHint(input.apiKey),
      });
      await rec.audit({ action: before ? 'credential.rotated' : 'credential.created', targetType: 'credential', targetId: after.id, teamId, before, after });
      rec.notify({ kind: 'credential', action: before ? 'updated' : 'created', id: after.id, teamId });
      return after;
    });
  }

  async listCredentials(teamId: string): Promise<CredentialView[]> {
    await requireTeam(this.store.sql, teamId);
    return new CredentialRepository(this.store.sql).list(teamScope(teamId));
  }

  deleteCredential(access: Access, teamId: string, provider: string): Promise<CredentialView> {
    return this.store.change(access, async (tx, rec) => {
      const revoked = await new CredentialRepository(tx).revoke(teamScope(teamId), provider);
      if (!revoked) throw notFound(`${provider} credential of team ${teamId}`);
      await rec.audit({ action: 'credential.revoked', targetType: 'credential', targetId: revoked.id, teamId, before: revoked, after: null });
      rec.notify({ kind: 'credential', action: 'revoked', id: revoked.id, teamId });
      return revoked;
    });
  }
}
