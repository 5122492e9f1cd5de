export type PolledProtocol = 'http' | 'grpc' | 'xray';
/** Every protocol a poll is answered over, in the order metrics list them. */
export const POLLED_PROTOCOLS: readonly PolledProtocol[] = ['http', 'grpc', 'xray'];

/**
 * service → protocol → when this replica last answered its poll (epoch ms). Bounded whatever
 * names pollers send: services Samplane serves a strategy of its own are kept up to
 * `maxServices`, and at most `maxUnknown` names it does not know, so a scan of made-up names
 * cannot crowd out the fleet.
 */
export class LastPolls {
  private readonly polls = new Map<string, Partial<Record<PolledProtocol, number>>>();
  private unknown = 0;

  constructor(
    private readonly maxServices = 100_000,
    private readonly maxUnknown = 1_000,
  ) {}

  /** One map lookup: cheap enough for every poll. */
  record(service: string, protocol: PolledProtocol, known: boolean, at: number): void {
    let polls = this.polls.get(service);
    if (!polls) {
      if (this.polls.size >= this.maxServices) return;
      if (!known && this.unknown >= this.maxUnknown) return;
      if (!known) this.unknown++;
      polls = {};
      this.polls.set(service, polls);
    }
    polls[protocol] = at;
  }

  of(service: string): Partial<Record<PolledProtocol, number>> {
    return this.polls.get(service) ?? {};
  }

  entries(): IterableIterator<[string, Partial<Record<PolledProtocol, number>>]> {
    return this.polls.entries();
  }
}
