/**
 * A cached, refreshed IAM auth token for one target (a database endpoint, a replication group).
 *
 * A token is signed once and handed to every new connection until less than
 * `refreshBeforeExpiryMs` of its validity is left; then the next caller signs a new one (one
 * signing at a time, whoever asks). A token is valid for 15 minutes from its signing, or until
 * the credentials that signed it expire, whichever comes first: credentials about to expire are
 * refreshed first, as the SDK's own RDS signer does.
 *
 * When signing fails (the credentials source is unreachable, say), a token that is still valid
 * for at least a minute is handed out rather than failing the connection.
 */
import type { AwsCredentialIdentity } from "@smithy/types";
import { AUTH_TOKEN_LIFETIME_SECONDS } from "./auth-token";
import type { CredentialProvider } from "./credentials";

/** A token with less validity left than this is never handed to a new connection. */
export const MIN_REMAINING_MS = 60_000;
const LIFETIME_MS = AUTH_TOKEN_LIFETIME_SECONDS * 1000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

export interface AuthTokenSourceOptions {
  /** Names the token in errors, e.g. `RDS auth token for search_app@db:5432`. Never a secret. */
  readonly description: string;
  /** Signs a token with these credentials, valid from `signingDate`. */
  readonly sign: (credentials: AwsCredentialIdentity, signingDate: Date) => Promise<string>;
  readonly credentials: CredentialProvider;
  /**
   * A cached token is replaced once less than this is left of its validity.
   * @default 300000 (5 minutes: a token is signed about every 10 minutes)
   */
  readonly refreshBeforeExpiryMs?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

interface IssuedToken {
  readonly token: string;
  readonly expiresAtMs: number;
}

export class AuthTokenSource {
  private readonly now: () => number;
  private readonly refreshBeforeExpiryMs: number;
  private latest: IssuedToken | undefined;
  private previous: IssuedToken | undefined;
  private signing: Promise<IssuedToken> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: AuthTokenSourceOptions) {
    this.now = options.now ?? Date.now;
    this.refreshBeforeExpiryMs = options.refreshBeforeExpiryMs ?? 300_000;
    if (
      this.refreshBeforeExpiryMs < MIN_REMAINING_MS ||
      this.refreshBeforeExpiryMs >= LIFETIME_MS
    ) {
      throw new RangeError(
        `refreshBeforeExpiryMs must be in [${MIN_REMAINING_MS}, ${LIFETIME_MS}), got ${this.refreshBeforeExpiryMs}`,
      );
    }
  }

  /** A token for a new connection: the cached one while it is fresh, else a newly signed one. */
  async token(): Promise<string> {
    const cached = this.latest;
    if (cached && cached.expiresAtMs - this.now() > this.refreshBeforeExpiryMs) return cached.token;
    try {
      return (await this.refresh()).token;
    } catch (err) {
      const fallback = this.latest;
      if (fallback && fallback.expiresAtMs - this.now() >= MIN_REMAINING_MS) return fallback.token;
      throw err;
    }
  }

  /** The newest token if it is still valid for at least a minute; never waits, never signs. */
  peek(): string | undefined {
    const latest = this.latest;
    return latest && latest.expiresAtMs - this.now() >= MIN_REMAINING_MS ? latest.token : undefined;
  }

  /**
   * Whether a token read earlier (a connection's copy of it) may still authenticate a new
   * connection: it is one of the last two this source signed, valid for at least a minute.
   */
  isUsable(token: string | undefined): boolean {
    if (token === undefined) return false;
    const now = this.now();
    return [this.latest, this.previous].some(
      (t) => t !== undefined && t.token === token && t.expiresAtMs - now >= MIN_REMAINING_MS,
    );
  }

  /**
   * Keeps a fresh token in memory without being asked: signs the first one now and each next
   * one `refreshBeforeExpiryMs` before the current one expires; a failure is reported and
   * retried (1 s, doubling, at most 30 s). For clients that read the token synchronously.
   */
  keepFresh(onError: (err: Error) => void): void {
    if (this.timer || this.closed) return;
    const schedule = (delayMs: number, failures: number) => {
      if (this.closed) return;
      this.timer = setTimeout(() => {
        this.refresh().then(
          (issued) => schedule(this.delayUntilRefresh(issued), 0),
          (err: Error) => {
            onError(err);
            schedule(Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures), failures + 1);
          },
        );
      }, delayMs);
      this.timer.unref();
    };
    schedule(0, 0);
  }

  /** Stops `keepFresh`. Tokens already handed out stay valid until they expire. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Signs a new token now (one signing at a time: concurrent callers share it). */
  refresh(): Promise<IssuedToken> {
    this.signing ??= this.sign().finally(() => {
      this.signing = undefined;
    });
    return this.signing;
  }

  private delayUntilRefresh(issued: IssuedToken): number {
    return Math.max(0, issued.expiresAtMs - this.refreshBeforeExpiryMs - this.now());
  }

  private async sign(): Promise<IssuedToken> {
    const { description, credentials: provide, sign } = this.options;
    try {
      let credentials = await provide();
      const signedAtMs = this.now();
      // A token dies with the credentials that signed it: credentials that expire before the
      // token would are refreshed first (the SDK's default chain refreshes only 5 minutes
      // before their expiry, which would leave a short-lived token).
      if (expiresBefore(credentials, signedAtMs + LIFETIME_MS)) {
        credentials = await provide({ forceRefresh: true }).catch(() => credentials);
      }
      const token = await sign(credentials, new Date(signedAtMs));
      const expiresAtMs = Math.min(
        signedAtMs + LIFETIME_MS,
        credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY,
      );
      if (expiresAtMs - signedAtMs < MIN_REMAINING_MS) {
        throw new Error(
          `the credentials expire at ${credentials.expiration?.toISOString()}, too soon to sign with`,
        );
      }
      const issued = { token, expiresAtMs };
      this.previous = this.latest;
      this.latest = issued;
      return issued;
    } catch (err) {
      throw new Error(`cannot sign the ${description}: ${(err as Error).message}`, { cause: err });
    }
  }
}

function expiresBefore(credentials: AwsCredentialIdentity, instantMs: number): boolean {
  return credentials.expiration !== undefined && credentials.expiration.getTime() < instantMs;
}
