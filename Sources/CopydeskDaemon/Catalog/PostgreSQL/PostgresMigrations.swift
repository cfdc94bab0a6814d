internal import CopydeskCore
internal import Logging
internal import PostgresNIO

/// The PostgreSQL catalog's schema, as named migrations.
///
/// Append-only: a migration that has shipped is never edited, since users' catalogs already ran
/// it; a change is a new migration with the next name. The tables mirror the SQLite catalog's
/// (`SQLiteCatalog.migrator`, whose comments say what each one holds); the search index is
/// PostgreSQL's own: a `tsvector` of every version (title weighted above body), under a GIN index,
/// read through each article's current version.
enum PostgresMigrations {
    static let all: [(id: String, sql: [String])] = [
        (
            "v1-catalog",
            [
                """
                CREATE TABLE article (
                    id bigserial PRIMARY KEY,
                    created_at text NOT NULL,
                    latest_version_id bigint,
                    current_version_id bigint
                )
                """,
                """
                CREATE TABLE version (
                    id bigserial PRIMARY KEY,
                    article_id bigint NOT NULL REFERENCES article(id),
                    parent_version_id bigint REFERENCES version(id),
                    similarity double precision,
                    relation text CHECK (relation IN ('revision', 'syndication', 'excerpt')),
                    title text,
                    byline text,
                    published text,
                    site text,
                    url text,
                    language text,
                    body text NOT NULL,
                    content_sha256 text NOT NULL,
                    format text NOT NULL,
                    charset text NOT NULL,
                    normalizer_version integer NOT NULL,
                    created_at text NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX version_content ON version(content_sha256)",
                "CREATE INDEX version_article ON version(article_id)",
                """
                CREATE TABLE receipt (
                    id bigserial PRIMARY KEY,
                    origin text NOT NULL CHECK (origin IN ('inbox', 'ingest')),
                    file_name text NOT NULL,
                    source_path text NOT NULL,
                    size bigint NOT NULL,
                    mtime_ns bigint NOT NULL,
                    inode bigint NOT NULL,
                    device bigint NOT NULL,
                    arrived_at text NOT NULL,
                    raw_sha256 text NOT NULL,
                    format text,
                    charset text,
                    decision text NOT NULL CHECK (decision IN ('new-article', 'new-version', 'duplicate', 'rejected')),
                    reason text,
                    article_id bigint REFERENCES article(id),
                    version_id bigint REFERENCES version(id),
                    similarity double precision,
                    archive_path text NOT NULL,
                    state text NOT NULL CHECK (state IN ('committed', 'archived')),
                    node text
                )
                """,
                "CREATE INDEX receipt_raw ON receipt(raw_sha256)",
                "CREATE INDEX receipt_pending ON receipt(state) WHERE state = 'committed'",
                "CREATE INDEX receipt_version ON receipt(version_id)",
                "CREATE INDEX receipt_article ON receipt(article_id)",
                "CREATE INDEX receipt_file ON receipt(file_name)",
                "CREATE INDEX receipt_arrived ON receipt(arrived_at)",
                """
                CREATE TABLE event (
                    id bigserial PRIMARY KEY,
                    time text NOT NULL,
                    kind text NOT NULL,
                    receipt_id bigint REFERENCES receipt(id),
                    file text,
                    article_id bigint,
                    version_id bigint,
                    similarity double precision,
                    message text
                )
                """,
                "CREATE INDEX event_kind ON event(kind, id)",
                "CREATE INDEX event_time ON event(time)",
                "CREATE INDEX event_file ON event(file)",
                """
                CREATE TABLE lsh (
                    key bigint NOT NULL,
                    version_id bigint NOT NULL REFERENCES version(id),
                    PRIMARY KEY (key, version_id)
                )
                """,
                """
                CREATE TABLE fingerprint (
                    version_id bigint PRIMARY KEY REFERENCES version(id),
                    scheme integer NOT NULL,
                    shingles integer NOT NULL
                )
                """,
                """
                CREATE TABLE renormalization (
                    raw_sha256 text PRIMARY KEY,
                    normalizer_version integer NOT NULL,
                    outcome text NOT NULL,
                    version_id bigint NOT NULL REFERENCES version(id),
                    previous_version_id bigint REFERENCES version(id),
                    at text NOT NULL
                )
                """,
                "CREATE INDEX renormalization_version ON renormalization(version_id)",
                // Accents do not matter to search (as with SQLite's `remove_diacritics`): the
                // `unaccent` dictionary where the server has it (a trusted extension of contrib),
                // plain words elsewhere.
                """
                DO $$ BEGIN
                    CREATE EXTENSION IF NOT EXISTS unaccent;
                EXCEPTION WHEN OTHERS THEN
                    RAISE NOTICE 'unaccent is not available: search will tell accented letters apart';
                END $$
                """,
                "CREATE TEXT SEARCH CONFIGURATION copydesk_search (COPY = simple)",
                """
                DO $$ BEGIN
                    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
                        ALTER TEXT SEARCH CONFIGURATION copydesk_search
                            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
                    END IF;
                END $$
                """,
                // Up to 400,000 characters of a body are indexed (a tsvector holds at most 1 MB).
                """
                ALTER TABLE version ADD COLUMN search tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('copydesk_search', coalesce(title, '')), 'A')
                    || setweight(to_tsvector('copydesk_search', left(body, 400000)), 'B')
                ) STORED
                """,
                "CREATE INDEX version_search ON version USING gin(search)",
                // The daemons that share the catalog: one row per node, refreshed while it runs.
                """
                CREATE TABLE node (
                    name text PRIMARY KEY,
                    host text NOT NULL,
                    pid integer NOT NULL,
                    inbox text NOT NULL,
                    started_at text NOT NULL,
                    last_seen text NOT NULL
                )
                """,
            ]
        ),
        (
            // What agency items declare, one row per item received (see the SQLite catalog's
            // `v8-wire`); the declared relations; what decided each decision; withdrawn articles.
            "v2-wire",
            [
                "ALTER TABLE version DROP CONSTRAINT IF EXISTS version_relation_check",
                """
                ALTER TABLE version ADD CONSTRAINT version_relation_check
                    CHECK (relation IN ('revision', 'syndication', 'excerpt', 'update', 'correction', 'writethrough'))
                """,
                """
                CREATE TABLE wire_item (
                    id bigserial PRIMARY KEY,
                    article_id bigint NOT NULL REFERENCES article(id),
                    version_id bigint NOT NULL REFERENCES version(id),
                    receipt_id bigint REFERENCES receipt(id),
                    declared_key text,
                    item_id text,
                    declared_version text,
                    story_key text,
                    status text NOT NULL,
                    signals text,
                    urgency bigint,
                    embargo text,
                    dateline text,
                    provider text,
                    links text,
                    basis text NOT NULL,
                    created_at text NOT NULL
                )
                """,
                "CREATE INDEX wire_item_key ON wire_item(declared_key, id) WHERE declared_key IS NOT NULL",
                "CREATE INDEX wire_item_article ON wire_item(article_id, id)",
                "CREATE INDEX wire_item_version ON wire_item(version_id)",
                "ALTER TABLE article ADD COLUMN killed_at text",
                "ALTER TABLE receipt ADD COLUMN basis text",
                "ALTER TABLE event ADD COLUMN basis text",
                // Files of several items: the receipt once (decision `items`), one row per item.
                "ALTER TABLE receipt DROP CONSTRAINT IF EXISTS receipt_decision_check",
                """
                ALTER TABLE receipt ADD CONSTRAINT receipt_decision_check
                    CHECK (decision IN ('new-article', 'new-version', 'duplicate', 'rejected', 'items'))
                """,
                "ALTER TABLE receipt ADD COLUMN items integer",
                "ALTER TABLE event ADD COLUMN item integer",
                """
                CREATE TABLE receipt_item (
                    receipt_id bigint NOT NULL REFERENCES receipt(id),
                    item integer NOT NULL,
                    format text,
                    charset text,
                    decision text NOT NULL CHECK (decision IN ('new-article', 'new-version', 'duplicate', 'rejected')),
                    reason text,
                    article_id bigint REFERENCES article(id),
                    version_id bigint REFERENCES version(id),
                    similarity double precision,
                    basis text,
                    PRIMARY KEY (receipt_id, item)
                )
                """,
                "CREATE INDEX receipt_item_article ON receipt_item(article_id)",
                "CREATE INDEX receipt_item_version ON receipt_item(version_id)",
            ]
        ),
        (
            // Stories (see the SQLite catalog's `v9-stories`).
            "v3-stories",
            [
                """
                CREATE TABLE story (
                    id bigserial PRIMARY KEY,
                    merged_into bigint,
                    articles bigint NOT NULL,
                    first_seen text NOT NULL,
                    last_seen text NOT NULL,
                    summary bytea NOT NULL,
                    created_at text NOT NULL
                )
                """,
                "CREATE INDEX story_activity ON story(last_seen) WHERE merged_into IS NULL",
                """
                CREATE TABLE story_term (
                    term bigint NOT NULL,
                    story_id bigint NOT NULL REFERENCES story(id),
                    PRIMARY KEY (term, story_id)
                )
                """,
                "CREATE INDEX story_term_story ON story_term(story_id)",
                "CREATE TABLE term_count (term bigint PRIMARY KEY, articles bigint NOT NULL)",
                "ALTER TABLE article ADD COLUMN story_id bigint REFERENCES story(id)",
                "CREATE INDEX article_story ON article(story_id)",
                "ALTER TABLE event ADD COLUMN story bigint",
            ]
        ),
        (
            // `copydesk regroup`'s progress (see the SQLite catalog's `v10-regroup`; no story floor:
            // the story id sequence never gives an id twice).
            "v4-regroup",
            [
                """
                CREATE TABLE regroup (
                    id integer PRIMARY KEY CHECK (id = 1),
                    until_article bigint NOT NULL,
                    done_through bigint NOT NULL,
                    total bigint NOT NULL,
                    done bigint NOT NULL,
                    merges bigint NOT NULL,
                    window_seconds bigint NOT NULL,
                    seconds double precision NOT NULL,
                    started_at text NOT NULL,
                    finished_at text
                )
                """
            ]
        ),
        (
            // Term rarity from the counters of a fixed-size sketch (see the SQLite catalog's
            // `v12-term-sketch`), a row a counter; the counts so far are folded into it (`folds`).
            "v6-term-buckets",
            ["CREATE TABLE term_bucket (bucket bigint PRIMARY KEY, articles bigint NOT NULL)"]
        ),
        (
            // See the SQLite catalog's `v11-story-indexes`.
            "v5-story-indexes",
            [
                "CREATE INDEX story_merged ON story(merged_into) WHERE merged_into IS NOT NULL",
                "CREATE INDEX story_live ON story(id, last_seen) WHERE merged_into IS NULL",
            ]
        ),
        (
            // Term rarity by epochs (``TermSketch/epochLength(after:)``): `term_bucket` holds the
            // counts as of the last epoch's end, and each article counted since is a row here (its
            // distinct terms), numbered from 1, folded into `term_bucket` when the epoch ends.
            "v7-term-pending",
            ["CREATE TABLE term_pending (id bigint PRIMARY KEY, terms bytea NOT NULL)"]
        ),
    ]

    /// The table that records which migrations ran.
    static let ledger = "copydesk_migration"

    /// Whatever locks the migrations (and every catalog write): an advisory lock id of copydesk's.
    static let lockKey: Int64 = 0x636F_7079_6465_736B  // "copydesk"

    /// Brings the schema up to date: each migration not yet applied, in its own transaction, under
    /// the catalog's write lock (two nodes starting together migrate once).
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await locked(connection, logger: logger) {
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS copydesk_migration (
                    id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
        }
        for migration in all {
            try await locked(connection, logger: logger) {
                let done = try await connection.first(
                    "SELECT 1::int8 FROM copydesk_migration WHERE id = \(migration.id)", as: Int64.self, logger: logger)
                guard done == nil else { return }
                for statement in migration.sql {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                if migration.id == "v6-term-buckets" { try await foldTermCounts(connection, logger: logger) }
                try await connection.run("INSERT INTO copydesk_migration (id) VALUES (\(migration.id))", logger: logger)
            }
        }
    }

    /// Folds `term_count` (a row a term) into `term_bucket` (the counters of ``TermSketch``),
    /// exactly as if each article had been counted into them, and drops it.
    private static func foldTermCounts(_ connection: PostgresConnection, logger: Logger) async throws {
        var sketch = TermSketch()
        var after = Int64.min
        while true {
            let rows = try await connection.rows(
                "SELECT term, articles FROM term_count WHERE term > \(after) ORDER BY term LIMIT 50000",
                as: (Int64, Int64).self, logger: logger)
            guard let last = rows.last else { break }
            for (term, articles) in rows {
                // Term 0 counted the articles.
                let buckets = term == 0 ? [TermSketch.articlesBucket] : TermSketch.buckets(of: term)
                for bucket in buckets { sketch.add(Int(articles), toBucket: bucket) }
            }
            after = last.0
        }
        let counters = Array(sketch.nonZero())
        for start in stride(from: 0, to: counters.count, by: 50_000) {
            let chunk = counters[start..<min(counters.count, start + 50_000)]
            try await connection.run(
                """
                INSERT INTO term_bucket (bucket, articles)
                SELECT * FROM unnest(\(chunk.map { Int64($0.bucket) })::int8[], \(chunk.map { Int64($0.count) })::int8[])
                """, logger: logger)
        }
        try await connection.run("DROP TABLE term_count", logger: logger)
    }

    /// Runs `body` in a transaction that holds the catalog's write lock.
    private static func locked(
        _ connection: PostgresConnection, logger: Logger, _ body: () async throws -> Void
    ) async throws {
        try await connection.transaction(logger: logger) {
            try await connection.run("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await body()
        }
    }

    /// The migrations a catalog has applied (empty when it has none yet).
    static func applied(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let exists = try await connection.first(
            "SELECT to_regclass('copydesk_migration') IS NOT NULL", as: Bool.self, logger: logger) ?? false
        guard exists else { return [] }
        return try await connection.rows("SELECT id FROM copydesk_migration ORDER BY id", as: String.self, logger: logger)
    }
}
