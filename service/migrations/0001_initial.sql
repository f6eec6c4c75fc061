-- Tenants, API keys and documents, guarded by row-level security.
--
-- Runs as the database's owner / master user (a superuser locally, rds_superuser on Aurora), in
-- one transaction, under the runner's advisory lock. Three roles, created here if missing (roles
-- are cluster-wide; several databases on one server share them):
--
--   search_owner    NOLOGIN; owns every table. FORCE ROW LEVEL SECURITY applies the tenant
--                   policy even to it.
--   search_definer  NOLOGIN; owns the SECURITY DEFINER functions and may only SELECT. It is the
--                   one role with a policy that does not depend on the tenant setting: under a
--                   tenant policy, PostgreSQL evaluates the policy before any qual that is not
--                   leakproof, so `tsv @@ query` could not use the GIN index (DESIGN.md,
--                   "Pitfalls"). Its functions read the tenant from the transaction's setting
--                   themselves and filter on it explicitly.
--   search_app      LOGIN, no BYPASSRLS, owns nothing: the service's role. On Aurora it gets
--                   rds_iam (IAM database authentication).

DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['search_owner', 'search_definer'] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- created earlier, or by a concurrent migration of another database
    END;
  END LOOP;
  BEGIN
    CREATE ROLE search_app LOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
  END;
  IF (SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = 'search_app') THEN
    RAISE EXCEPTION 'role search_app must not bypass row-level security';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam') THEN
    GRANT rds_iam TO search_app;
  END IF;
END
$$;

-- The migrating user must be able to act as the owners (a superuser already can; Aurora's master
-- user cannot until it is a member).
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT search_owner, search_definer TO %I', current_user);
  END IF;
END
$$;

CREATE SCHEMA search AUTHORIZATION search_owner;
-- Trusted extensions: the database owner may create them without superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA search;
CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA search;
GRANT USAGE ON SCHEMA search TO search_app, search_definer;
-- Owning a function needs CREATE on its schema.
GRANT CREATE ON SCHEMA search TO search_definer;
GRANT SELECT ON public.schema_migrations TO search_app;

SET LOCAL ROLE search_owner;

