import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { IngestService } from './ingest.service';

@Controller('api/v1')
export class ThroughputController {
  constructor(private readonly ingest: IngestService) {}

  @Post('throughput')
  @HttpCode(202)
  report(@Body() body: unknown): { accepted: number } {
    return { accepted: this.ingest.acceptReport(body, 'http') };
  }
}
