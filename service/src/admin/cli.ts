/**
 * The admin CLI (`node dist/src/admin.js <command>`), run with the database owner's
 * credentials (PGUSER defaults to "postgres" locally): the service's own role cannot create
 * tenants. Prints one JSON object on stdout; errors go to stderr with exit code 1 (2 for usage).
 *
 *   create-tenant --name NAME --tier free|standard|enterprise  → {"tenantId", "apiKey"} (admin key)
 *   create-key --tenant ID --role admin|writer|reader|auditor  → {"apiKey", "keyId"}
 *   revoke-key --tenant ID --key KEY_ID                        → {"revoked": true|false}
 *   audit-maintenance   → {"created": [...], "dropped": [...]}: creates the audit partitions
 *                         ahead, drops those past governance.audit.retentionInDays (run daily)
 *   audit-verify --tenant ID|none  → the chain's verification (`none`: records without a
 *                         tenant); exit code 3 when the chain is broken. Needs the audit keys
 *                         (AUDIT_HMAC_KEY, or AUDIT_HMAC_KMS_KEY_ID to derive them through KMS)
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { createDependencies } from "../adapters/dependency";
import { createPool, Database } from "../adapters/postgres/database";
import { createRedisClients } from "../adapters/redis/client";
import { KeyRevocations } from "../adapters/redis/key-revocations";
import { RedisKeys } from "../adapters/redis/keys";
import { InvalidSettingsError, ROLES, SLA_TIER_NAMES } from "../config";
import { loadConfig, type LoadedConfig } from "../config/load";
import { revokeKey } from "../domain/api-keys";
import { createTenant, createTenantKey } from "../domain/tenants";
import { auditKeyMaterial, resolveAuditKeys } from "../governance/audit-key-derivation";
import { runAuditMaintenance } from "../governance/audit-maintenance";
import { AuditKeys, NO_TENANT } from "../governance/audit-record";
import { verifyChain } from "../governance/audit-verify";
import { describe } from "../http/validation";

export interface AdminIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

const USAGE = `usage:
  admin create-tenant --name NAME --tier ${SLA_TIER_NAMES.join("|")}
  admin create-key --tenant TENANT_ID --role ${ROLES.join("|")}
  admin revoke-key --tenant TENANT_ID --key KEY_ID
  admin audit-maintenance
  admin audit-verify --tenant TENANT_ID|none`;

const commands = {
  "create-tenant": z.strictObject({
    name: z.string().trim().min(1).max(200),
    tier: z.enum(SLA_TIER_NAMES),
  }),
  "create-key": z.strictObject({ tenant: z.uuid(), role: z.enum(ROLES) }),
  "revoke-key": z.strictObject({ tenant: z.uuid(), key: z.uuid() }),
  "audit-maintenance": z.strictObject({}),
  "audit-verify": z.strictObject({ tenant: z.union([z.uuid(), z.literal("none")]) }),
};

/** Runs one command; returns the process exit code. */
export async function runAdmin(argv: readonly string[], io: AdminIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || !(command in commands)) {
    io.stderr(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
    return 2;
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: [...rest],
      options: {
        name: { type: "string" },
        tier: { type: "string" },
        tenant: { type: "string" },
        role: { type: "string" },
        key: { type: "string" },
      },
      strict: true,
    }).values;
  } catch (err) {
    io.stderr(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const schema = commands[command as keyof typeof commands];
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    io.stderr(`${describe(parsed.error, values, "--")}\n${USAGE}`.replaceAll("--.", "--"));
    return 2;
  }

  let config: LoadedConfig;
  try {
    // Redis is only told about revocations; a failure there is reported, not fatal.
    config = loadConfig(io.env, {
      defaultUser: "postgres",
      uses: { postgres: true, redis: false },
      // Only audit-verify checks signatures; audit-maintenance creates and drops partitions.
      usesAuditKey: command === "audit-verify",
    });
  } catch (err) {
    if (err instanceof InvalidSettingsError) {
      io.stderr(err.message);
      return 1;
    }
    throw err;
  }
  const deps = createDependencies();
  // IAM auth tokens, when the settings ask for them, are signed for AWS_REGION.
  const iam = config.endpoints.awsRegion ? { region: config.endpoints.awsRegion } : undefined;
  const pool = createPool(config.endpoints.postgresWriter, config.settings, {
    name: "writer",
    sslRootCertPath: config.endpoints.sslRootCertPath,
    iam,
  });
  const db = new Database(
    "writer",
    pool,
    deps.postgresWriter,
    config.settings.postgres.statementTimeoutMs,
  );
  try {
    const args = parsed.data as Record<string, string>;
    switch (command) {
      case "create-tenant": {
        const created = await createTenant(
          db,
          args.name,
          args.tier as (typeof SLA_TIER_NAMES)[number],
        );
        io.stdout(JSON.stringify(created));
        return 0;
      }
      case "create-key": {
        const created = await createTenantKey(db, args.tenant, args.role as (typeof ROLES)[number]);
        io.stdout(JSON.stringify({ apiKey: created.apiKey, keyId: created.keyId }));
        return 0;
      }
      case "audit-maintenance": {
        const audit = config.settings.governance.audit;
        const done = await runAuditMaintenance(db, audit);
        io.stdout(JSON.stringify({ ...done, retentionInDays: audit.retentionInDays }));
        return 0;
      }
      case "audit-verify": {
        const tenantId = args.tenant === "none" ? NO_TENANT : args.tenant;
        // Derived through KMS when AUDIT_HMAC_KMS_KEY_ID is set (previous keys included).
        const { endpoints } = await resolveAuditKeys(config);
        const verification = await verifyChain(
          db.forTenant(tenantId),
          new AuditKeys(auditKeyMaterial(endpoints.auditKeys)),
        );
        io.stdout(JSON.stringify(verification));
        return verification.status === "broken" ? 3 : 0;
      }
      default: {
        const redis = createRedisClients(config.endpoints.redisUrl, config.settings, () => {}, {
          iam,
        });
        try {
          await redis.waitUntilReady(config.settings.redis.connectTimeoutMs);
          const revoked = await revokeKey(
            {
              writer: db,
              revocations: new KeyRevocations(
                redis.main,
                redis.subscriber,
                deps.redis,
                new RedisKeys(config.settings.redis.keyPrefix),
              ),
              onPublishError: (err) =>
                io.stderr(
                  `warning: revoked in the database, but replicas were not told (${(err as Error).message}); they stop accepting the key within auth.keyCacheTtlSeconds`,
                ),
            },
            args.tenant,
            args.key,
          );
          io.stdout(JSON.stringify({ revoked }));
          return 0;
        } finally {
          await redis.close();
        }
      }
    }
  } catch (err) {
    io.stderr(`${command} failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await db.close();
  }
}
