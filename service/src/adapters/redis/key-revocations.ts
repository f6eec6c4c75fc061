/**
 * Pushes API key revocations to every replica: the revoking replica publishes the key's hash,
 * each replica drops it from its in-memory cache. A replica whose subscription was interrupted
 * may have missed messages, so it forgets every cached key whenever the subscription comes back
 * (ioredis re-subscribes on reconnect and emits "ready"). While Redis is unreachable, the bound
 * is `settings.auth.keyCacheTtlSeconds`.
 */
import type { Dependency } from "../dependency";
import type { RedisClient } from "./client";
import type { RedisKeys } from "./keys";

export interface RevocationListener {
  forget(keyHashHex: string): void;
  forgetAll(): void;
}

export class KeyRevocations {
  private readonly channel: string;

  constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly dependency: Dependency,
    keys: RedisKeys,
  ) {
    this.channel = keys.revocationChannel();
  }

  /** Subscribes; resolves at once (the subscription is queued until Redis is reachable). */
  listen(listener: RevocationListener, onError: (err: unknown) => void): void {
    this.subscriber.on("message", (channel: string, message: string) => {
      if (channel === this.channel) listener.forget(message);
    });
    this.subscriber.on("ready", () => listener.forgetAll());
    this.subscriber.subscribe(this.channel).catch(onError);
  }

  publish(keyHashHex: string): Promise<number> {
    // Delivered twice, a revocation drops the key twice: the same outcome.
    return this.dependency.execute(() => this.publisher.publish(this.channel, keyHashHex), {
      idempotent: true,
    });
  }
}
