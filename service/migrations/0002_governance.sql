-- Governance (issue 4): data subjects, sensitive values kept out of the search index, role-aware
-- search, and a tamper-evident, append-only, time-partitioned audit trail.
--
-- Runs as the database owner, in one transaction, like 0001. One more role, created if missing:
--
--   search_audit_writer  NOLOGIN; owns the functions that append to the audit trail and record
--                        its signed checkpoints, and is the only role allowed to INSERT into the
--                        audit tables. The service (search_app) may only call those functions
--                        and read its own tenant's records: it holds no INSERT, UPDATE or DELETE
--                        on any audit table, and a trigger refuses UPDATE, DELETE and TRUNCATE
--                        from every role, the owner included (DESIGN.md, "Audit chains").
--
-- Dropping the tsv column rewrites search.documents and rebuilds its search index under an
-- ACCESS EXCLUSIVE lock: searches wait while this migration runs.

DO $$
BEGIN
  BEGIN
    CREATE ROLE search_audit_writer NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- created earlier, or by a concurrent migration of another database
  END;
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT search_audit_writer TO %I', current_user);
  END IF;
END
$$;
GRANT USAGE, CREATE ON SCHEMA search TO search_audit_writer;

SET LOCAL ROLE search_owner;

-- Sensitive values in free text --------------------------------------------------------------
--
-- The patterns below have twins in src/governance/detectors.ts (the service masks titles,
-- bodies and snippets with those); a test runs both over the same samples. Kinds, applied in
-- this order: card (13-19 digits that pass the Luhn check), ssn (123-45-6789, 123 45 6789),
-- phone (555-123-4567, (555) 123-4567, +1 555.123.4567), email, mrn ("MRN: 00123456": only
-- after the label, a medical record number has no shape of its own).

CREATE FUNCTION search.luhn_valid(p_digits text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  v_sum integer := 0;
  v_digit integer;
  v_double boolean := false;
BEGIN
  FOR i IN REVERSE length(p_digits)..1 LOOP
    v_digit := ascii(substr(p_digits, i, 1)) - 48;
    IF v_double THEN
      v_digit := v_digit * 2;
      IF v_digit > 9 THEN v_digit := v_digit - 9; END IF;
    END IF;
    v_sum := v_sum + v_digit;
    v_double := NOT v_double;
  END LOOP;
  RETURN v_sum % 10 = 0;
END
$$;

-- Replaces every sensitive value of the given kinds: by its masked form (***-**-6789,
-- j***@example.com, ***-***-4567, ****1111, MRN: ****3456), or by a blank when p_blank.
CREATE FUNCTION search.mask_free_text(p_text text, p_kinds text[], p_blank boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  v text := p_text;
  v_match text;
  v_digits text;
BEGIN
  IF v IS NULL OR p_kinds IS NULL OR cardinality(p_kinds) = 0 THEN
    RETURN v;
  END IF;
  -- Most text has neither digits nor '@': skip the expensive patterns then.
  IF v ~ '[0-9]' THEN
    IF 'card' = ANY (p_kinds) AND v ~ '[0-9]{4}' THEN
      FOR v_match IN
        SELECT (regexp_matches(v, '(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])', 'g'))[1]
      LOOP
        v_digits := regexp_replace(v_match, '[^0-9]', '', 'g');
        IF search.luhn_valid(v_digits) THEN
          v := replace(v, v_match, CASE WHEN p_blank THEN ' ' ELSE '****' || right(v_digits, 4) END);
        END IF;
      END LOOP;
    END IF;
    IF 'ssn' = ANY (p_kinds) THEN
      v := regexp_replace(v,
        '(?<![0-9])[0-9]{3}(?:-[0-9]{2}-| [0-9]{2} )([0-9]{4})(?![0-9])',
        CASE WHEN p_blank THEN ' ' ELSE '***-**-\1' END, 'g');
    END IF;
    IF 'phone' = ANY (p_kinds) THEN
      v := regexp_replace(v,
        '(?<![0-9])(?:\+?1[ .-]?)?(?:\([0-9]{3}\) ?|[0-9]{3}[ .-])[0-9]{3}[ .-]([0-9]{4})(?![0-9])',
        CASE WHEN p_blank THEN ' ' ELSE '***-***-\1' END, 'g');
    END IF;
    IF 'mrn' = ANY (p_kinds) THEN
      v := regexp_replace(v,
        '\y([Mm][Rr][Nn](?:[:#] ?| ))[A-Za-z]{0,4}[0-9-]{0,16}([0-9]{4})\y',
        CASE WHEN p_blank THEN ' ' ELSE '\1****\2' END, 'g');
    END IF;
  END IF;
  IF 'email' = ANY (p_kinds) AND strpos(v, '@') > 0 THEN
    v := regexp_replace(v,
      '([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})',
      CASE WHEN p_blank THEN ' ' ELSE '\1***@\2' END, 'g');
  END IF;
  RETURN v;
END
$$;

-- What the index sees of a text: every sensitive value blanked, so that no search, by any role
-- and in any query syntax, can match (and so confirm) one. Cleared roles still read the values
-- in full; they find people through structured fields (filter.ssn=...), not free text.
CREATE FUNCTION search.searchable_text(p_text text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN search.mask_free_text(p_text, ARRAY['card', 'ssn', 'phone', 'email', 'mrn'], true);

-- Documents ----------------------------------------------------------------------------------

-- The data subject a document is about (a customer or patient id chosen by the tenant): what
-- DELETE /v1/subjects/:subjectId erases.
ALTER TABLE search.documents
  ADD COLUMN subject_id text CHECK (length(subject_id) BETWEEN 1 AND 256);
CREATE INDEX documents_subject ON search.documents (tenant_id, subject_id)
  WHERE subject_id IS NOT NULL;

ALTER TABLE search.documents DROP COLUMN tsv; -- drops documents_search with it
ALTER TABLE search.documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, search.searchable_text(title)), 'A') ||
  setweight(to_tsvector('english'::regconfig, search.searchable_text(body)), 'B')
) STORED;
CREATE INDEX documents_search ON search.documents USING gin (tenant_id, tsv);
DROP INDEX search.documents_title_trgm;
CREATE INDEX documents_title_trgm ON search.documents
  USING gin (tenant_id, search.searchable_text(title) search.gin_trgm_ops);

