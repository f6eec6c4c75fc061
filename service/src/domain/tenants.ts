/** Tenant administration (admin CLI): runs with the owner's privileges, not the service's. */
import { randomUUID } from "node:crypto";
import type { Database } from "../adapters/postgres/database";
import { insertApiKey, insertTenant } from "../adapters/postgres/api-keys-repository";
import type { Role } from "../config/settings";
import type { SlaTierName } from "../config/tiers";
import { generateApiKey } from "./api-keys";

/** Creates a tenant and its first key (role admin), in one transaction. */
export async function createTenant(
  db: Database,
  name: string,
  tier: SlaTierName,
): Promise<{ tenantId: string; apiKey: string }> {
  const tenantId = randomUUID();
  const key = generateApiKey();
  await db.withTenant(tenantId, async (tx) => {
    await insertTenant(tx, name, tier);
    await insertApiKey(tx, { hash: key.hash, prefix: key.prefix, role: "admin" });
  });
  return { tenantId, apiKey: key.apiKey };
}

/** Creates a key for an existing tenant. */
export async function createTenantKey(
  db: Database,
  tenantId: string,
  role: Role,
): Promise<{ keyId: string; apiKey: string }> {
  const key = generateApiKey();
  const keyId = await db.withTenant(tenantId, async (tx) => {
    const tenants = await tx.query("SELECT 1 FROM search.tenants WHERE id = $1", [tenantId]);
    if (tenants.length === 0) throw new Error(`no tenant with id ${tenantId}`);
    return insertApiKey(tx, { hash: key.hash, prefix: key.prefix, role });
  });
  return { keyId, apiKey: key.apiKey };
}
