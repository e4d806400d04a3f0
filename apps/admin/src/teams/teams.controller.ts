import { Body, Controller, Inject, Param } from '@nestjs/common';
import { credentialPutSchema, keyCreateSchema, providerSchema, teamCreateSchema, teamUpdateSchema } from '@leeway/contracts';
import { AdminRoute, CallerAccess } from '../auth/admin-route.decorator';
import type { Access } from '../auth/principal';
import { validate } from '../http/admin-http.error';
import { TeamsService } from './teams.service';

@Controller()
export class TeamsController {
  constructor(@Inject(TeamsService) private readonly teams: TeamsService) {}

  @AdminRoute('teams.create')
  create(@CallerAccess() access: Access, @Body() body: unknown) {
    return this.teams.createTeam(access, validate(teamCreateSchema, body, 'body'));
  }

  @AdminRoute('teams.list')
  async list(@CallerAccess() access: Access) {
    return { items: await this.teams.listTeams(access) };
  }

  @AdminRoute('teams.get')
  get(@Param('id') id: string) {
    return this.teams.getTeam(id);
  }

  @AdminRoute('teams.update')
  update(@CallerAccess() access: Access, @Param('id') id: string, @Body() body: unknown) {
    return this.teams.updateTeam(access, id, validate(teamUpdateSchema, body, 'body'));
  }

  @AdminRoute('teams.delete')
  remove(@CallerAccess() access: Access, @Param('id') id: string) {
    return this.teams.deleteTeam(access, id);
  }

  @AdminRoute('keys.create')
  createKey(@CallerAccess() access: Access, @Param('id') id: string, @Body() body: unknown) {
    return this.teams.createKey(access, id, validate(keyCreateSchema, body, 'body'));
  }

  @AdminRoute('keys.list')
  async listKeys(@Param('id') id: string) {
    return { items: await this.teams.listKeys(id) };
  }

  @AdminRoute('keys.revoke')
  revokeKey(@CallerAccess() access: Access, @Param('id') id: string, @Param('keyId') keyId: string) {
    return this.teams.revokeKey(access, id, keyId);
  }

  @AdminRoute('credentials.put')
  putCredential(@CallerAccess() access: Access, @Param('id') id: string, @Param('provider') provider: string, @Body() body: unknown) {
    const p = validate(providerSchema, provider, 'params');
    return this.teams.putCredential(access, id, p, validate(credentialPutSchema, body, 'body'));
  }

  @AdminRoute('credentials.list')
  async listCredentials(@Param('id') id: string) {
    return { items: await this.teams.listCredentials(id) };
  }

  @AdminRoute('credentials.delete')
  deleteCredential(@CallerAccess() access: Access, @Param('id') id: string, @Param('provider') provider: string) {
    return this.teams.deleteCredential(access, id, validate(providerSchema, provider, 'params'));
  }
}
