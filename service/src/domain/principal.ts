import type { Role } from "../config/settings";
import type { SlaTierName } from "../config/tiers";

/** Who is calling: resolved from the API key, fixed for the request. */
export interface Principal {
  readonly keyId: string;
  readonly tenantId: string;
  readonly role: Role;
  readonly tier: SlaTierName;
}
