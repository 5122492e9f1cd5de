import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ProbabilitiesSync } from './probabilities-sync';
import { ANNOUNCER, type Announcer, TOPICS } from '../store/announcer';

/** Every replica reloads probabilities as soon as the leader announces a new version. */
@Injectable()
export class AnnouncementListener implements OnApplicationBootstrap {
  constructor(
    @Inject(ANNOUNCER) private readonly announcer: Announcer,
    private readonly sync: ProbabilitiesSync,
  ) {}

  onApplicationBootstrap(): void {
    this.announcer.subscribe(TOPICS.probabilities, () => void this.sync.sync());
  }
}
