import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { IngestService } from './ingest.service';

@Controller('api/v1')
export class ThroughputController {
  constructor(private readonly ingest: IngestService) {}

  @Post('throughput')
  @HttpCode(202)
  report(@Body() body: unknown, @Headers('authorization') authorization: string | undefined): { accepted: number } {
    return { accepted: this.ingest.acceptReport(body, 'http', this.ingest.authenticate('report', authorization)) };
  }
}
