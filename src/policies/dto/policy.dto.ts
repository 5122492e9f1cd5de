// class-transformer's @Type reads decorator metadata, whoever loads this file.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { PolicyMode } from '../../sampling/policy';

export const POLICY_MODES: readonly PolicyMode[] = ['adaptive', 'probabilistic', 'ratelimiting'];
export const MAX_OPERATIONS = 2000;
export const MAX_OPERATION_NAME = 1024;
export const MAX_DESCRIPTION = 1000;
/** Jaeger serves the limit as an int32. */
export const MAX_TRACES_PER_SECOND = 2_147_483_647;

/**
 * Validates only fields that are present; unlike `@IsOptional`, a `null` is validated (and
 * refused) rather than read as "absent", so a document never loses a field silently.
 */
const Present = (): PropertyDecorator => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

const FINITE = { allowNaN: false, allowInfinity: false } as const;
const PROBABILITY = 'must be a number from 0 to 1';

/** Several property decorators as one, applied in the order they would be if stacked. */
function all(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const decorator of [...decorators].reverse()) decorator(target, key);
  };
}

/** A probability, when present. */
const OptionalProbability = (): PropertyDecorator =>
  all(Present(), IsNumber(FINITE, { message: PROBABILITY }), Min(0, { message: PROBABILITY }), Max(1, { message: PROBABILITY }));

/** A finite number above zero (a target or a budget), when present. */
const OptionalPositive = (): PropertyDecorator =>
  all(
    Present(),
    IsNumber(FINITE, { message: 'must be a finite number' }),
    Min(Number.MIN_VALUE, { message: 'must be greater than 0' }),
  );

export class OperationPolicyDto {
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must not be empty' })
  @MaxLength(MAX_OPERATION_NAME, { message: `must be at most ${MAX_OPERATION_NAME} characters` })
  operation!: string;

  @OptionalProbability()
  samplingRate?: number;

  @OptionalPositive()
  targetSamplesPerSecond?: number;

  /** Checked by `parseErrorBoost`: `false` or an object, which decorators cannot express. */
  @Allow()
  errorBoost?: unknown;
}

/**
 * The body of `PUT /api/v1/policies/:service`, as the README defines a policy: the rules of
 * each field. Its OpenAPI description is in `policy.openapi.ts`, which keeps this file free
 * of the HTTP framework, so any caller (and the tests) can validate with it.
 */
export class PolicyDto {
  @IsIn(POLICY_MODES, { message: `must be one of ${POLICY_MODES.join(', ')}` })
  mode!: PolicyMode;

  @OptionalProbability()
  samplingRate?: number;

  @Present()
  @IsInt({ message: `must be a whole number from 0 to ${MAX_TRACES_PER_SECOND}` })
  @Min(0, { message: `must be a whole number from 0 to ${MAX_TRACES_PER_SECOND}` })
  @Max(MAX_TRACES_PER_SECOND, { message: `must be a whole number from 0 to ${MAX_TRACES_PER_SECOND}` })
  maxTracesPerSecond?: number;

  @OptionalPositive()
  targetSamplesPerSecond?: number;

  @OptionalPositive()
  budgetTracesPerSecond?: number;

  @OptionalProbability()
  minSamplingProbability?: number;

  @OptionalProbability()
  maxSamplingProbability?: number;

  @Present()
  @IsNumber(FINITE, { message: 'must be a finite number' })
  @Min(0, { message: 'must not be negative' })
  lowerBoundTracesPerSecond?: number;

  /** Checked by `parseErrorBoost`: `false` or an object, which decorators cannot express. */
  @Allow()
  errorBoost?: unknown;

  @Present()
  @IsArray({ message: 'must be an array' })
  @ArrayMaxSize(MAX_OPERATIONS, { message: `must hold at most ${MAX_OPERATIONS} operations` })
  @ValidateNested({ each: true })
  @Type(() => OperationPolicyDto)
  operations?: OperationPolicyDto[];

  @Present()
  @IsString({ message: 'must be a string' })
  @MaxLength(MAX_DESCRIPTION, { message: `must be at most ${MAX_DESCRIPTION} characters` })
  description?: string;
}
