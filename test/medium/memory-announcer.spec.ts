import { MemoryAnnouncer } from '../../src/store/memory/memory-announcer';
import { describeAnnouncerContract } from './announcer-contract';

// One process, one bus: each instance is its own, whatever the prefix.
describeAnnouncerContract('MemoryAnnouncer', () => {
  const announcer = new MemoryAnnouncer();
  return Promise.resolve({ announcer, close: () => announcer.close() });
});

describe('MemoryAnnouncer delivery', () => {
  it('calls listeners after publish returns, as a network would', async () => {
    const announcer = new MemoryAnnouncer();
    const heard: string[] = [];
    announcer.subscribe('probabilities', (message) => heard.push(message));

    const published = announcer.publish('probabilities', '1');
    expect(heard).toEqual([]);

    await published;
    await Promise.resolve();
    expect(heard).toEqual(['1']);
  });

});
