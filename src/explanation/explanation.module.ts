import { Module } from '@nestjs/common';
import { PoliciesModule } from '../policies/policies.module';
import { ServingModule } from '../serving/serving.module';
import { ServicesController } from './services.controller';
import { ServicesViewService } from './services-view.service';

@Module({
  imports: [ServingModule, PoliciesModule],
  controllers: [ServicesController],
  providers: [ServicesViewService],
})
export class ExplanationModule {}
