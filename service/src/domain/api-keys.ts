/**
 * API keys: generation, validation with a per-replica cache, creation and revocation.
 *
 * A key is `sk_` followed by 32 random bytes (base64url); only its SHA-256 is stored. Validated
 * keys are cached in memory for `settings.auth.keyCacheTtlSeconds` (REFERENCE: token validation
 * 5 min). Revocation is effective at once on the replica that revokes, and on every other
 * replica as soon as the Redis message arrives; if Redis is down at that moment, within the TTL.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../adapters/postgres/database";
import { findKeyOwner, insertApiKey, revokeApiKey } from "../adapters/postgres/api-keys-repository";
import type { KeyRevocations, RevocationListener } from "../adapters/redis/key-revocations";
import type { Role, ServiceSettings } from "../config/settings";
import type { Principal } from "./principal";

const KEY_PATTERN = /^sk_[A-Za-z0-9_-]{43}$/;

export interface GeneratedKey {
  readonly apiKey: string;
  readonly hash: Buffer;
  readonly prefix: string;
}

export function generateApiKey(): GeneratedKey {
  const apiKey = `sk_${randomBytes(32).toString("base64url")}`;
  return { apiKey, hash: hashApiKey(apiKey), prefix: apiKey.slice(0, 8) };
}

export function hashApiKey(apiKey: string): Buffer {
  return createHash("sha256").update(apiKey).digest();
}

interface CachedKey {
  readonly principal: Principal;
  readonly hashHex: string;
  readonly expiresAt: number;
}

export class ApiKeyAuthenticator implements RevocationListener {
  /**
   * Keyed by the key itself, so a request costs a map lookup, no hashing; `byHash` lets a
   * revocation message (which carries only the hash) find the entry.
   */
  private readonly cache = new Map<string, CachedKey>();
  private readonly byHash = new Map<string, string>();
  private readonly ttlMs: number;

  constructor(
    /** The writer: a key revoked a moment ago must not be read back as live from a replica. */
    private readonly writer: Database,
    private readonly settings: ServiceSettings["auth"],
    private readonly now: () => number = Date.now,
  ) {
    this.ttlMs = settings.keyCacheTtlSeconds * 1_000;
  }

  /** The principal of a key validated recently, without any I/O; undefined if not cached. */
  peek(apiKey: string): Principal | undefined {
    const entry = this.cache.get(apiKey);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.drop(apiKey, entry.hashHex);
      return undefined;
    }
    return entry.principal;
  }

  /** The key's principal, or undefined for a malformed, unknown or revoked key. */
  async authenticate(apiKey: string): Promise<Principal | undefined> {
    const hit = this.peek(apiKey);
    if (hit) return hit;
    if (!KEY_PATTERN.test(apiKey)) return undefined;
    const hash = hashApiKey(apiKey);
    const owner = await findKeyOwner(this.writer, hash);
    if (!owner) return undefined;
    const principal: Principal = {
      keyId: owner.key_id,
      tenantId: owner.tenant_id,
      role: owner.role,
      tier: owner.tier,
    };
    if (this.cache.size >= this.settings.keyCacheMaxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const [oldest, entry] = this.cache.entries().next().value as [string, CachedKey];
      this.drop(oldest, entry.hashHex);
    }
    const hashHex = hash.toString("hex");
    this.cache.set(apiKey, { principal, hashHex, expiresAt: this.now() + this.ttlMs });
    this.byHash.set(hashHex, apiKey);
    return principal;
  }

  forget(keyHashHex: string): void {
    const apiKey = this.byHash.get(keyHashHex);
    if (apiKey !== undefined) this.drop(apiKey, keyHashHex);
  }

  forgetAll(): void {
    this.cache.clear();
    this.byHash.clear();
  }

  private drop(apiKey: string, hashHex: string): void {
    this.cache.delete(apiKey);
    this.byHash.delete(hashHex);
  }
}

/** Creates a key for the caller's tenant (HTTP, admin role). */
export async function createApiKey(
  writer: Database,
  tenantId: string,
  role: Role,
): Promise<{ id: string; apiKey: string; role: Role }> {
  const key = generateApiKey();
  // Not idempotent: a second run after a lost answer would insert a second key.
  const id = await writer.withTenant(
    tenantId,
    (tx) => insertApiKey(tx, { hash: key.hash, prefix: key.prefix, role }),
    { idempotent: false },
  );
  return { id, apiKey: key.apiKey, role };
}

/**
 * Revokes a key of the tenant. The revoking replica forgets it at once; the others when the
 * message arrives. Returns false when the tenant has no such live key.
 */
export async function revokeKey(
  deps: {
    writer: Database;
    revocations: KeyRevocations;
    authenticator?: ApiKeyAuthenticator;
    onPublishError?: (err: unknown) => void;
  },
  tenantId: string,
  keyId: string,
): Promise<boolean> {
  // Not idempotent: a second run would find no live key and answer 404.
  const hash = await deps.writer.withTenant(tenantId, (tx) => revokeApiKey(tx, keyId), {
    idempotent: false,
  });
  if (!hash) return false;
  const hex = hash.toString("hex");
  deps.authenticator?.forget(hex);
  await deps.revocations.publish(hex).catch((err: unknown) => deps.onPublishError?.(err));
  return true;
}

/** Key management for the HTTP API (admin role), scoped to the caller's tenant. */
export class KeyService {
  constructor(
    private readonly deps: {
      writer: Database;
      revocations: KeyRevocations;
      authenticator: ApiKeyAuthenticator;
      onPublishError: (err: unknown) => void;
    },
  ) {}

  create(principal: Principal, role: Role): Promise<{ id: string; apiKey: string; role: Role }> {
    return createApiKey(this.deps.writer, principal.tenantId, role);
  }

  revoke(principal: Principal, keyId: string): Promise<boolean> {
    return revokeKey(this.deps, principal.tenantId, keyId);
  }
}
