/** SQL over tenants and API keys. Only hashes of keys are stored. */
import type { Role } from "../../config/settings";
import type { SlaTierName } from "../../config/tiers";
import type { Queryable, TenantTransaction } from "./database";

export interface KeyOwner {
  key_id: string;
  tenant_id: string;
  role: Role;
  tier: SlaTierName;
}

/** Resolves a key's hash (no tenant is known yet: a SECURITY DEFINER function). */
export async function findKeyOwner(db: Queryable, keyHash: Buffer): Promise<KeyOwner | undefined> {
  const rows = await db.query<KeyOwner>("SELECT * FROM search.authenticate_api_key($1)", [keyHash]);
  return rows[0];
}

/** Needs INSERT on search.tenants: the owner's privileges (admin CLI), not the service's. */
export async function insertTenant(
  tx: TenantTransaction,
  name: string,
  tier: SlaTierName,
): Promise<void> {
  await tx.query("INSERT INTO search.tenants (id, name, tier) VALUES ($1, $2, $3)", [
    tx.tenantId,
    name,
    tier,
  ]);
}

export async function insertApiKey(
  tx: TenantTransaction,
  key: { hash: Buffer; prefix: string; role: Role },
): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO search.api_keys (tenant_id, key_hash, key_prefix, role)
     VALUES ($1, $2, $3, $4) RETURNING id`,
    [tx.tenantId, key.hash, key.prefix, key.role],
  );
  return rows[0].id;
}

/** Marks a key revoked; returns its hash, or undefined when the tenant has no such live key. */
export async function revokeApiKey(
  tx: TenantTransaction,
  keyId: string,
): Promise<Buffer | undefined> {
  const rows = await tx.query<{ key_hash: Buffer }>(
    `UPDATE search.api_keys SET revoked_at = now()
     WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL
     RETURNING key_hash`,
    [tx.tenantId, keyId],
  );
  return rows[0]?.key_hash;
}
