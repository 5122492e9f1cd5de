import { ADAPTIVE_DEFAULT_BODY, STRATEGIES_FILE } from '../fixtures/e2e/strategy-files';
import { rawGet } from '../support/raw-http';
import { SamplaneProcess } from '../support/samplane-process';
import { seededRandom } from '../support/statistics';

const SERVICE_PARAM_ERROR = "'service' parameter must be provided once";
const OUTCOMES = ['ok', 'bad_request', 'method_not_allowed'] as const;
type Outcome = (typeof OUTCOMES)[number];

/** `samplingRate` of a probabilistic answer, to tell which file entry a poll reached. */
function rateOf(body: string): number | undefined {
  return (JSON.parse(body) as { probabilisticSampling?: { samplingRate: number } }).probabilisticSampling?.samplingRate;
}

/**
 * Whatever a poller or a scanner sends, Samplane answers with a 2xx or 4xx, keeps serving, and
 * counts each answered poll by outcome. The file has no default_strategy, so an unknown name
 * gets the adaptive default and each named service has a rate of its own.
 */
describe('bad and strange poll requests', () => {
  let samplane: SamplaneProcess;
  // What Samplane answered, classified here, to hold its poll counters to.
  const answered: Record<Outcome, number> = { ok: 0, bad_request: 0, method_not_allowed: 0 };

  beforeAll(async () => {
    samplane = await SamplaneProcess.start({ STRATEGIES_FILE });
  });

  afterAll(async () => {
    await samplane?.stop();
  });

  function tally(status: number, body: string): void {
    if (status === 200) answered.ok++;
    else if (status === 400 && body === SERVICE_PARAM_ERROR) answered.bad_request++;
    else if (status === 405) answered.method_not_allowed++;
  }

  async function send(target: string, method = 'GET') {
    const response = await fetch(`${samplane.url}${target}`, { method });
    const body = await response.text();
    tally(response.status, body);
    return { status: response.status, body, headers: response.headers };
  }

  describe('the service parameter', () => {
    it.each([
      ['missing', '/sampling'],
      ['missing, other keys only', '/sampling?svc=checkout&Service=checkout'],
      ['repeated', '/sampling?service=checkout&service=checkout'],
      ['repeated, one empty', '/api/sampling?service=&service=checkout'],
    ])('%s: 400 with Jaeger’s message', async (_case, target) => {
      const answer = await send(target);
      expect(answer.status).toBe(400);
      expect(answer.body).toBe(SERVICE_PARAM_ERROR);
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    });

    it.each([
      ['empty', '/sampling?service='],
      ['present without a value', '/sampling?service'],
      ['unknown', '/sampling?service=never-configured'],
      ['10 KB long', `/sampling?service=${'x'.repeat(10 * 1024)}`],
    ])('%s: the default strategy', async (_case, target) => {
      const answer = await send(target);
      expect(answer.status).toBe(200);
      expect(answer.body).toBe(ADAPTIVE_DEFAULT_BODY);
    });

    it('longer than Node’s header limit: 431, not a server error', async () => {
      const answer = await send(`/sampling?service=${'x'.repeat(20 * 1024)}`);
      expect(answer.status).toBe(431);
    });
  });

  describe('escapes are decoded where valid and kept literally where not', () => {
    it.each([
      ['an unencoded % (as OTel JS sends it)', 'svc%prod', 0.25],
      ['an encoded %', 'svc%25prod', 0.25],
      ['a truncated UTF-8 escape, kept literally', '%E0%A4%A', 0.15],
      ['"+" as a space', 'a+b', 0.75],
      ['an encoded space', 'a%20b', 0.75],
      ['an encoded "+"', 'a%2Bb', 0.7],
      ['UTF-8', encodeURIComponent('café-服务'), 0.55],
      ['an encoded NUL', 'nul%00byte', 0.35],
      ['an encoded line feed', 'new%0Aline', 0.45],
    ])('%s', async (_case, encoded, rate) => {
      const answer = await send(`/sampling?service=${encoded}`);
      expect(answer.status).toBe(200);
      expect(rateOf(answer.body)).toBe(rate);
    });

    it.each(['%zz', '%', 'abc%4', '%E0%A4%A', '%FF%FE', '%00', '%0A%0D', '%C3%28', '%ED%A0%80'])(
      'survives %s',
      async (encoded) => {
        const answer = await send(`/sampling?service=${encoded}`);
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toHaveProperty('strategyType');
      },
    );

    it('refuses raw non-ASCII bytes in the request line with a 4xx, not a server error', async () => {
      // Node's HTTP parser rejects them before Samplane sees the request.
      const answer = await rawGet(samplane.httpPort, '/sampling?service=caf\xc3\xa9-\xff\x80');
      tally(answer.status, answer.body);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    });
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('refuses %s with 405 and Allow: GET, HEAD', async (method) => {
    for (const path of ['/sampling?service=checkout', '/api/sampling?service=checkout']) {
      const answer = await send(path, method);
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it('never answers a random query string with a server error', async () => {
    const seed = 20_240_601;
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const token = (): string => {
      let out = '';
      const length = Math.floor(random() * 24);
      for (let i = 0; i < length; i++) {
        const roll = random();
        if (roll < 0.35) out += `%${Math.floor(random() * 256).toString(16).padStart(2, '0').toUpperCase()}`;
        else if (roll < 0.45) out += `%${pick(['', 'z', 'G1', '%', '4'])}`;
        else out += pick([...'abcXYZ019-._~!$()*,;:@/?+=\'']);
      }
      return out;
    };
    const keys = ['service', 'service', 'Service', 'service[]', '%73ervice', 'servic', '', 'svc'];
    for (let i = 0; i < 300; i++) {
      const pairs = Array.from({ length: Math.floor(random() * 4) }, () => {
        const key = random() < 0.8 ? pick(keys) : token();
        return random() < 0.1 ? key : `${key}=${token()}`;
      });
      const target = `${pick(['/sampling', '/api/sampling'])}?${pairs.join(pick(['&', '&', '&&']))}`;
      const answer = await send(target);
      if (answer.status >= 500 || (answer.status !== 200 && answer.status !== 400)) {
        throw new Error(`query ${target} (seed ${seed}) answered ${answer.status}: ${answer.body}`);
      }
      if (answer.status === 200) expect(JSON.parse(answer.body)).toHaveProperty('strategyType');
      else expect(answer.body).toBe(SERVICE_PARAM_ERROR);
    }
  });

  it('never answers raw random bytes in the query with a server error', async () => {
    const random = seededRandom(7);
    for (let i = 0; i < 60; i++) {
      let query = '';
      const length = 1 + Math.floor(random() * 40);
      // Any byte but controls, space and DEL, which end or break the request line itself.
      for (let j = 0; j < length; j++) query += String.fromCharCode(0x21 + Math.floor(random() * (0xff - 0x21)));
      if (query.includes('\x7f')) continue;
      const answer = await rawGet(samplane.httpPort, `/sampling?service=${query}`);
      tally(answer.status, answer.body);
      if (answer.status < 200 || answer.status >= 500) {
        throw new Error(`raw query ${JSON.stringify(query)} answered ${answer.status || 'nothing'}: ${answer.head}`);
      }
    }
  });

  it('is still alive afterwards and has counted every answered poll by outcome', async () => {
    expect((await fetch(`${samplane.url}/healthz`)).status).toBe(200);
    const counted: Record<string, number> = {};
    for (const outcome of OUTCOMES) {
      counted[outcome] = await samplane.metric('samplane_polls_total', { protocol: 'http', outcome });
    }
    expect(counted).toEqual(answered);
    expect(answered.bad_request).toBeGreaterThan(0);
    expect(answered.method_not_allowed).toBe(10);
  });
});
