import { Controller, Get } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminApi } from '../admin/admin-api.decorator';
import { AdminAccess } from '../admin/auth/admin-access.decorator';
import { type EngineStatus, EngineStatusService } from './engine-status.service';
import { DependencyView, EngineStatusView } from './dashboard.dto';

@ApiTags('engine')
@ApiExtraModels(DependencyView)
@AdminApi()
@Controller('api/v1/engine')
export class EngineController {
  constructor(private readonly engine: EngineStatusService) {}

  @Get()
  @AdminAccess('viewer')
  @ApiOkResponse({
    type: EngineStatusView,
    description:
      'The engine: leader, algorithm, the last calculation and its duration, the served snapshot’s version and ' +
      'age, store and database health, and fleet totals.',
  })
  status(): Promise<EngineStatus> {
    return this.engine.status();
  }
}