-- The audit trail ----------------------------------------------------------------------------
--
-- One hash chain per tenant (records without a tenant, such as a request with an unknown API
-- key, chain under the nil UUID). hash = SHA-256(prev_hash || int8send(seq) || canonical), where
-- canonical is built by the service (src/governance/audit-record.ts) from every stored column
-- but seq and the hashes; GET /v1/audit/verify rebuilds it from the row. No column ever holds
-- document content or a raw subject id, so erasing a subject changes no record and the chain
-- stays whole.

CREATE TABLE search.audit_log (
  id                     uuid NOT NULL,
  tenant_id              uuid NOT NULL,
  seq                    bigint NOT NULL CHECK (seq > 0),
  occurred_at            timestamptz NOT NULL,
  request_id             text NOT NULL,
  key_id                 uuid,
  role                   text,
  action                 text NOT NULL,
  resource               text,
  -- allowed (served), denied (401/403/429), error (any other failure), attempt (a change about
  -- to be made, recorded first under fail-closed presets)
  outcome                text NOT NULL CHECK (outcome IN ('allowed', 'denied', 'error', 'attempt')),
  status                 smallint NOT NULL,
  result_count           integer,
  -- classifications of the data returned unmasked, and of the data returned masked
  classifications        text[] NOT NULL DEFAULT '{}',
  masked_classifications text[] NOT NULL DEFAULT '{}',
  query_digest           text,
  query_text             text,
  client_ip              text,
  details                jsonb,
  prev_hash              bytea NOT NULL CHECK (length(prev_hash) = 32),
  hash                   bytea NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
-- Verification walks a chain by seq; the report reads a tenant's records in a period (partition
-- pruning bounds it by time, this index by tenant). The primary key serves the idempotent retry;
-- record ids are time-ordered (UUIDv7), so its inserts land on the index's rightmost pages.
CREATE INDEX audit_log_chain ON search.audit_log (tenant_id, seq);

