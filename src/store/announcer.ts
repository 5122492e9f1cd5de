/**
 * Tells every replica that shared state changed (new probabilities, a policy change), so they
 * reload at once instead of waiting for their periodic reload. Best effort: a lost message
 * only delays a replica until its next periodic reload.
 */
export interface Announcer {
  publish(topic: string, message: string): Promise<void>;
  subscribe(topic: string, listener: (message: string) => void): void;
  close(): Promise<void>;
}

export const ANNOUNCER = Symbol('ANNOUNCER');

export const TOPICS = { probabilities: 'probabilities', policies: 'policies' } as const;
