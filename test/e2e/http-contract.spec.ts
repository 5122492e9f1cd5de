import { ADAPTIVE_DEFAULT_BODY, STRATEGIES_FILE } from '../fixtures/e2e/strategy-files';
import { SamplaneProcess } from '../support/samplane-process';

/**
 * The bytes pollers receive. Several real clients refuse anything slightly off (a numeric
 * string, an extra field, a missing default), so the answers are compared byte for byte.
 */
describe('HTTP poll answers, byte for byte', () => {
  let bare: SamplaneProcess;
  let withFile: SamplaneProcess;

  beforeAll(async () => {
    [bare, withFile] = await Promise.all([SamplaneProcess.start(), SamplaneProcess.start({ STRATEGIES_FILE })]);
  });

  afterAll(async () => {
    await Promise.all([bare?.stop(), withFile?.stop()]);
  });

  async function get(server: SamplaneProcess, path: string, method = 'GET') {
    const response = await fetch(`${server.url}${path}`, { method });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  it('serves the adaptive default exactly as documented, as application/json', async () => {
    const answer = await get(bare, '/sampling?service=anything');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(ADAPTIVE_DEFAULT_BODY);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('content-length')).toBe(String(Buffer.byteLength(ADAPTIVE_DEFAULT_BODY)));
  });

  it.each([
    ['ratelimited', '{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":5}}'],
    ['svc%25prod', '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.25}}'],
    [
      'checkout',
      '{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.2},"operationSampling":' +
        '{"defaultSamplingProbability":0.2,"defaultLowerBoundTracesPerSecond":0,"perOperationStrategies":[' +
        '{"operation":"GET /cart","probabilisticSampling":{"samplingRate":0.8}},' +
        '{"operation":"POST /pay","probabilisticSampling":{"samplingRate":0.05}},' +
        '{"operation":"GET /health","probabilisticSampling":{"samplingRate":0}}],' +
        '"defaultUpperBoundTracesPerSecond":0}}',
    ],
    ['never-configured', ADAPTIVE_DEFAULT_BODY],
  ])('serves %s from the strategies file in the documented form', async (service, body) => {
    const answer = await get(withFile, `/sampling?service=${service}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(body);
    expect(answer.headers.get('content-type')).toBe('application/json');
  });

  it('answers /sampling and /api/sampling identically', async () => {
    for (const service of ['checkout', 'ratelimited', 'never-configured', '']) {
      const [plain, api] = await Promise.all([
        get(withFile, `/sampling?service=${service}`),
        get(withFile, `/api/sampling?service=${service}`),
      ]);
      expect(api.status).toBe(plain.status);
      expect(api.body).toBe(plain.body);
      expect(api.headers.get('content-type')).toBe(plain.headers.get('content-type'));
      expect(api.headers.get('content-length')).toBe(plain.headers.get('content-length'));
    }
  });

  it.each(['/sampling', '/api/sampling'])('answers HEAD on %s with the GET headers and no body', async (path) => {
    const [head, full] = await Promise.all([
      get(withFile, `${path}?service=checkout`, 'HEAD'),
      get(withFile, `${path}?service=checkout`),
    ]);
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers.get('content-type')).toBe('application/json');
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(full.body)));
  });
});
