import { splitReservoir } from './reservoir-split';
import type { XRayPopulation } from './xray-population';
import type { StatisticsDocument } from './xray-requests';

export interface SamplingTargetDocument {
  RuleName: string;
  FixedRate: number;
  ReservoirQuota: number;
  /** Epoch seconds. */
  ReservoirQuotaTTL: number;
  /** Seconds until the client should report again. */
  Interval: number;
}

export interface SamplingTargetsResponse {
  SamplingTargetDocuments: SamplingTargetDocument[];
  /** Epoch seconds; always a number, or aws-xray-sdk-core takes the whole answer as an error. */
  LastRuleModification: number;
  UnprocessedStatistics: Array<{ RuleName: string; ErrorCode: string; Message: string }>;
}

/** How often X-Ray clients report by default: every 10 s. */
export const TARGET_INTERVAL_SECONDS = 10;

/** What an instance reported under one rule, as rates over its latest reports. */
export interface InstanceRates {
  requestsPerSecond: number;
  /** Set when the instance does not use its quotas (see `ignoresQuota`): what it borrows. */
  borrowedPerSecond?: number;
}

/**
 * One instance's targets for the rules it reported. `rates` says what the instance saw under
 * each rule (its statistics over its latest reports). A rule Samplane no
 * longer serves is answered as unprocessed; `LastRuleModification` then tells the client to
 * fetch the rules again.
 */
export function samplingTargets(
  documents: ReadonlyArray<StatisticsDocument>,
  populations: ReadonlyMap<string, XRayPopulation>,
  rates: (document: StatisticsDocument) => InstanceRates,
  nowSeconds: number,
  lastRuleModification: number,
  intervalSeconds = TARGET_INTERVAL_SECONDS,
): SamplingTargetsResponse {
  const targets: SamplingTargetDocument[] = [];
  const unprocessed: SamplingTargetsResponse['UnprocessedStatistics'] = [];
  for (const document of documents) {
    const population = populations.get(document.RuleName);
    if (!population) {
      unprocessed.push({ RuleName: document.RuleName, ErrorCode: '400', Message: 'no such rule; fetch the rules again' });
      continue;
    }
    const seen = rates(document);
    const target = splitReservoir(population, seen.requestsPerSecond, seen.borrowedPerSecond);
    targets.push({
      RuleName: document.RuleName,
      FixedRate: target.FixedRate,
      ReservoirQuota: target.ReservoirQuota,
      // A quota outlives its interval by half of one, so a late report leaves no gap.
      ReservoirQuotaTTL: Math.ceil(nowSeconds + intervalSeconds * 1.5),
      Interval: intervalSeconds,
    });
  }
  return { SamplingTargetDocuments: targets, LastRuleModification: lastRuleModification, UnprocessedStatistics: unprocessed };
}
