import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class OperationPointView {
  @ApiProperty() operation!: string;
  @ApiProperty({ description: 'The probability the engine computed.' }) probability!: number;
  @ApiProperty() requestsPerSecond!: number;
  @ApiProperty() sampledPerSecond!: number;
  @ApiProperty() errorRate!: number;
}

export class ServicePointView {
  @ApiProperty({ description: 'When the leader computed it (ISO 8601).' }) at!: string;
  @ApiProperty() requestsPerSecond!: number;
  @ApiProperty({ description: 'Sampled traces/s seen.' }) sampledPerSecond!: number;
  @ApiProperty({ description: 'Sampled traces/s the computed probabilities yield at the seen request rates.' })
  expectedSampledPerSecond!: number;
  @ApiPropertyOptional({ description: 'The service budget (sampled traces/s) its policy sets.' }) budgetTracesPerSecond?: number;
  @ApiPropertyOptional({ description: 'What the engine aimed at for the whole service.' }) targetSamplesPerSecond?: number;
  @ApiProperty({ type: [OperationPointView], description: 'The busiest operations.' }) operations!: OperationPointView[];
}

export class HistoryBoundsView {
  @ApiProperty({ description: 'Points kept per service.' }) points!: number;
  @ApiProperty({ description: 'Operations kept per point (the busiest).' }) operations!: number;
  @ApiProperty({ description: 'Services kept per calculation (the busiest).' }) services!: number;
}

export class ServiceHistoryView {
  @ApiProperty() service!: string;
  @ApiProperty() calculationIntervalSeconds!: number;
  @ApiProperty({ type: HistoryBoundsView }) bounds!: HistoryBoundsView;
  @ApiProperty({ type: [ServicePointView], description: 'Oldest first.' }) points!: ServicePointView[];
}
