import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ADMIN_CONTEXT, type AdminContext } from './admin.tokens';
import { AuthGuard } from './auth/auth.guard';
import { GovernanceController } from './governance/governance.controller';
import { GovernanceService } from './governance/governance.service';
import { AdminStore } from './http/admin-store';
import { AdminErrorFilter } from './http/error.filter';
import { MetaController } from './openapi/meta.controller';
import { AdminObservability } from './observability/admin-observability';
import { ReportsController } from './reports/reports.controller';
import { ReportsService } from './reports/reports.service';
import { TeamsController } from './teams/teams.controller';
import { TeamsService } from './teams/teams.service';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

@Module({})
export class AdminModule {
  static register(context: AdminContext): DynamicModule {
    return {
      module: AdminModule,
      controllers: [TeamsController, GovernanceController, ReportsController, UsersController, MetaController],
      providers: [
        { provide: ADMIN_CONTEXT, useValue: context },
        AdminStore,
        TeamsService,
        GovernanceService,
        ReportsService,
        UsersService,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: AdminErrorFilter },
        AdminObservability,
      ],
    };
  }
}
