import { ifNoneMatchHits, pollCacheControl, pollEtag } from '../../../src/serving/conditional-poll';

describe('conditional poll helpers', () => {
  const body = Buffer.from('{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.3}}');

  it('tags the same bytes alike and different bytes differently, as a quoted strong tag', () => {
    expect(pollEtag(Buffer.from(body))).toBe(pollEtag(body));
    expect(pollEtag(Buffer.from(body.toString().replace('0.3', '0.4')))).not.toBe(pollEtag(body));
    expect(pollEtag(body)).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
  });

  it.each([
    [undefined, false],
    ['"abc"', true],
    ['"abd"', false],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x","y"', false],
    ['*', true],
    ['abc', false],
    [['"x"', '"abc"'], true],
  ])('If-None-Match %j matches "abc": %s', (header, hits) => {
    expect(ifNoneMatchHits(header, '"abc"')).toBe(hits);
  });

  it('writes max-age in whole seconds', () => {
    expect(pollCacheControl(60_000)).toBe('max-age=60');
    expect(pollCacheControl(1_500)).toBe('max-age=1');
    expect(pollCacheControl(0)).toBe('max-age=0');
  });
});
