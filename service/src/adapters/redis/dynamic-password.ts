/**
 * A password that changes while the client runs (ElastiCache IAM auth tokens: valid 15 minutes,
 * needed at every new connection, since ElastiCache closes IAM-authenticated connections after
 * 12 hours), for ioredis 5, which has no credentials callback (redis/ioredis#2039 is on hold).
 *
 * ioredis reads `options.password` synchronously whenever it opens a connection: at the first
 * connect and every reconnect, for each cluster node (a new client per node), for the cluster's
 * slot-refresh connections (copies of a node's options) and for its pub/sub connection (a copy
 * of a node's password). So:
 *
 * - `bindPassword` turns `options.password` into a getter of the source's current password, on
 *   our clients' options and on every cluster node's as the cluster creates it;
 * - the source keeps a fresh password in memory (AuthTokenSource.keepFresh), so a copy made at
 *   any moment is valid for minutes;
 * - `passwordGate` is the clients' Connector: before opening a socket it checks that the password
 *   this connection will send is usable. If it is not (before the first token, or after the
 *   source could not refresh for a while) it obtains a fresh one and fails this attempt as a
 *   refused connection would fail: ioredis emits the error, keeps queued commands and reconnects
 *   per its retryStrategy, reading the fresh password. No AUTH is ever sent with a missing or
 *   expired password (which ioredis treats as fatal, dropping queued commands).
 */
import { Socket } from "node:net";
import type { Redis } from "ioredis";
import type { ErrorEmitter } from "ioredis/built/connectors/AbstractConnector";
import StandaloneConnector, {
  type StandaloneConnectionOptions,
} from "ioredis/built/connectors/StandaloneConnector";
import type { NetStream } from "ioredis/built/types";

/** Where a connection's password comes from (AuthTokenSource is one). */
export interface PasswordSource {
  /** The password a new connection should use now, if one is ready; never waits. */
  peek(): string | undefined;
  /** Whether a password read earlier may still authenticate a new connection. */
  isUsable(password: string | undefined): boolean;
  /** A usable password, obtained now if needed. */
  token(): Promise<string>;
}

/** Makes `options.password` read the source's current password. */
export function bindPassword(options: { password?: string }, source: PasswordSource): void {
  Object.defineProperty(options, "password", {
    get: () => source.peek(),
    // Nothing may pin a value here: the source decides.
    set: () => undefined,
    enumerable: true,
    configurable: true,
  });
}

/** Binds every cluster node's password as the cluster creates the node (before it connects). */
export function bindNodePasswords(
  cluster: { on(event: "+node", listener: (node: Redis) => void): unknown },
  source: PasswordSource,
): void {
  cluster.on("+node", (node) => bindPassword(node.options, source));
}

/** The `Connector` for clients whose password comes from `source` (see the module comment). */
export function passwordGate(
  source: PasswordSource,
): new (options: unknown) => StandaloneConnector {
  return class PasswordGate extends StandaloneConnector {
    // ioredis constructs a Connector with the client's own options object.
    constructor(options: unknown) {
      super(options as StandaloneConnectionOptions);
    }

    override async connect(emit: ErrorEmitter): Promise<NetStream> {
      // The same options object ioredis read the connection's password from, in this same tick.
      const { password } = this.options as { password?: string };
      if (source.isUsable(password)) return super.connect(emit);

      this.connecting = true;
      let reason: Error;
      try {
        await source.token();
        reason = new Error("Redis password was not ready; reconnecting with a fresh one");
      } catch (err) {
        reason = err instanceof Error ? err : new Error(String(err));
      }
      // A socket that never connected: ioredis reports `firstError` and runs its close handler,
      // which reconnects (or ends, after disconnect() or without a retryStrategy).
      this.firstError = reason;
      const socket = new Socket();
      socket.destroy();
      return socket;
    }
  };
}
