import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CalculationView {
  @ApiProperty({ description: 'When it was computed (epoch ms).' }) at!: number;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ description: 'The replica that computed it.' }) replica!: string;
  @ApiProperty({ description: 'The snapshot version it saved.' }) version!: number;
  @ApiProperty() algorithm!: string;
  @ApiProperty() services!: number;
  @ApiProperty() operations!: number;
  @ApiProperty() ageSeconds!: number;
}

export class SnapshotView {
  @ApiProperty() version!: number;
  @ApiProperty({ type: String, nullable: true }) computedAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) ageSeconds!: number | null;
}

export class DependencyView {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
  @ApiPropertyOptional({ example: 'redis' }) kind?: string;
  @ApiPropertyOptional() reason?: string;
}

export class FleetView {
  @ApiProperty() services!: number;
  @ApiProperty() operations!: number;
  @ApiProperty() requestsPerSecond!: number;
  @ApiProperty() sampledPerSecond!: number;
}

export class EngineStatusView {
  @ApiProperty({ description: 'The replica that answered.' }) replica!: string;
  @ApiProperty() thisReplicaLeads!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'The replica that made the newest calculation.' }) leader!: string | null;
  @ApiProperty({ enum: ['jaeger', 'samplane'] }) algorithm!: string;
  @ApiProperty() calculationIntervalSeconds!: number;
  @ApiProperty({ type: CalculationView, nullable: true }) lastCalculation!: CalculationView | null;
  @ApiProperty({ type: SnapshotView }) snapshot!: SnapshotView;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/DependencyView' }, description: '`store`, `database`.' })
  dependencies!: Record<string, DependencyView>;
  @ApiProperty({ type: FleetView }) fleet!: FleetView;
}

export class ServedRateView {
  @ApiProperty({ type: Number, nullable: true, description: 'Null where a rate limit decides.' }) probability!: number | null;
  @ApiProperty() expectedSampledPerSecond!: number;
}

export class PreviewOperationView {
  @ApiProperty() operation!: string;
  @ApiProperty() requestsPerSecond!: number;
  @ApiProperty({ type: ServedRateView, description: 'What is served now.' }) current!: ServedRateView;
  @ApiProperty({ type: ServedRateView, description: 'What the draft would serve.' }) draft!: ServedRateView;
}

export class PreviewTotalView {
  @ApiProperty() requestsPerSecond!: number;
  @ApiProperty({ type: 'object', properties: { expectedSampledPerSecond: { type: 'number' } } }) current!: { expectedSampledPerSecond: number };
  @ApiProperty({ type: 'object', properties: { expectedSampledPerSecond: { type: 'number' } } }) draft!: { expectedSampledPerSecond: number };
  @ApiPropertyOptional() budgetTracesPerSecond?: number;
}

export class PolicyPreviewView {
  @ApiProperty() service!: string;
  @ApiProperty({ description: 'Recent calculation intervals the draft was calculated on.' }) buckets!: number;
  @ApiProperty({ type: [PreviewOperationView] }) operations!: PreviewOperationView[];
  @ApiProperty({ type: PreviewTotalView }) total!: PreviewTotalView;
}
