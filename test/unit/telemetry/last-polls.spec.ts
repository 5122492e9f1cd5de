import { LastPolls } from '../../../src/telemetry/last-polls';

describe('last polls per service and protocol', () => {
  it('keeps each protocol apart, the newest time winning', () => {
    const polls = new LastPolls();
    polls.record('checkout', 'http', true, 1_000);
    polls.record('checkout', 'grpc', true, 2_000);
    polls.record('checkout', 'http', true, 3_000);
    expect(polls.of('checkout')).toEqual({ http: 3_000, grpc: 2_000 });
    expect(polls.of('nobody')).toEqual({});
  });

  it('tracks a bounded number of names it does not know, and known services beyond them', () => {
    const polls = new LastPolls(100, 10);
    for (let i = 0; i < 15; i++) polls.record(`made-up-${i}`, 'http', false, i);
    expect(polls.of('made-up-9')).toEqual({ http: 9 });
    expect(polls.of('made-up-10')).toEqual({});
    polls.record('checkout', 'xray', true, 5);
    expect(polls.of('checkout')).toEqual({ xray: 5 });
    for (let i = 0; i < 200; i++) polls.record(`svc-${i}`, 'grpc', true, i);
    expect([...polls.entries()]).toHaveLength(100);
  });
});
