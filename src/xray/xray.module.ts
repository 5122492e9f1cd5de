import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { ServingModule } from '../serving/serving.module';
import { XRayHttpRoutes } from './xray-http.routes';
import { XRayRulesSource } from './xray-rules.source';
import { XRayTargetsService } from './xray-targets.service';

/** AWS X-Ray centralized sampling, served from the same snapshot and counted like reports. */
@Module({
  imports: [ServingModule, IngestModule],
  providers: [XRayRulesSource, XRayTargetsService, XRayHttpRoutes],
})
export class XRayModule {}
