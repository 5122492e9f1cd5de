import { ApiProperty } from '@nestjs/swagger';

/** The body of every 4xx and 5xx the HTTP API answers with (see http-status.ts), for the OpenAPI document. */
export class ErrorView {
  @ApiProperty()
  statusCode!: number;

  @ApiProperty()
  error!: string;

  @ApiProperty({ required: false, example: 'operations[1].samplingRate', description: 'For 400: the offending field.' })
  field?: string;

  @ApiProperty()
  message!: string;
}
