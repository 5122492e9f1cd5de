import { createHash } from 'node:crypto';
import {
  DEFAULT_RULE_NAME,
  DEFAULT_RULE_SERVICE,
  type PopulationMode,
  SERVICE_RULE_OPERATION,
  type XRayPopulation,
} from './xray-population';

/** What Samplane serves one service, as the rules builder needs it. */
export interface XRayServiceInput {
  service: string;
  /** The service rule's fleet: how its rate is decided. */
  mode: PopulationMode;
  /** fixed: the rate; adaptive: the probability served for the service rule's fleet. */
  rate: number;
  maxTracesPerSecond?: number;
  /** The traces per second the service aims at, written as the rule's ReservoirSize. */
  targetTracesPerSecond: number;
  fleetRequestsPerSecond?: number;
  /** Operations with a rate of their own; those reading `METHOD /path` get a rule. */
  operations: ReadonlyArray<OperationInput>;
}

export interface OperationInput {
  operation: string;
  mode: 'fixed' | 'adaptive';
  rate: number;
  fleetRequestsPerSecond?: number;
}

export type DefaultRuleInput = Omit<XRayServiceInput, 'service' | 'operations'>;

export interface SamplingRule {
  RuleName: string;
  RuleARN: string;
  ResourceARN: '*';
  Priority: number;
  FixedRate: number;
  ReservoirSize: number;
  ServiceName: string;
  ServiceType: string;
  Host: string;
  HTTPMethod: string;
  URLPath: string;
  Version: 1;
  Attributes: Record<string, never>;
}

/** What differs between rules; the rest is the same on every rule Samplane serves. */
type Varying = Pick<
  SamplingRule,
  'RuleName' | 'Priority' | 'FixedRate' | 'ReservoirSize' | 'ServiceName' | 'HTTPMethod' | 'URLPath'
>;

export interface XRayRules {
  rules: SamplingRule[];
  populations: ReadonlyMap<string, XRayPopulation>;
  /**
   * Everything a client matches on and every pinned number, without computed rates: when it
   * changes, clients must fetch the rules again (`LastRuleModification`); computed rates reach
   * them through their targets instead.
   */
  definition: string;
}

/** Operation rules first, then service rules; `Default` is 10000 and matches everything. */
export const OPERATION_RULE_PRIORITY = 1000;
export const SERVICE_RULE_PRIORITY = 5000;
export const DEFAULT_RULE_PRIORITY = 10000;
/** X-Ray's limit on rule names. */
const MAX_RULE_NAME = 32;
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/**
 * The X-Ray rules for what Samplane serves: one rule per service (ServiceName = the service),
 * one per operation named `METHOD /path` (HTTPMethod and URLPath from the name, path
 * parameters such as `{id}` or `:id` as `*`), and `Default` for everything else.
 */
export function buildXRayRules(services: Iterable<XRayServiceInput>, fallback: DefaultRuleInput): XRayRules {
  const rules: SamplingRule[] = [];
  const populations = new Map<string, XRayPopulation>();
  const add = (rule: Varying, population: Omit<XRayPopulation, 'ruleName'>) => {
    rules.push({
      RuleName: rule.RuleName,
      RuleARN: `arn:aws:xray:samplane:000000000000:sampling-rule/${rule.RuleName}`,
      ResourceARN: '*',
      Priority: rule.Priority,
      FixedRate: rule.FixedRate,
      ReservoirSize: rule.ReservoirSize,
      ServiceName: rule.ServiceName,
      ServiceType: '*',
      Host: '*',
      HTTPMethod: rule.HTTPMethod,
      URLPath: rule.URLPath,
      Version: 1,
      Attributes: {},
    });
    populations.set(rule.RuleName, { ruleName: rule.RuleName, ...population });
  };

  const sorted = [...services].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  for (const input of sorted) {
    if (input.service === DEFAULT_RULE_SERVICE) continue;
    const serviceName = input.service;
    for (const op of input.operations) {
      const route = parseRoute(op.operation);
      if (!route) continue;
      add(
        {
          RuleName: ruleName(input.service, op.operation),
          Priority: OPERATION_RULE_PRIORITY,
          FixedRate: op.rate,
          ReservoirSize: op.mode === 'fixed' ? 0 : reservoirSize(input.targetTracesPerSecond),
          ServiceName: serviceName,
          HTTPMethod: route.method,
          URLPath: route.path,
        },
        {
          service: input.service,
          operation: op.operation,
          mode: op.mode,
          rate: op.rate,
          ...fleet(op.fleetRequestsPerSecond),
        },
      );
    }
    add(
      {
        RuleName: ruleName(input.service, SERVICE_RULE_OPERATION),
        Priority: SERVICE_RULE_PRIORITY,
        FixedRate: input.mode === 'ratelimiting' ? 0 : input.rate,
        ReservoirSize: reservoirOf(input),
        ServiceName: serviceName,
        HTTPMethod: '*',
        URLPath: '*',
      },
      populationOf(input, input.service),
    );
  }
  add(
    {
      RuleName: DEFAULT_RULE_NAME,
      Priority: DEFAULT_RULE_PRIORITY,
      FixedRate: fallback.mode === 'ratelimiting' ? 0 : fallback.rate,
      ReservoirSize: reservoirOf(fallback),
      ServiceName: '*',
      HTTPMethod: '*',
      URLPath: '*',
    },
    populationOf(fallback, DEFAULT_RULE_SERVICE),
  );
  return { rules, populations, definition: definitionOf(rules) };
}