-- Each chain's last link: the per-tenant sequence, and what verification compares the chain's
-- end with (a truncated tail shows as a head the records do not reach).
CREATE TABLE search.audit_heads (
  tenant_id  uuid PRIMARY KEY,
  seq        bigint NOT NULL,
  hash       bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Signed checkpoints of chain heads: HMAC-SHA256 over (tenant, seq, hash) under AUDIT_HMAC_KEY,
-- which lives in the service's environment, never in the database. Kept, not replaced: a table
-- owner who rewrites a chain cannot sign the new hashes, and every earlier checkpoint still
-- names the old ones (were only the latest kept, the service would go on to sign the rewritten
-- chain's head and launder the rewrite). Removed only with the records they sign (retention).
CREATE TABLE search.audit_checkpoints (
  tenant_id  uuid NOT NULL,
  seq        bigint NOT NULL,
  hash       bytea NOT NULL,
  mac        bytea NOT NULL,
  key_id     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, seq)
);

-- Refuses changes to the trail, from every role: the table owner can still disable the trigger,
-- which is why the chain and its checkpoints exist. Retention (audit_drop_expired) alone may
-- delete checkpoints, by setting search.audit_retention in its own transaction.
CREATE FUNCTION search.audit_refuse_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_checkpoints'
     AND current_setting('search.audit_retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON search.audit_log
  FOR EACH ROW EXECUTE FUNCTION search.audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON search.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION search.audit_refuse_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON search.audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION search.audit_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON search.audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION search.audit_refuse_change();

ALTER TABLE search.audit_log ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE search.audit_heads ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE search.audit_checkpoints ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_reads ON search.audit_log FOR SELECT
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY tenant_reads ON search.audit_heads FOR SELECT
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY tenant_reads ON search.audit_checkpoints FOR SELECT
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
-- The writer appends for every tenant in one batch.
CREATE POLICY writer_appends ON search.audit_log FOR INSERT TO search_audit_writer
  WITH CHECK (true);
CREATE POLICY writer_reads ON search.audit_log FOR SELECT TO search_audit_writer USING (true);
CREATE POLICY writer_all ON search.audit_heads TO search_audit_writer USING (true) WITH CHECK (true);
CREATE POLICY writer_all ON search.audit_checkpoints TO search_audit_writer
  USING (true) WITH CHECK (true);

GRANT SELECT, INSERT ON search.audit_log TO search_audit_writer;
GRANT SELECT, INSERT, UPDATE ON search.audit_heads TO search_audit_writer;
GRANT SELECT, INSERT ON search.audit_checkpoints TO search_audit_writer;
GRANT SELECT ON search.audit_log, search.audit_heads, search.audit_checkpoints TO search_app;

-- Partitions ---------------------------------------------------------------------------------
-- Monthly or daily ranges in UTC, named audit_log_YYYYMM / audit_log_YYYYMMDD.

-- The partitions of the audit table with their bounds.
CREATE FUNCTION search.audit_partitions()
RETURNS TABLE (name text, range_from timestamptz, range_to timestamptz)
LANGUAGE sql STABLE
SET search_path = search, pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
  SELECT c.relname::text, b[1]::timestamptz, b[2]::timestamptz
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
  CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                  'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)') AS b
  WHERE i.inhparent = 'search.audit_log'::regclass
  ORDER BY 2
$$;

-- Creates the partitions for the current period and `p_ahead` periods after it, skipping any
-- range a partition already covers (a period partly covered after a change of interval gets
-- daily partitions for its uncovered days). Returns the names created. Safe to run anywhere,
-- any time: the service runs it at start-up and hourly, the migration Job after migrating.
CREATE FUNCTION search.audit_create_partitions(p_interval text, p_ahead integer)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = search, pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
  v_step interval;
  v_first timestamptz;
  v_from timestamptz;
  v_to timestamptz;
  v_day timestamptz;
BEGIN
  IF p_interval NOT IN ('day', 'month') THEN
    RAISE EXCEPTION 'interval must be day or month, got %', p_interval USING ERRCODE = '22023';
  END IF;
  IF p_ahead IS NULL OR p_ahead < 0 OR p_ahead > 366 THEN
    RAISE EXCEPTION 'ahead must be between 0 and 366, got %', p_ahead USING ERRCODE = '22023';
  END IF;
  -- One creator at a time (replicas start together).
  PERFORM pg_advisory_xact_lock(hashtext('search-platform:audit-partitions'));
  v_step := CASE p_interval WHEN 'day' THEN interval '1 day' ELSE interval '1 month' END;
  v_first := date_trunc(p_interval, now());
  FOR i IN 0..p_ahead LOOP
    v_from := v_first + i * v_step;
    v_to := v_from + v_step;
    IF NOT EXISTS (SELECT 1 FROM search.audit_partitions() p
                   WHERE p.range_from < v_to AND p.range_to > v_from) THEN
      RETURN NEXT search.audit_create_partition(v_from, v_to, p_interval);
    ELSIF p_interval = 'month' THEN
      v_day := v_from;
      WHILE v_day < v_to LOOP
        IF NOT EXISTS (SELECT 1 FROM search.audit_partitions() p
                       WHERE p.range_from < v_day + interval '1 day' AND p.range_to > v_day) THEN
          RETURN NEXT search.audit_create_partition(v_day, v_day + interval '1 day', 'day');
        END IF;
        v_day := v_day + interval '1 day';
      END LOOP;
    END IF;
  END LOOP;
END
$$;

CREATE FUNCTION search.audit_create_partition(p_from timestamptz, p_to timestamptz, p_interval text)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = search, pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
  v_name text := 'audit_log_' || to_char(p_from, CASE p_interval WHEN 'day' THEN 'YYYYMMDD' ELSE 'YYYYMM' END);
BEGIN
  EXECUTE format('CREATE TABLE search.%I PARTITION OF search.audit_log FOR VALUES FROM (%L) TO (%L)',
                 v_name, p_from, p_to);
  -- Statement triggers are not inherited: TRUNCATE of the partition itself is refused here.
  EXECUTE format('CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON search.%I '
                 'FOR EACH STATEMENT EXECUTE FUNCTION search.audit_refuse_change()', v_name);
  RETURN v_name;
END
$$;

-- Drops every partition whose records are all older than the retention, and the checkpoints
-- signed as long ago. Returns the names dropped. Not granted to the service: only the owner
-- (admin CLI, migration Job) ages out audit records.
CREATE FUNCTION search.audit_drop_expired(p_retention_days integer)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = search, pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
  v_partition record;
BEGIN
  IF p_retention_days IS NULL OR p_retention_days < 1 THEN
    RAISE EXCEPTION 'retention must be at least 1 day, got %', p_retention_days USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('search-platform:audit-partitions'));
  FOR v_partition IN
    SELECT p.name FROM search.audit_partitions() p
    WHERE p.range_to <= now() - make_interval(days => p_retention_days)
  LOOP
    EXECUTE format('DROP TABLE search.%I', v_partition.name);
    RETURN NEXT v_partition.name;
  END LOOP;
  PERFORM set_config('search.audit_retention', 'on', true);
  DELETE FROM search.audit_checkpoints
  WHERE created_at < now() - make_interval(days => p_retention_days);
  PERFORM set_config('search.audit_retention', 'off', true);
