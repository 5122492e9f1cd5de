import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminApi } from '../admin/admin-api.decorator';
import { AdminAccess } from '../admin/auth/admin-access.decorator';
import { type EngineStatus, EngineStatusService } from './engine-status.service';

@ApiTags('engine')
@AdminApi()
@Controller('api/v1/engine')
export class EngineController {
  constructor(private readonly engine: EngineStatusService) {}

  @Get()
  @AdminAccess('viewer')
  @ApiOkResponse({
    description:
      'The engine: leader, algorithm, the last calculation and its duration, the served snapshot’s version and ' +
      'age, store and database health, and fleet totals.',
  })
  status(): Promise<EngineStatus> {
    return this.engine.status();
  }
}
