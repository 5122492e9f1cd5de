import { UnknownScenarioError, formatTable, selectScenarios } from '../../../src/simulator/report';
import { simulate } from '../../../src/simulator/simulation';
import { STANDARD_SCENARIOS } from '../../../src/simulator/standard-scenarios';
import { summarize } from '../../../src/simulator/summary';
import { lagScenario } from './lag-scenario';

describe('simulation report', () => {
  it('runs the thirteen standard scenarios for "all", the error scenarios last', () => {
    const names = selectScenarios('all').map((s) => s.name);
    expect(names).toEqual([
      'constant',
      'step-up',
      'step-down',
      'diurnal',
      'bursts',
      'new-operations',
      'cardinality-flood',
      'service-budget',
      'error-incident',
      'error-flapping',
      'error-permanent',
      'error-budget',
      'error-new-operation',
    ]);
    expect(selectScenarios('step-up')).toEqual([STANDARD_SCENARIOS[1]]);
  });

  it('names the known scenarios when given an unknown one', () => {
    expect(() => selectScenarios('step-sideways')).toThrow(UnknownScenarioError);
    expect(() => selectScenarios('step-sideways')).toThrow(/unknown scenario "step-sideways"; known: all, constant, step-up/);
  });

  it('prints one row per scenario and algorithm under a header', () => {
    const lines = formatTable([summarize(simulate(lagScenario))]).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^scenario\s+algorithm\s+settling\s+overshoot/);
    expect(lines[2]).toMatch(/^lag\s+jaeger\s/);
    expect(lines[3]).toMatch(/^lag\s+samplane\s/);
    expect(lines[0]).toMatch(/\sboost\s+errored\/s\s+back$/);
  });
});
