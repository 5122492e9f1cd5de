import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ReplayInputError,
  SAMPLANE_REPLAY_DEFAULT_OPTIONS,
  parseReplayInput,
  runReplay,
} from '../../../src/sampling/replay';

// The golden incident: GET /orders at 500 requests/s reported exactly, errors 1 % for eight
// 10 s rounds, 20 % for three, 1 % again; POST /pay at 100 requests/s whose outcome is seen for
// 100 of its 1,000 requests a round (2 errors, then 30 during the incident). Cooldown 30 s.
const fixture = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'replay', 'samplane-error-incident.input.json'), 'utf8'),
) as { algorithm: string; options: Record<string, unknown>; rounds: { intervalSeconds: number; throughput: Record<string, unknown>[] }[] };
const INCIDENT = [8, 9, 10];
const output = runReplay(parseReplayInput(fixture));
const orders = output.rounds.map((r) => r.probabilities.orders);

describe('samplane replay with error counts', () => {
  it('serves target ÷ rate and boosts nothing while errors stay at their baseline', () => {
    for (const round of output.rounds.slice(1, INCIDENT[0])) expect(round.boosted).toBeUndefined();
    expect(orders[INCIDENT[0] - 1]['GET /orders']).toBeCloseTo(1 / 500, 12);
  });

  it('boosts in the first round that shows the incident, to about one errored trace per second', () => {
    for (const i of INCIDENT) {
      expect(output.rounds[i].boosted?.orders['GET /orders']).toBeDefined();
      expect(orders[i]['GET /orders'] * 500 * 0.2).toBeGreaterThanOrEqual(0.8);
      expect(orders[i]['GET /orders'] * 500 * 0.2).toBeLessThanOrEqual(1.25);
    }
  });

  it('judges errors on the outcomes seen: 30 of 100 is 30 %, 30 errors/s at 100 requests/s', () => {
    expect(orders[INCIDENT[0]]['POST /pay']).toBeCloseTo(1 / 30, 12);
  });

  it('ends the boost after the cooldown (30 s: three rounds), back to the former probability', () => {
    const end = INCIDENT[INCIDENT.length - 1];
    expect(output.rounds[end + 2].boosted).toBeDefined();
    for (const round of output.rounds.slice(end + 3)) expect(round.boosted).toBeUndefined();
    expect(orders[orders.length - 1]).toEqual(orders[INCIDENT[0] - 1]);
  });

  it('ignores the errors with the boost turned off', () => {
    const off = runReplay(parseReplayInput({ ...fixture, options: { errorBoost: { enabled: false } } }));
    expect(off.rounds.every((r) => r.boosted === undefined)).toBe(true);
    expect(off.rounds[INCIDENT[0]].probabilities.orders['GET /orders']).toBeCloseTo(1 / 500, 12);
  });

  it('lets jaeger ignore exact counts and errors, as the engine does in jaeger mode', () => {
    const bare = fixture.rounds.map((round) => ({
      ...round,
      throughput: round.throughput.map(({ service, operation, count }) => ({ service, operation, count })),
    }));
    const withErrors = runReplay(parseReplayInput({ algorithm: 'jaeger', rounds: fixture.rounds }));
    expect(withErrors).toEqual(runReplay(parseReplayInput({ algorithm: 'jaeger', rounds: bare })));
    expect(withErrors.rounds.every((r) => r.boosted === undefined)).toBe(true);
  });

  it('fills samplane options not given with the service defaults, error boost fields one by one', () => {
    expect(parseReplayInput({ algorithm: 'samplane', rounds: [] }).options).toEqual(SAMPLANE_REPLAY_DEFAULT_OPTIONS);
    expect(parseReplayInput(fixture).options).toEqual({
      ...SAMPLANE_REPLAY_DEFAULT_OPTIONS,
      errorBoost: { ...SAMPLANE_REPLAY_DEFAULT_OPTIONS.errorBoost, cooldownSeconds: 30 },
    });
    expect(SAMPLANE_REPLAY_DEFAULT_OPTIONS.errorBoost).toEqual({
      enabled: true,
      targetErrorSamplesPerSecond: 1,
      maxSamplingProbability: 0.1,
      cooldownSeconds: 300,
    });
  });

  const record = (extra: Record<string, unknown>) => ({ service: 'A', operation: 'GET', count: 100, ...extra });
  const withRecord = (extra: Record<string, unknown>) => ({
    algorithm: 'samplane',
    rounds: [{ intervalSeconds: 10, throughput: [record(extra)] }],
  });
  const withOptions = (options: unknown) => ({ algorithm: 'samplane', options, rounds: [] });
  const field = (name: string, reason: string) => `rounds[0].throughput[0].${name}: ${reason}`;
  it.each<[string, unknown, string]>([
    ['negative errors', withRecord({ errors: -1 }), field('errors', 'expected a non-negative integer')],
    ['fractional errors', withRecord({ errors: 0.5 }), field('errors', 'expected a non-negative integer')],
    ['errors as a string', withRecord({ errors: '3' }), field('errors', 'expected a non-negative integer')],
    ['more errors than requests', withRecord({ errors: 101 }), field('errors', 'expected at most count (100)')],
    ['more errors than outcomes', withRecord({ outcomes: 10, errors: 11 }), field('errors', 'expected at most outcomes (10)')],
    ['more outcomes than requests', withRecord({ outcomes: 101 }), field('outcomes', 'expected at most count (100)')],
    ['negative outcomes', withRecord({ outcomes: -5 }), field('outcomes', 'expected a non-negative integer')],
    ['more exact requests than requests', withRecord({ exact: 200 }), field('exact', 'expected at most count (100)')],
    ['a jaeger-only option', withOptions({ increaseCap: 1 }), 'options.increaseCap: unknown field'],
    ['no operations allowed', withOptions({ maxOperations: 0 }), 'options.maxOperations: expected a positive integer'],
    ['an error boost not an object', withOptions({ errorBoost: true }), 'options.errorBoost: expected an object'],
    ['an error boost switch not a boolean', withOptions({ errorBoost: { enabled: 'on' } }), 'options.errorBoost.enabled: expected true or false'],
    [
      'an error boost cap above 1',
      withOptions({ errorBoost: { maxSamplingProbability: 2 } }),
      'options.errorBoost.maxSamplingProbability: expected a number in (0, 1]',
    ],
    [
      'a negative cooldown',
      withOptions({ errorBoost: { cooldownSeconds: -1 } }),
      'options.errorBoost.cooldownSeconds: expected a non-negative number',
    ],
    ['an unknown error boost field', withOptions({ errorBoost: { cooldown: '5m' } }), 'options.errorBoost.cooldown: unknown field'],
  ])('rejects %s, naming the field', (_why, json, message) => {
    let error: unknown;
    try {
      parseReplayInput(json);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ReplayInputError);
    expect((error as ReplayInputError).message).toBe(message);
    expect(message.startsWith((error as ReplayInputError).path)).toBe(true);
  });

  it('keeps the counts given, errors and outcomes included', () => {
    const input = parseReplayInput(withRecord({ exact: 100, outcomes: 10, errors: 2, probabilities: [0.01] }));
    expect(input.rounds[0].throughput[0]).toEqual({
      service: 'A',
      operation: 'GET',
      count: 100,
      exact: 100,
      errors: 2,
      outcomes: 10,
      probabilities: ['0.010000'],
    });
  });

  it('prints each round’s QPS as numbers by operation: the sampled rate at the probability before it', () => {
    const printed = JSON.parse(JSON.stringify(output)) as typeof output;
    for (const [i, round] of printed.rounds.entries()) {
      expect(Object.keys(round.qps)).toEqual(Object.keys(round.probabilities));
      if (i === 0) continue;
      // 500 requests/s at the probability served before the round.
      expect(round.qps.orders['GET /orders']).toBeCloseTo(500 * orders[i - 1]['GET /orders'], 9);
    }
  });
});