function populationOf(input: DefaultRuleInput, service: string): Omit<XRayPopulation, 'ruleName'> {
  return {
    service,
    operation: SERVICE_RULE_OPERATION,
    mode: input.mode,
    rate: input.mode === 'ratelimiting' ? 0 : input.rate,
    ...(input.maxTracesPerSecond !== undefined && { maxTracesPerSecond: input.maxTracesPerSecond }),
    ...fleet(input.fleetRequestsPerSecond),
  };
}

function fleet(requestsPerSecond: number | undefined): { fleetRequestsPerSecond?: number } {
  return requestsPerSecond === undefined ? {} : { fleetRequestsPerSecond: requestsPerSecond };
}

/** A service rule's reservoir: its rate limit, none for a pinned rate, else its target. */
function reservoirOf(input: DefaultRuleInput): number {
  if (input.mode === 'ratelimiting') return Math.floor(input.maxTracesPerSecond ?? 0);
  return input.mode === 'fixed' ? 0 : reservoirSize(input.targetTracesPerSecond);
}

/** At least 1: the SDKs borrow a trace a second only from a rule with a reservoir. */
function reservoirSize(target: number): number {
  return Math.max(1, Math.round(target));
}

/**
 * A readable, unique rule name within X-Ray's 32 characters: the service's name when it fits
 * and is plain, else a prefix of it and a digest of (service, operation).
 */
export function ruleName(service: string, operation: string): string {
  const plain = /^[A-Za-z0-9_.-]+$/.test(service);
  const own = operation === SERVICE_RULE_OPERATION && service !== DEFAULT_RULE_NAME;
  if (own && plain && service.length <= MAX_RULE_NAME) return service;
  const digest = createHash('sha256').update(`${service}\u0000${operation}`).digest('hex').slice(0, 8);
  const prefix = service.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, MAX_RULE_NAME - digest.length - 1);
  return `${prefix}-${digest}`;
}

/** `GET /cart/{id}` → GET and `/cart/*`; undefined for a name that is not an HTTP route. */
export function parseRoute(operation: string): { method: string; path: string } | undefined {
  const match = /^([A-Z]+) (\/\S*)$/.exec(operation);
  if (!match || !HTTP_METHODS.has(match[1])) return undefined;
  const path = match[2].replace(/\/(\{[^/}]+\}|:[^/]+)(?=\/|$)/g, '/*');
  return { method: match[1], path };
}

function definitionOf(rules: SamplingRule[]): string {
  const parts = rules.map((rule) => {
    const pinned = rule.ReservoirSize === 0 ? rule.FixedRate : '';
    const fields = [rule.RuleName, rule.Priority, rule.ServiceName, rule.HTTPMethod, rule.URLPath, rule.ReservoirSize, pinned];
    return fields.join('\u0001');
  });
  return createHash('sha256').update(parts.join('\u0002')).digest('base64url');
}
