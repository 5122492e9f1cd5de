import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { EngineModule } from '../engine/engine.module';
import { ServingModule } from '../serving/serving.module';
import { EngineController } from './engine.controller';
import { EngineStatusService } from './engine-status.service';
import { HistoryService } from './history.service';
import { PreviewController } from './preview.controller';
import { PreviewService } from './preview.service';
import { RecordedExplanations } from './recorded-explanations';
import { ServicesController } from './services.controller';
import { ServicesViewService } from './services-view.service';

/** What operators see of the engine: rates and why, their history, the engine's state, previews. */
@Module({
  imports: [ServingModule, EngineModule, AdminModule],
  controllers: [ServicesController, EngineController, PreviewController],
  providers: [ServicesViewService, HistoryService, EngineStatusService, PreviewService, RecordedExplanations],
})
export class ExplanationModule {}
