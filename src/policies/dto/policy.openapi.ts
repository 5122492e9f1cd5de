import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import {
  MAX_DESCRIPTION,
  MAX_OPERATIONS,
  MAX_OPERATION_NAME,
  MAX_TRACES_PER_SECOND,
  OperationPolicyDto,
  POLICY_MODES,
  PolicyDto,
} from './policy.dto';

/**
 * The OpenAPI description of the policy DTOs, attached to the same classes the validation
 * runs on. It lives apart so the DTOs themselves need no HTTP framework; the limits come from
 * the DTO file, so both say the same.
 */
function describe<T extends object>(type: new () => T, properties: Partial<Record<keyof T, ApiPropertyOptions>>): void {
  for (const [property, options] of Object.entries(properties) as [string, ApiPropertyOptions][]) {
    ApiProperty({ ...options, required: options.required ?? false } as ApiPropertyOptions)(type.prototype as object, property);
  }
}

const PROBABILITY = { type: Number, minimum: 0, maximum: 1 } as const;
const POSITIVE = { type: Number, minimum: 0, exclusiveMinimum: true } as const;
const ERROR_BOOST: ApiPropertyOptions = {
  oneOf: [
    { type: 'boolean', enum: [false] },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        targetErrorSamplesPerSecond: { type: 'number', minimum: 0, exclusiveMinimum: true, example: 2 },
        maxSamplingProbability: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, example: 0.5 },
        cooldown: { type: 'string', example: '10m' },
      },
    },
  ],
  description:
    'adaptive (samplane algorithm): how an operation whose error rate rises clearly above its baseline is boosted, or false for never; absent fields take ADAPTIVE_ERROR_*.',
};

describe(OperationPolicyDto, {
  operation: { type: String, required: true, minLength: 1, maxLength: MAX_OPERATION_NAME, example: 'GET /health' },
  samplingRate: { ...PROBABILITY, description: 'Pins the operation’s rate. Exactly one of this and targetSamplesPerSecond.' },
  targetSamplesPerSecond: { ...POSITIVE, description: 'adaptive only: the operation’s own target of sampled traces per second.' },
  errorBoost: ERROR_BOOST,
});

describe(PolicyDto, {
  mode: { enum: POLICY_MODES, required: true },
  samplingRate: { ...PROBABILITY, description: 'probabilistic (required there): the service’s rate.' },
  maxTracesPerSecond: {
    type: 'integer',
    minimum: 0,
    maximum: MAX_TRACES_PER_SECOND,
    description: 'ratelimiting (required there): traces per second.',
  },
  targetSamplesPerSecond: { ...POSITIVE, description: 'adaptive: sampled traces per second per operation.' },
  budgetTracesPerSecond: {
    ...POSITIVE,
    description: 'adaptive (samplane algorithm): the service’s budget of sampled traces per second, shared max-min fairly among its operations.',
  },
  minSamplingProbability: { ...PROBABILITY, description: 'adaptive: lowest probability computed; at most maxSamplingProbability.' },
  maxSamplingProbability: { ...PROBABILITY, description: 'adaptive: highest probability computed.' },
  lowerBoundTracesPerSecond: {
    type: Number,
    minimum: 0,
    description: 'adaptive and probabilistic: lower bound served to SDKs, traces per second per operation.',
  },
  errorBoost: ERROR_BOOST,
  operations: {
    type: [OperationPolicyDto],
    maxItems: MAX_OPERATIONS,
    description: 'adaptive and probabilistic: per-operation entries, operation names unique.',
  },
  description: { type: String, maxLength: MAX_DESCRIPTION, description: 'Why this policy exists.' },
});

/** The policy DTO, now with its OpenAPI description. */
export { PolicyDto as DocumentedPolicyDto };
