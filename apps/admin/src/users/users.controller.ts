import { Body, Controller, Inject, Param } from '@nestjs/common';
import { idSchema, tokenCreateSchema, userCreateSchema } from '@leeway/contracts';
import { AdminRoute, CallerAccess } from '../auth/admin-route.decorator';
import type { Access } from '../auth/principal';
import { validate } from '../http/admin-http.error';
import { UsersService } from './users.service';

@Controller()
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @AdminRoute('users.create')
  create(@CallerAccess() access: Access, @Body() body: unknown) {
    return this.users.createUser(access, validate(userCreateSchema, body, 'body'));
  }

  @AdminRoute('users.list')
  async list() {
    return { items: await this.users.listUsers() };
  }

  @AdminRoute('tokens.create')
  createToken(@CallerAccess() access: Access, @Param('id') id: string, @Body() body: unknown) {
    return this.users.createToken(access, validate(idSchema, id, 'params'), validate(tokenCreateSchema, body, 'body'));
  }

  @AdminRoute('tokens.revoke')
  revokeToken(@CallerAccess() access: Access, @Param('id') id: string) {
    return this.users.revokeToken(access, validate(idSchema, id, 'params'));
  }
}