END
$$;

-- Partition maintenance belongs to the table owner; the service may only create partitions.
REVOKE ALL ON FUNCTION search.audit_create_partitions(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION search.audit_create_partition(timestamptz, timestamptz, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION search.audit_drop_expired(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search.audit_create_partitions(text, integer) TO search_app;

RESET ROLE;
SET LOCAL ROLE search_audit_writer;

-- Appending ----------------------------------------------------------------------------------

-- Appends a batch (group commit: one call, one INSERT, for many requests of many tenants).
-- p_records are the records' canonical forms (src/governance/audit-record.ts: a JSON array
-- ["search-audit/1", tenant, id, occurredAt, requestId, keyId, role, action, resource, outcome,
-- status, resultCount, classifications, maskedClassifications, queryDigest, queryText,
-- clientIp, details]); the stored columns are read out of it, so they are exactly what is
-- hashed. Per tenant, in tenant order (two replicas' batches cannot deadlock), a
-- transaction-scoped advisory lock serializes appenders; the head gives the next seq and the
-- previous hash; each record's hash chains to the one before it. A record already stored (a
-- batch retried after a commit whose answer was lost) is answered as stored and not appended
-- twice. Returns every record's place.
CREATE FUNCTION search.append_audit_records(p_records text[])
RETURNS TABLE (id uuid, tenant_id uuid, seq bigint, prev_hash bytea, hash bytea)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = search, pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  -- Parsed once: an expression over a LATERAL cast would be re-parsed at every reference.
  v_json jsonb[] := p_records::jsonb[];
  r record;
  v_tenant uuid;
  v_seq bigint;
  v_hash bytea;
  v_ords bigint[] := '{}';
  v_seqs bigint[] := '{}';
  v_prevs bytea[] := '{}';
  v_hashes bytea[] := '{}';
  v_head_tenants uuid[] := '{}';
  v_head_seqs bigint[] := '{}';
  v_head_hashes bytea[] := '{}';
  v_genesis constant bytea := decode(repeat('00', 32), 'hex');
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(v_json) x(c)
             WHERE jsonb_typeof(x.c) <> 'array' OR x.c ->> 0 IS DISTINCT FROM 'search-audit/1') THEN
    RAISE EXCEPTION 'audit records must be canonical forms of version search-audit/1'
      USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('search-platform:audit'), hashtext(s.t))
  FROM (SELECT DISTINCT x.c ->> 1 AS t FROM unnest(v_json) x(c) ORDER BY 1) s;

  -- The heads of every tenant in the batch, read once the locks are held.
  SELECT coalesce(array_agg(h.tenant_id), '{}'), coalesce(array_agg(h.seq), '{}'),
         coalesce(array_agg(h.hash), '{}')
    INTO v_head_tenants, v_head_seqs, v_head_hashes
  FROM search.audit_heads h
  WHERE h.tenant_id IN (SELECT (x.c ->> 1)::uuid FROM unnest(v_json) x(c));

  FOR r IN
    SELECT (x.c ->> 1)::uuid AS tenant_id, x.ord, p_records[x.ord] AS canonical
    FROM unnest(v_json) WITH ORDINALITY AS x(c, ord)
    WHERE NOT EXISTS (SELECT 1 FROM search.audit_log a
                      WHERE a.id = (x.c ->> 2)::uuid AND a.occurred_at = (x.c ->> 3)::timestamptz)
    ORDER BY 1, x.ord
  LOOP
    IF v_tenant IS DISTINCT FROM r.tenant_id THEN
      IF v_tenant IS NOT NULL THEN
        v_head_tenants := v_head_tenants || v_tenant;
        v_head_seqs := v_head_seqs || v_seq;
        v_head_hashes := v_head_hashes || v_hash;
      END IF;
      v_tenant := r.tenant_id;
      v_seq := 0;
      v_hash := v_genesis;
      FOR i IN 1 .. cardinality(v_head_tenants) LOOP
        IF v_head_tenants[i] = v_tenant THEN
          v_seq := v_head_seqs[i];
          v_hash := v_head_hashes[i];
        END IF;
      END LOOP;
    END IF;
    v_ords := v_ords || r.ord;
    v_prevs := v_prevs || v_hash;
    v_seq := v_seq + 1;
    v_hash := sha256(v_hash || int8send(v_seq) || convert_to(r.canonical, 'UTF8'));
    v_seqs := v_seqs || v_seq;
    v_hashes := v_hashes || v_hash;
  END LOOP;
  IF v_tenant IS NULL THEN
    -- Nothing new: every record was already stored.
    RETURN QUERY
    SELECT a.id, a.tenant_id, a.seq, a.prev_hash, a.hash
    FROM unnest(v_json) x(c)
    JOIN search.audit_log a
      ON a.id = (x.c ->> 2)::uuid AND a.occurred_at = (x.c ->> 3)::timestamptz;
    RETURN;
  END IF;
  v_head_tenants := v_head_tenants || v_tenant;
  v_head_seqs := v_head_seqs || v_seq;
  v_head_hashes := v_head_hashes || v_hash;

  -- The new heads: the last of each tenant's entries above (later entries win).
  INSERT INTO search.audit_heads AS h (tenant_id, seq, hash, updated_at)
  SELECT DISTINCT ON (n.tenant_id) n.tenant_id, n.seq, n.hash, now()
  FROM unnest(v_head_tenants, v_head_seqs, v_head_hashes) WITH ORDINALITY AS n(tenant_id, seq, hash, i)
  ORDER BY n.tenant_id, n.i DESC
  ON CONFLICT (tenant_id) DO UPDATE
    SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, updated_at = EXCLUDED.updated_at
    WHERE h.seq <> EXCLUDED.seq;

  IF cardinality(v_ords) < cardinality(p_records) THEN
    RETURN QUERY
    SELECT a.id, a.tenant_id, a.seq, a.prev_hash, a.hash
    FROM unnest(v_json) WITH ORDINALITY AS x(c, ord)
    JOIN search.audit_log a
      ON a.id = (x.c ->> 2)::uuid AND a.occurred_at = (x.c ->> 3)::timestamptz
    WHERE x.ord <> ALL (v_ords);
  END IF;
  RETURN QUERY
  INSERT INTO search.audit_log AS a (
    id, tenant_id, seq, occurred_at, request_id, key_id, role, action, resource, outcome, status,
    result_count, classifications, masked_classifications, query_digest, query_text, client_ip,
    details, prev_hash, hash)
  SELECT (x.c ->> 2)::uuid, (x.c ->> 1)::uuid, n.seq, (x.c ->> 3)::timestamptz, x.c ->> 4,
         (x.c ->> 5)::uuid, x.c ->> 6, x.c ->> 7, x.c ->> 8, x.c ->> 9, (x.c ->> 10)::smallint,
         (x.c ->> 11)::integer,
         ARRAY(SELECT jsonb_array_elements_text(x.c -> 12)),
         ARRAY(SELECT jsonb_array_elements_text(x.c -> 13)),
         x.c ->> 14, x.c ->> 15, x.c ->> 16, nullif(x.c -> 17, 'null'::jsonb),
         n.prev_hash, n.hash
  FROM unnest(v_ords, v_seqs, v_prevs, v_hashes) AS n(ord, seq, prev_hash, hash)
  JOIN unnest(v_json) WITH ORDINALITY AS x(c, ord) ON x.ord = n.ord
  RETURNING a.id, a.tenant_id, a.seq, a.prev_hash, a.hash;
