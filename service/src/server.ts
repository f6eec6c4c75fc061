/**
 * Entry point: `node dist/src/server.js`. Exits 1 on invalid settings (printing the path of every
 * invalid value), on an audit key that cannot be derived through KMS (AUDIT_HMAC_KMS_KEY_ID), or
 * on a fatal start-up problem; on SIGTERM/SIGINT drains and exits 0 (1 if requests had to be
 * cut off at the end of the grace period).
 */
import { InvalidSettingsError } from "./config";
import { isKmsKeySource, loadConfig, type LoadedConfig } from "./config/load";
import {
  AuditKeyDerivationError,
  auditKeyMaterial,
  resolveAuditKeys,
} from "./governance/audit-key-derivation";
import { AuditKeys } from "./governance/audit-record";
import { startHttpServer } from "./http-server";
import { createLogger } from "./observability/logger";
import { FatalStartupError } from "./runtime";

async function main(): Promise<void> {
  let config: LoadedConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof InvalidSettingsError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.settings);
  const kms = isKmsKeySource(config.endpoints.auditKeys) ? config.endpoints.auditKeys : undefined;
  try {
    // Before listening: with no audit key, nothing could be served under the audit trail.
    config = await resolveAuditKeys(config);
  } catch (err) {
    if (!(err instanceof AuditKeyDerivationError)) throw err;
    logger.fatal({ kmsKeyId: err.kmsKeyId }, err.message);
    logger.flush();
    process.exit(1);
  }
  if (kms) {
    logger.info(
      {
        kmsKeyId: kms.kmsKeyId,
        previousKmsKeyIds: kms.previousKmsKeyIds,
        // A hash prefix that names the key in checkpoints; not the key.
        auditKeyId: new AuditKeys(auditKeyMaterial(config.endpoints.auditKeys)).keyId,
      },
      "audit key derived through KMS",
    );
  }
  const running = await startHttpServer(config, { logger });
  logger.info({ port: running.port }, "listening");

  const stop = (signal: string) => {
    logger.info({ signal }, "shutdown requested");
    // A second signal does not cut the drain short; the grace period bounds it.
    void running.shutdown().then(({ drained }) => {
      logger.flush();
      process.exit(drained ? 0 : 1);
    });
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));

  running.started.then(
    () => logger.info("ready"),
    (err: unknown) => {
      if (running.runtime.context.lifecycle.draining) return;
      logger.fatal({ err }, err instanceof FatalStartupError ? err.message : "start-up failed");
      logger.flush();
      process.exit(1);
    },
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`search service failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