CREATE TABLE search.tenants (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  tier       text NOT NULL CHECK (tier IN ('free', 'standard', 'enterprise')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE search.api_keys (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id  uuid NOT NULL REFERENCES search.tenants (id) ON DELETE CASCADE,
  -- SHA-256 of the whole key. Keys carry 256 random bits, so an unsalted hash cannot be
  -- brute-forced and can be looked up by equality.
  key_hash   bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
  -- The first characters of the key, to recognise it in listings; never enough to use it.
  key_prefix text NOT NULL,
  role       text NOT NULL CHECK (role IN ('admin', 'writer', 'reader', 'auditor')),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_tenant ON search.api_keys (tenant_id);

CREATE TABLE search.documents (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id      uuid NOT NULL REFERENCES search.tenants (id) ON DELETE CASCADE,
  external_id    text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 256),
  title          text NOT NULL,
  body           text NOT NULL,
  fields         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(fields) = 'object'),
  classification text NOT NULL DEFAULT 'internal'
                 CHECK (classification IN ('public', 'internal', 'confidential', 'pii', 'phi', 'pci')),
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  tsv            tsvector GENERATED ALWAYS AS (
                   setweight(to_tsvector('english'::regconfig, title), 'A') ||
                   setweight(to_tsvector('english'::regconfig, body), 'B')
                 ) STORED,
  CONSTRAINT documents_external_id UNIQUE (tenant_id, external_id)
);
-- One GIN index over (tenant, lexemes) (btree_gin): a search intersects the tenant's posting
-- list with the query's inside the index instead of rechecking every match of every tenant.
CREATE INDEX documents_search ON search.documents USING gin (tenant_id, tsv);
CREATE INDEX documents_title_trgm ON search.documents USING gin (tenant_id, title search.gin_trgm_ops);

-- The cursor signing key: shared by every replica without another secret to distribute.
-- Rotating it (UPDATE) invalidates outstanding cursors, nothing else.
CREATE TABLE search.signing_keys (
  purpose    text PRIMARY KEY,
  secret     bytea NOT NULL CHECK (length(secret) >= 32),
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO search.signing_keys (purpose, secret)
VALUES ('cursor', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')));

-- Row-level security ---------------------------------------------------------------------------
-- After COMMIT a transaction-local setting reads as '' rather than NULL, hence nullif.

ALTER TABLE search.tenants ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE search.api_keys ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE search.documents ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON search.tenants
  USING (id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (id = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY tenant_isolation ON search.api_keys
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
CREATE POLICY tenant_isolation ON search.documents
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- The definer reads through its own functions only; see the header.
CREATE POLICY definer_reads ON search.tenants FOR SELECT TO search_definer USING (true);
CREATE POLICY definer_reads ON search.api_keys FOR SELECT TO search_definer USING (true);
CREATE POLICY definer_reads ON search.documents FOR SELECT TO search_definer USING (true);

GRANT SELECT ON search.tenants, search.api_keys, search.documents TO search_definer;
GRANT SELECT ON search.tenants TO search_app;
GRANT SELECT, INSERT, UPDATE ON search.api_keys TO search_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON search.documents TO search_app;
GRANT SELECT ON search.signing_keys TO search_app;

-- Functions ------------------------------------------------------------------------------------

RESET ROLE;
SET LOCAL ROLE search_definer;

-- Resolves an API key's hash to its tenant, role and tier; nothing for unknown or revoked keys.
-- Authentication happens before a tenant is known, so this cannot run under the tenant policy.
CREATE FUNCTION search.authenticate_api_key(p_key_hash bytea)
RETURNS TABLE (key_id uuid, tenant_id uuid, role text, tier text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = search, pg_catalog, pg_temp
AS $$
  SELECT k.id, k.tenant_id, k.role, t.tier
  FROM search.api_keys k
  JOIN search.tenants t ON t.id = k.tenant_id
  WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
$$;

-- Ranked full-text search of the current tenant's documents, one page after a keyset position.
--
-- The tenant comes from the transaction setting app.tenant_id, never from a parameter; with none
-- set the function refuses (42501). Modes: 'websearch' (quotes, OR, -exclusion), 'prefix'
-- (every word a prefix: type-ahead). `total` counts every match after the keyset position.
CREATE FUNCTION search.search_documents(
  p_query text,
  p_mode text,
  p_limit integer,
  p_after_rank real,
  p_after_id uuid,
  p_fields jsonb,
  p_classification text
)
RETURNS TABLE (
  id uuid, external_id text, title text, snippet text, rank real, classification text,
  fields jsonb, updated_at timestamptz, total bigint
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
    SELECT d.id, ts_rank(d.tsv, v_query) AS rank
    FROM search.documents d
    WHERE d.tenant_id = v_tenant
      AND d.tsv @@ v_query
      AND (p_fields IS NULL OR d.fields @> p_fields)
      AND (p_classification IS NULL OR d.classification = p_classification)
  ), page AS (
    SELECT m.id, m.rank, count(*) OVER () AS total
    FROM matches m
    WHERE p_after_rank IS NULL
       OR m.rank < p_after_rank
       OR (m.rank = p_after_rank AND m.id > p_after_id)
    ORDER BY m.rank DESC, m.id
    LIMIT p_limit
  )
  SELECT p.id, d.external_id, d.title,
         ts_headline('english', d.body, v_query,
                     'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) ||
                     ', MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'),
         p.rank, d.classification, d.fields, d.updated_at, p.total
  FROM page p
  JOIN search.documents d ON d.id = p.id AND d.tenant_id = v_tenant
  ORDER BY p.rank DESC, p.id;
END
$$;

-- Fuzzy title search (pg_trgm word similarity): tolerates typos, ranked by similarity.
CREATE FUNCTION search.fuzzy_search_documents(
  p_query text,
  p_limit integer,
  p_after_rank real,
  p_after_id uuid,
  p_fields jsonb,
  p_classification text
)
RETURNS TABLE (
  id uuid, external_id text, title text, snippet text, rank real, classification text,
  fields jsonb, updated_at timestamptz, total bigint
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
  -- pg_trgm's default (0.6) misses two typos in two words; 0.35 still ranks exact titles first.
  PERFORM set_config('pg_trgm.word_similarity_threshold', '0.35', true);
  RETURN QUERY
  WITH matches AS (
    SELECT d.id, word_similarity(p_query, d.title) AS rank
    FROM search.documents d
    WHERE d.tenant_id = v_tenant
      AND p_query <% d.title
      AND (p_fields IS NULL OR d.fields @> p_fields)
      AND (p_classification IS NULL OR d.classification = p_classification)
  ), page AS (
    SELECT m.id, m.rank, count(*) OVER () AS total
    FROM matches m
    WHERE p_after_rank IS NULL
       OR m.rank < p_after_rank
       OR (m.rank = p_after_rank AND m.id > p_after_id)
    ORDER BY m.rank DESC, m.id
    LIMIT p_limit
  )
  SELECT p.id, d.external_id, d.title, left(d.body, 200), p.rank, d.classification, d.fields,
         d.updated_at, p.total
  FROM page p
  JOIN search.documents d ON d.id = p.id AND d.tenant_id = v_tenant
  ORDER BY p.rank DESC, p.id;
END
$$;

REVOKE ALL ON FUNCTION search.authenticate_api_key(bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION search.search_documents(text, text, integer, real, uuid, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION search.fuzzy_search_documents(text, integer, real, uuid, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION search.authenticate_api_key(bytea) TO search_app;
GRANT EXECUTE ON FUNCTION search.search_documents(text, text, integer, real, uuid, jsonb, text) TO search_app;
GRANT EXECUTE ON FUNCTION search.fuzzy_search_documents(text, integer, real, uuid, jsonb, text) TO search_app;

RESET ROLE;
