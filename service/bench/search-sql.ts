/**
 * The SQL ceiling's statement: the search function's query (migration 0002,
 * `search.search_documents`, websearch mode, no filters), inlined and run by the superuser with
 * an explicit tenant — no row-level security, no function, no transaction. $1 the tenant, $2 the
 * query, $3 the rows to return.
 */
export const SEARCH_SQL_WITHOUT_RLS = `
    WITH q AS (SELECT websearch_to_tsquery('english', $2) AS query),
    matches AS (
      SELECT d.id, ts_rank(d.tsv, q.query) AS rank
      FROM search.documents d, q
      WHERE d.tenant_id = $1 AND d.tsv @@ q.query
    ), page AS (
      SELECT m.id, m.rank, count(*) OVER () AS total FROM matches m
      ORDER BY m.rank DESC, m.id LIMIT $3
    )
    SELECT p.id, d.external_id, d.title,
           ts_headline('english', d.body, q.query,
                       'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) ||
                       ', MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "') AS snippet,
           p.rank, d.classification, d.fields, d.updated_at, p.total
    FROM page p JOIN search.documents d ON d.id = p.id AND d.tenant_id = $1, q
    ORDER BY p.rank DESC, p.id`;