END
$$;

-- Records signed checkpoints of chain heads, computed by the service; only onto a record that
-- exists with that hash. Returns how many were recorded.
CREATE FUNCTION search.record_audit_checkpoints(p_checkpoints jsonb)
RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = search, pg_catalog, pg_temp
AS $$
  WITH recorded AS (
    INSERT INTO search.audit_checkpoints (tenant_id, seq, hash, mac, key_id, created_at)
    SELECT x.tenant_id, x.seq, decode(x.hash, 'hex'), decode(x.mac, 'hex'), x.key_id, now()
    FROM jsonb_to_recordset(p_checkpoints)
      AS x(tenant_id uuid, seq bigint, hash text, mac text, key_id text)
    WHERE EXISTS (SELECT 1 FROM search.audit_log a
                  WHERE a.tenant_id = x.tenant_id AND a.seq = x.seq
                    AND a.hash = decode(x.hash, 'hex'))
    ON CONFLICT (tenant_id, seq) DO NOTHING
    RETURNING 1
  )
  SELECT count(*)::integer FROM recorded
$$;

REVOKE ALL ON FUNCTION search.append_audit_records(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION search.record_audit_checkpoints(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search.append_audit_records(text[]) TO search_app;
GRANT EXECUTE ON FUNCTION search.record_audit_checkpoints(jsonb) TO search_app;

-- Role-aware search ----------------------------------------------------------------------------
--
-- New overloads of the search functions (the 0001 signatures stay for pods of the previous
-- release during a rolling deploy). Beyond 0001's, they take:
--   p_visible    the classifications the caller may see unmasked: documents of any other are
--                neither matched nor counted (NULL: all);
--   p_mask       the kinds of sensitive value to mask in the snippet (NULL: none). The body is
--                masked before ts_headline cuts it into fragments, so a fragment boundary can
--                never leave half a value behind;
--   p_sort_field order by this structured field (JSON ordering: numbers as numbers; a missing
--                field sorts as JSON null, first), then id, instead of by rank; p_sort_desc
--                reverses both; p_after_key is the keyset position's field value.

RESET ROLE;
SET LOCAL ROLE search_definer;

CREATE FUNCTION search.search_documents(
  p_query text,
  p_mode text,
  p_limit integer,
  p_after_rank real,
  p_after_id uuid,
  p_fields jsonb,
  p_classification text,
  p_visible text[],
  p_mask text[],
  p_sort_field text,
  p_sort_desc boolean,
  p_after_key jsonb
)
RETURNS TABLE (
  id uuid, external_id text, title text, snippet text, rank real, classification text,
  fields jsonb, updated_at timestamptz, total bigint, subject_id text, sort_key jsonb
)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = search, pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
  v_query tsquery;
BEGIN
  IF v_tenant IS NULL THEN
    RAISE EXCEPTION 'no tenant in this transaction' USING ERRCODE = '42501';
  END IF;
  IF p_mode = 'prefix' THEN
    SELECT to_tsquery('english', string_agg(quote_literal(w) || ':*', ' & '))
      INTO v_query
      FROM unnest(tsvector_to_array(to_tsvector('simple', p_query))) AS w;
  ELSE
    v_query := websearch_to_tsquery('english', p_query);
  END IF;
  IF v_query IS NULL OR numnode(v_query) = 0 THEN
    RETURN; -- only stop words: nothing can match
  END IF;

  RETURN QUERY
  WITH matches AS (
    SELECT d.id, ts_rank(d.tsv, v_query) AS rank,
           CASE WHEN p_sort_field IS NOT NULL
                THEN coalesce(d.fields -> p_sort_field, 'null'::jsonb) END AS key
    FROM search.documents d
    WHERE d.tenant_id = v_tenant
      AND d.tsv @@ v_query
      AND (p_fields IS NULL OR d.fields @> p_fields)
      AND (p_classification IS NULL OR d.classification = p_classification)
      AND (p_visible IS NULL OR d.classification = ANY (p_visible))
  ), page AS (
    SELECT m.id, m.rank, m.key, count(*) OVER () AS total
    FROM matches m
    WHERE CASE
      WHEN p_sort_field IS NULL THEN
        p_after_rank IS NULL OR m.rank < p_after_rank OR (m.rank = p_after_rank AND m.id > p_after_id)
      WHEN p_sort_desc THEN p_after_id IS NULL OR (m.key, m.id) < (p_after_key, p_after_id)
      ELSE p_after_id IS NULL OR (m.key, m.id) > (p_after_key, p_after_id)
    END
    ORDER BY CASE WHEN p_sort_field IS NOT NULL AND NOT p_sort_desc THEN m.key END,
             CASE WHEN p_sort_field IS NOT NULL AND p_sort_desc THEN m.key END DESC,
             CASE WHEN p_sort_field IS NULL THEN m.rank END DESC,
             CASE WHEN p_sort_field IS NOT NULL AND p_sort_desc THEN m.id END DESC,
             m.id
    LIMIT p_limit
  )
  SELECT p.id, d.external_id, d.title,
         ts_headline('english',
                     CASE WHEN p_mask IS NULL THEN d.body ELSE search.mask_free_text(d.body, p_mask) END,
                     v_query,
                     'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) ||
                     ', MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'),
         p.rank, d.classification, d.fields, d.updated_at, p.total, d.subject_id, p.key
  FROM page p
  JOIN search.documents d ON d.id = p.id AND d.tenant_id = v_tenant
  ORDER BY CASE WHEN p_sort_field IS NOT NULL AND NOT p_sort_desc THEN p.key END,
           CASE WHEN p_sort_field IS NOT NULL AND p_sort_desc THEN p.key END DESC,
           CASE WHEN p_sort_field IS NULL THEN p.rank END DESC,
           CASE WHEN p_sort_field IS NOT NULL AND p_sort_desc THEN p.id END DESC,
           p.id;
END
$$;

CREATE FUNCTION search.fuzzy_search_documents(
  p_query text,
  p_limit integer,
  p_after_rank real,
  p_after_id uuid,
  p_fields jsonb,
  p_classification text,
  p_visible text[],
  p_mask text[],
  p_sort_field text,
  p_sort_desc boolean,
  p_after_key jsonb
)
RETURNS TABLE (
  id uuid, external_id text, title text, snippet text, rank real, classification text,
  fields jsonb, updated_at timestamptz, total bigint, subject_id text, sort_key jsonb
)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = search, pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
BEGIN
  IF v_tenant IS NULL THEN
    RAISE EXCEPTION 'no tenant in this transaction' USING ERRCODE = '42501';
  END IF;
  PERFORM set_config('pg_trgm.word_similarity_threshold', '0.35', true);
  RETURN QUERY
  WITH matches AS (
    SELECT d.id, word_similarity(p_query, search.searchable_text(d.title)) AS rank,
           CASE WHEN p_sort_field IS NOT NULL
                THEN coalesce(d.fields -> p_sort_field, 'null'::jsonb) END AS key
    FROM search.documents d
    WHERE d.tenant_id = v_tenant
      AND p_query <% search.searchable_text(d.title)
      AND (p_fields IS NULL OR d.fields @> p_fields)
      AND (p_classification IS NULL OR d.classification = p_classification)
      AND (p_visible IS NULL OR d.classification = ANY (p_visible))
  ), page AS (
    SELECT m.id, m.rank, m.key, count(*) OVER () AS total
    FROM matches m
    WHERE CASE
      WHEN p_sort_field IS NULL THEN
        p_after_rank IS NULL OR m.rank < p_after_rank OR (m.rank = p_after_rank AND m.id > p_after_id)
      WHEN p_sort_desc THEN p_after_id IS NULL OR (m.key, m.id) < (p_after_key, p_after_id)
      ELSE p_after_id IS NULL OR (m.key, m.id) > (p_after_key, p_after_id)
    END
    ORDER BY CASE WHEN p_sort_field IS NOT NULL AND NOT p_sort_desc THEN m.key END,
             CASE WHEN p_sort_field IS NOT NULL AND p_sort_desc THEN m.key END DESC,
             CASE WHEN p_sort_field IS NULL THEN m.rank END DESC,
             CASE WHEN p_sort_field IS NOT NULL AND p_sort_desc THEN m.id END DESC,
             m.id
    LIMIT p_limit
  )
  SELECT p.id, d.external_id, d.title,
         left(CASE WHEN p_mask IS NULL THEN d.body ELSE search.mask_free_text(d.body, p_mask) END, 200),
         p.rank, d.classification, d.fields, d.updated_at, p.total, d.subject_id, p.key
  FROM page p
  JOIN search.documents d ON d.id = p.id AND d.tenant_id = v_tenant
  ORDER BY CASE WHEN p_sort_field IS NOT NULL AND NOT p_sort_desc THEN p.key END,
           CASE WHEN p_sort_field IS NOT NULL AND p_sort_desc THEN p.key END DESC,
           CASE WHEN p_sort_field IS NULL THEN p.rank END DESC,
           CASE WHEN p_sort_field IS NOT NULL AND p_sort_desc THEN p.id END DESC,
           p.id;
END
$$;

REVOKE ALL ON FUNCTION search.search_documents(text, text, integer, real, uuid, jsonb, text, text[], text[], text, boolean, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION search.fuzzy_search_documents(text, integer, real, uuid, jsonb, text, text[], text[], text, boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search.search_documents(text, text, integer, real, uuid, jsonb, text, text[], text[], text, boolean, jsonb) TO search_app;
GRANT EXECUTE ON FUNCTION search.fuzzy_search_documents(text, integer, real, uuid, jsonb, text, text[], text[], text, boolean, jsonb) TO search_app;

RESET ROLE;
