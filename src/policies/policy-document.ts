import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import type { OperationPolicy, Policy, PolicyMode } from '../sampling/policy';
import { PolicyDto } from './dto/policy.dto';
import { parseErrorBoost } from './error-boost-policy';
import { FieldError } from '../errors/domain-error';

export const MAX_SERVICE_NAME = 256;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The options every admin input is validated with: unknown fields are refused, not dropped. */
export const VALIDATION_OPTIONS = { whitelist: true, forbidNonWhitelisted: true } as const;

type PolicyField = Exclude<keyof Policy, 'mode'>;

/** Every field but `mode`, in the order a stored document lists them. */
const POLICY_FIELDS: readonly PolicyField[] = [
  'samplingRate',
  'maxTracesPerSecond',
  'targetSamplesPerSecond',
  'budgetTracesPerSecond',
  'minSamplingProbability',
  'maxSamplingProbability',
  'lowerBoundTracesPerSecond',
  'errorBoost',
  'operations',
  'description',
];

/** Which service-level fields mean something in each mode; the others are refused. */
const FIELDS_BY_MODE: Record<PolicyMode, readonly PolicyField[]> = {
  adaptive: [
    'targetSamplesPerSecond',
    'budgetTracesPerSecond',
    'minSamplingProbability',
    'maxSamplingProbability',
    'lowerBoundTracesPerSecond',
    'errorBoost',
    'operations',
    'description',
  ],
  probabilistic: ['samplingRate', 'lowerBoundTracesPerSecond', 'operations', 'description'],
  // The protocol has no per-operation rate limit, and SDKs ignore the service's limit as soon
  // as per-operation rates are served: operations would silently cancel the limit.
  ratelimiting: ['maxTracesPerSecond', 'description'],
};

const REQUIRED_BY_MODE: Record<PolicyMode, readonly PolicyField[]> = {
  adaptive: [],
  probabilistic: ['samplingRate'],
  ratelimiting: ['maxTracesPerSecond'],
};

/**
 * Turns a document from any caller into a valid `Policy`, or throws `FieldError`
 * naming the first offending field. Field rules (types, ranges, unknown fields) are the DTO's;
 * the rules that relate fields to each other are checked here. The result holds only the
 * fields that were given, in a fixed order, so equal policies are stored as equal text.
 */
export function parsePolicy(input: unknown): Policy {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FieldError('body', 'must be a JSON object');
  }
  const operations = (input as { operations?: unknown }).operations;
  if (Array.isArray(operations)) {
    const index = operations.findIndex((op) => typeof op !== 'object' || op === null || Array.isArray(op));
    if (index >= 0) throw new FieldError(`operations[${index}]`, 'must be an object');
  }
  const dto = plainToInstance(PolicyDto, input);
  const problem = firstProblem(validateSync(dto, VALIDATION_OPTIONS));
  if (problem) throw new FieldError(problem.field, problem.reason);
  checkModeFields(dto);
  if (dto.errorBoost !== undefined) dto.errorBoost = parseErrorBoost(dto.errorBoost, 'errorBoost');
  checkBounds(dto);
  checkOperations(dto);
  return normalize(dto);
}

/** Service names are stored as given; only what no database can hold faithfully is refused. */
export function checkServiceName(service: unknown, field = 'service'): string {
  if (typeof service !== 'string') throw new FieldError(field, 'must be a string');
  const length = [...service].length;
  if (length < 1 || length > MAX_SERVICE_NAME) {
    throw new FieldError(field, `must be 1 to ${MAX_SERVICE_NAME} characters long (got ${length})`);
  }
  // PostgreSQL text cannot hold NUL, and a lone surrogate would be stored as U+FFFD: either way
  // the name read back would differ from the one written.
  if (service.includes('\u0000')) throw new FieldError(field, 'must not contain the NUL character');
  if (LONE_SURROGATE.test(service)) throw new FieldError(field, 'must be well-formed Unicode');
  return service;
}

/** The first problem of a class-validator result, with its path written as `a[1].b`. */
export function firstProblem(errors: ValidationError[], parent = ''): { field: string; reason: string } | undefined {
  for (const error of errors) {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent === ''
        ? error.property
        : `${parent}.${error.property}`;
    const constraints = Object.entries(error.constraints ?? {});
    if (constraints.length > 0) {
      const [kind, message] = constraints[0];
      return { field, reason: kind === 'whitelistValidation' ? 'is not a known field' : message };
    }
    const nested = firstProblem(error.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

function checkModeFields(dto: PolicyDto): void {
  const allowed = FIELDS_BY_MODE[dto.mode];
  for (const field of POLICY_FIELDS) {
    if (dto[field] !== undefined && !allowed.includes(field)) {
      throw new FieldError(field, `is not used in ${dto.mode} mode; remove it`);
    }
  }
  for (const field of REQUIRED_BY_MODE[dto.mode]) {
    if (dto[field] === undefined) throw new FieldError(field, `is required in ${dto.mode} mode`);
  }
}

function checkBounds(dto: PolicyDto): void {
  const { minSamplingProbability: min, maxSamplingProbability: max } = dto;
  if (min !== undefined && max !== undefined && min > max) {
    throw new FieldError('minSamplingProbability', `must not exceed maxSamplingProbability (${max})`);
  }
}

function checkOperations(dto: PolicyDto): void {
  const seen = new Map<string, number>();
  for (const [index, op] of (dto.operations ?? []).entries()) {
    const path = `operations[${index}]`;
    const pinned = op.samplingRate !== undefined;
    const targeted = op.targetSamplesPerSecond !== undefined;
    const boosted = op.errorBoost !== undefined;
    if (pinned && targeted) {
      throw new FieldError(path, 'must set exactly one of samplingRate and targetSamplesPerSecond');
    }
    if (!pinned && !targeted && !boosted) {
      throw new FieldError(path, 'must set one of samplingRate, targetSamplesPerSecond and errorBoost');
    }
    if (boosted) {
      if (pinned) throw new FieldError(`${path}.errorBoost`, 'does not apply to a pinned samplingRate; remove it');
      if (dto.mode !== 'adaptive') {
        throw new FieldError(`${path}.errorBoost`, `is not used in ${dto.mode} mode; remove it`);
      }
      op.errorBoost = parseErrorBoost(op.errorBoost, `${path}.errorBoost`);
    }
    if (targeted && dto.mode !== 'adaptive') {
      throw new FieldError(`${path}.targetSamplesPerSecond`, `is not used in ${dto.mode} mode; remove it`);
    }
    const first = seen.get(op.operation);
    if (first !== undefined) {
      throw new FieldError(`${path}.operation`, `repeats operations[${first}].operation`);
    }
    seen.set(op.operation, index);
  }
}

function normalize(dto: PolicyDto): Policy {
  const policy: Record<string, unknown> = { mode: dto.mode };
  for (const field of POLICY_FIELDS) {
    if (dto[field] === undefined) continue;
    policy[field] =
      field === 'operations'
        ? dto.operations?.map((op): OperationPolicy => {
            const entry: OperationPolicy = { operation: op.operation };
            if (op.samplingRate !== undefined) entry.samplingRate = op.samplingRate;
            if (op.targetSamplesPerSecond !== undefined) entry.targetSamplesPerSecond = op.targetSamplesPerSecond;
            if (op.errorBoost !== undefined) entry.errorBoost = op.errorBoost as OperationPolicy['errorBoost'];
            return entry;
          })
        : dto[field];
  }
  return policy as unknown as Policy;
}
