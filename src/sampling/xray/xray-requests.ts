/** A request X-Ray clients would get `InvalidRequestException` for; `field` names what is wrong. */
export class XRayRequestError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'XRayRequestError';
  }
}

export interface StatisticsDocument {
  RuleName: string;
  ClientID: string;
  Timestamp: number;
  RequestCount: number;
  SampledCount: number;
  BorrowCount: number;
}

/** X-Ray's own limit per SamplingTargets call. */
export const MAX_STATISTICS_DOCUMENTS = 25;
const MAX_RULE_NAME = 32;

/** `GetSamplingRules` takes an empty body or any object (`NextToken` is ignored: one page). */
export function validateRulesRequest(body: unknown): void {
  if (body === undefined) return;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new XRayRequestError('(body)', 'expected a JSON object');
  }
}

/**
 * The statistics of one `SamplingTargets` call, checked whole before anything is counted. An
 * empty body, `{}` and an empty list are no statistics, which still get an answer.
 */
export function validateTargetsRequest(body: unknown): StatisticsDocument[] {
  validateRulesRequest(body);
  const list = (body as Record<string, unknown> | undefined)?.SamplingStatisticsDocuments;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new XRayRequestError('SamplingStatisticsDocuments', 'expected a list');
  if (list.length > MAX_STATISTICS_DOCUMENTS) {
    throw new XRayRequestError(
      'SamplingStatisticsDocuments',
      `${list.length} documents; at most ${MAX_STATISTICS_DOCUMENTS} per call`,
    );
  }
  return list.map((entry, index) => statistics(entry, `SamplingStatisticsDocuments[${index}]`));
}

function statistics(value: unknown, path: string): StatisticsDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new XRayRequestError(path, 'expected an object');
  }
  const doc = value as Record<string, unknown>;
  const name = doc.RuleName;
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_RULE_NAME) {
    throw new XRayRequestError(`${path}.RuleName`, `expected a string of 1 to ${MAX_RULE_NAME} characters`);
  }
  if (typeof doc.ClientID !== 'string' || !/^[0-9a-fA-F]{24}$/.test(doc.ClientID)) {
    throw new XRayRequestError(`${path}.ClientID`, 'expected 24 hexadecimal digits');
  }
  if (typeof doc.Timestamp !== 'number' || !Number.isFinite(doc.Timestamp) || doc.Timestamp < 0) {
    throw new XRayRequestError(`${path}.Timestamp`, 'expected epoch seconds as a number');
  }
  const requests = counter(doc.RequestCount, `${path}.RequestCount`);
  const sampled = counter(doc.SampledCount, `${path}.SampledCount`);
  const borrowed = counter(doc.BorrowCount, `${path}.BorrowCount`);
  if (sampled > requests) {
    throw new XRayRequestError(`${path}.SampledCount`, `${sampled} is more than RequestCount (${requests})`);
  }
  if (borrowed > requests) {
    throw new XRayRequestError(`${path}.BorrowCount`, `${borrowed} is more than RequestCount (${requests})`);
  }
  return {
    RuleName: name,
    ClientID: doc.ClientID.toLowerCase(),
    Timestamp: doc.Timestamp,
    RequestCount: requests,
    SampledCount: sampled,
    BorrowCount: borrowed,
  };
}

function counter(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new XRayRequestError(field, 'expected a non-negative integer');
  }
  return value;
}
