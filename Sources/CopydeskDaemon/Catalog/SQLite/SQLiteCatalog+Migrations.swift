internal import CopydeskCore
internal import Foundation
internal import GRDB

extension SQLiteCatalog {
    /// The catalog's schema, as a list of named migrations.
    ///
    /// Append-only: a migration that has shipped is never edited, since users' catalogs already ran
    /// it. A change is a new migration with the next name.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-catalog") { db in
            // One story text, however many files and outlets carried it.
            try db.execute(
                sql: """
                    CREATE TABLE article (
                        id INTEGER PRIMARY KEY,
                        created_at TEXT NOT NULL,
                        latest_version_id INTEGER
                    );
                    """)
            // One distinct normalized text of an article.
            try db.execute(
                sql: """
                    CREATE TABLE version (
                        id INTEGER PRIMARY KEY,
                        article_id INTEGER NOT NULL REFERENCES article(id),
                        parent_version_id INTEGER REFERENCES version(id),
                        similarity REAL,
                        relation TEXT CHECK (relation IN ('revision', 'syndication', 'excerpt')),
                        title TEXT,
                        byline TEXT,
                        published TEXT,
                        site TEXT,
                        url TEXT,
                        language TEXT,
                        body TEXT NOT NULL,
                        content_sha256 TEXT NOT NULL,
                        format TEXT NOT NULL,
                        charset TEXT NOT NULL,
                        normalizer_version INTEGER NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    CREATE UNIQUE INDEX version_content ON version(content_sha256);
                    CREATE INDEX version_article ON version(article_id);
                    """)
            // One file that arrived. `state` is `committed` while the file still sits in the Inbox
            // (or, for `ingest`, while its copy into the Archive is pending) and `archived` after.
            try db.execute(
                sql: """
                    CREATE TABLE receipt (
                        id INTEGER PRIMARY KEY,
                        origin TEXT NOT NULL CHECK (origin IN ('inbox', 'ingest')),
                        file_name TEXT NOT NULL,
                        source_path TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        mtime_ns INTEGER NOT NULL,
                        inode INTEGER NOT NULL,
                        device INTEGER NOT NULL,
                        arrived_at TEXT NOT NULL,
                        raw_sha256 TEXT NOT NULL,
                        format TEXT,
                        charset TEXT,
                        decision TEXT NOT NULL
                            CHECK (decision IN ('new-article', 'new-version', 'duplicate', 'rejected')),
                        reason TEXT,
                        article_id INTEGER REFERENCES article(id),
                        version_id INTEGER REFERENCES version(id),
                        similarity REAL,
                        archive_path TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('committed', 'archived'))
                    );
                    CREATE INDEX receipt_raw ON receipt(raw_sha256);
                    CREATE INDEX receipt_pending ON receipt(state) WHERE state = 'committed';
                    CREATE INDEX receipt_version ON receipt(version_id);
                    """)
            // The append-only ingestion log.
            try db.execute(
                sql: """
                    CREATE TABLE event (
                        id INTEGER PRIMARY KEY,
                        time TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        receipt_id INTEGER REFERENCES receipt(id),
                        file TEXT,
                        article_id INTEGER,
                        version_id INTEGER,
                        similarity REAL,
                        message TEXT
                    );
                    CREATE INDEX event_kind ON event(kind, id);
                    """)
        }
        migrator.registerMigration("v2-fingerprints") { db in
            // The locality-sensitive index: one row per (key, version), keys from `Fingerprint` (32
            // MinHash bands and 32 containment keys per version). WITHOUT ROWID keeps a row at about
            // 19 bytes and makes "the versions filed under key k, newest first" one B-tree range.
            try db.execute(
                sql: """
                    CREATE TABLE lsh (
                        key INTEGER NOT NULL,
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        PRIMARY KEY (key, version_id)
                    ) WITHOUT ROWID;
                    """)
            // Which versions are indexed, under which fingerprint scheme, and how many shingles
            // their text has: enough to rebuild the index after a scheme change.
            try db.execute(
                sql: """
                    CREATE TABLE fingerprint (
                        version_id INTEGER PRIMARY KEY REFERENCES version(id),
                        scheme INTEGER NOT NULL,
                        shingles INTEGER NOT NULL
                    );
                    """)
            // `show FILE` and `log --file` look receipts up by name.
            try db.execute(sql: "CREATE INDEX receipt_file ON receipt(file_name)")
            try indexUnindexedVersions(in: db)
        }
        migrator.registerMigration("v3-search") { db in
            // Full-text search over the latest version of each article (rowid = article id), kept
            // current by a trigger on article.latest_version_id, whoever moves it.
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE article_search USING fts5(
                        title, body, tokenize = 'unicode61 remove_diacritics 2'
                    );
                    CREATE TRIGGER article_search_latest AFTER UPDATE OF latest_version_id ON article
                    WHEN new.latest_version_id IS NOT NULL BEGIN
                        DELETE FROM article_search WHERE rowid = new.id;
                        INSERT INTO article_search (rowid, title, body)
                            SELECT new.id, coalesce(title, ''), body FROM version WHERE id = new.latest_version_id;
                    END;
                    INSERT INTO article_search (rowid, title, body)
                        SELECT article.id, coalesce(version.title, ''), version.body
                        FROM article JOIN version ON version.id = article.latest_version_id;
                    """)
            // `log --since` and the ingest rate of `status` read by time.
            try db.execute(
                sql: """
                    CREATE INDEX event_time ON event(time);
                    CREATE INDEX receipt_arrived ON receipt(arrived_at);
                    """)
        }
        migrator.registerMigration("v4-reprocess") { db in
            // What `copydesk reprocess` last made of each archived original (by its raw hash): the
            // normalizer version that read it, the outcome, and the version that holds its text now.
            // A receipt keeps the version it was decided against; this table says where its text
            // went after an upgrade. Outcomes: `unchanged`, `metadata` (same text, better title,
            // byline, ...), `new-version` (the text changed: `version_id` is a new version of the
            // same article whose parent is `previous_version_id`), `known-text` (it now reads as a
            // text the catalog already held), `now-rejected` (the current normalizer rejects it; the
            // old version stays).
            try db.execute(
                sql: """
                    CREATE TABLE renormalization (
                        raw_sha256 TEXT PRIMARY KEY,
                        normalizer_version INTEGER NOT NULL,
                        outcome TEXT NOT NULL,
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        previous_version_id INTEGER REFERENCES version(id),
                        at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX renormalization_version ON renormalization(version_id);
                    """)
        }
        migrator.registerMigration("v5-search-external-content") { db in
            // The search index reads titles and bodies from the versions they belong to (an
            // external-content FTS5 table over a view of each article's latest version) instead of
            // keeping its own copy of every body: a third of the catalog's size, and as much less
            // written per article. An external-content index must be told exactly what it indexed
            // when an entry goes, so the trigger deletes with the old version's values; whoever
            // changes an indexed version in place deletes its entry first (see `reprocess`).
            try db.execute(
                sql: """
                    DROP TRIGGER article_search_latest;
                    DROP TABLE article_search;
                    CREATE VIEW article_search_source AS
                        SELECT article.id AS id, coalesce(version.title, '') AS title, version.body AS body
                        FROM article JOIN version ON version.id = article.latest_version_id;
                    CREATE VIRTUAL TABLE article_search USING fts5(
                        title, body, content = 'article_search_source', content_rowid = 'id',
                        tokenize = 'unicode61 remove_diacritics 2'
                    );
                    CREATE TRIGGER article_search_latest AFTER UPDATE OF latest_version_id ON article
                    WHEN new.latest_version_id IS NOT NULL BEGIN
                        INSERT INTO article_search (article_search, rowid, title, body)
                            SELECT 'delete', old.id, coalesce(title, ''), body FROM version
                            WHERE id = old.latest_version_id;
                        INSERT INTO article_search (rowid, title, body)
                            SELECT new.id, coalesce(title, ''), body FROM version WHERE id = new.latest_version_id;
                    END;
                    INSERT INTO article_search (article_search) VALUES ('rebuild');
                    """)
        }
        migrator.registerMigration("v6-current-version") { db in
            // An article's current version (``CurrentVersion``: the newest full text of its own
            // line) next to its latest arrival. Search indexes the current version: a teaser or a
            // syndicated copy that arrives after the full text no longer hides the article's words.
            // No rebuild of the search index (30 minutes on a million articles): it indexes each
            // article's latest version, which is the current one of every article with one version.
            // The view it reads from and its trigger move to the current version first; the trigger
            // then re-indexes just the articles whose current version is not their latest.
            try db.execute(
                sql: """
                    ALTER TABLE article ADD COLUMN current_version_id INTEGER REFERENCES version(id);
                    UPDATE article SET current_version_id = latest_version_id;
                    DROP TRIGGER article_search_latest;
                    DROP VIEW article_search_source;
                    CREATE VIEW article_search_source AS
                        SELECT article.id AS id, coalesce(version.title, '') AS title, version.body AS body
                        FROM article JOIN version ON version.id = article.current_version_id;
                    CREATE TRIGGER article_search_current AFTER UPDATE OF current_version_id ON article
                    WHEN new.current_version_id IS NOT NULL BEGIN
                        INSERT INTO article_search (article_search, rowid, title, body)
                            SELECT 'delete', old.id, coalesce(title, ''), body FROM version
                            WHERE id = old.current_version_id;
                        INSERT INTO article_search (rowid, title, body)
                            SELECT new.id, coalesce(title, ''), body FROM version WHERE id = new.current_version_id;
                    END;
                    """)
            let several = try Int64.fetchAll(
                db, sql: "SELECT article_id FROM version GROUP BY article_id HAVING count(*) > 1 ORDER BY article_id")
            for article in several {
                try updateCurrentVersion(of: article, declared: false, in: db)
            }
            // Log lines of articles without a title showed an empty message: their first words,
            // marked as derived, as new decisions now record them.
            let untitled = try Row.fetchAll(
                db,
                sql: """
                    SELECT event.id, version.body FROM event JOIN version ON version.id = event.version_id
                    WHERE event.kind = 'new-article' AND coalesce(event.message, '') = ''
                    """)
            for row in untitled {
                let body: String = row["body"]
                let paragraphs = body.split(separator: "\n\n", omittingEmptySubsequences: true).map(String.init)
                try db.execute(
                    sql: "UPDATE event SET message = ? WHERE id = ?",
                    arguments: [DisplayTitle.shown(title: nil, paragraphs: paragraphs), row["id"] as Int64])
            }
        }
        migrator.registerMigration("v7-nodes") { db in
            // The daemons that watch an Inbox into this catalog (`status` lists them), and which of
            // them recorded each receipt (a node recovers its own after a crash, not another's).
            try db.execute(sql: "ALTER TABLE receipt ADD COLUMN node TEXT")
            try db.execute(
                sql: """
                    CREATE TABLE node (
                        name TEXT PRIMARY KEY,
                        host TEXT NOT NULL,
                        pid INTEGER NOT NULL,
                        inbox TEXT NOT NULL,
                        started_at TEXT NOT NULL,
                        last_seen TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v8-wire") { db in
            // What agency items declare (id, version, status, signals, embargo, ...), one row per
            // item received, beside the version that holds its text; what decided each decision
            // (`declared` or `content`); and articles an agency withdrew.
            //
            //
            // A file may hold several items (a G2 newsMessage, a ninjs array, several 7901 messages):
            // its receipt records the file once, with decision `items` and their number, and each
            // item's decision is a `receipt_item` row pointing back to it (events name the item).
            //
            // Declared versions have relations of their own (`update`, `correction`, `writethrough`)
            // and receipts a decision of their own: the CHECKs on `version.relation` and
            // `receipt.decision` are widened in place, as SQLite documents for loosening a
            // constraint (the stored rows do not change, so a million-version catalog is not copied).
            let schemaVersion = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
            try db.execute(sql: "PRAGMA writable_schema = ON")
            for (table, from, to) in [
                (
                    "version", "relation IN ('revision', 'syndication', 'excerpt')",
                    "relation IN ('revision', 'syndication', 'excerpt', 'update', 'correction', 'writethrough')"
                ),
                (
                    "receipt", "decision IN ('new-article', 'new-version', 'duplicate', 'rejected')",
                    "decision IN ('new-article', 'new-version', 'duplicate', 'rejected', 'items')"
                ),
            ] {
                try db.execute(
                    sql: "UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
                    arguments: [from, to, table])
            }
            try db.execute(sql: "PRAGMA schema_version = \(schemaVersion + 1)")
            try db.execute(sql: "PRAGMA writable_schema = OFF")
            try db.execute(
                sql: """
                    CREATE TABLE wire_item (
                        id INTEGER PRIMARY KEY,
                        article_id INTEGER NOT NULL REFERENCES article(id),
                        version_id INTEGER NOT NULL REFERENCES version(id),
                        receipt_id INTEGER REFERENCES receipt(id),
                        declared_key TEXT,
                        item_id TEXT,
                        declared_version TEXT,
                        story_key TEXT,
                        status TEXT NOT NULL,
                        signals TEXT,
                        urgency INTEGER,
                        embargo TEXT,
                        dateline TEXT,
                        provider TEXT,
                        links TEXT,
                        basis TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX wire_item_key ON wire_item (declared_key, id) WHERE declared_key IS NOT NULL;
                    CREATE INDEX wire_item_article ON wire_item (article_id, id);
                    CREATE INDEX wire_item_version ON wire_item (version_id);
                    ALTER TABLE article ADD COLUMN killed_at TEXT;
                    ALTER TABLE receipt ADD COLUMN basis TEXT;
                    ALTER TABLE event ADD COLUMN basis TEXT;
                    ALTER TABLE receipt ADD COLUMN items INTEGER;
                    ALTER TABLE event ADD COLUMN item INTEGER;
                    CREATE TABLE receipt_item (
                        receipt_id INTEGER NOT NULL REFERENCES receipt(id),
                        item INTEGER NOT NULL,
                        format TEXT,
                        charset TEXT,
                        decision TEXT NOT NULL
                            CHECK (decision IN ('new-article', 'new-version', 'duplicate', 'rejected')),
                        reason TEXT,
                        article_id INTEGER REFERENCES article(id),
                        version_id INTEGER REFERENCES version(id),
                        similarity REAL,
                        basis TEXT,
                        PRIMARY KEY (receipt_id, item)
                    ) WITHOUT ROWID;
                    CREATE INDEX receipt_item_article ON receipt_item (article_id);
                    CREATE INDEX receipt_item_version ON receipt_item (version_id);
                    """)
        }
        migrator.registerMigration("v9-stories") { db in
            // Stories: the coverage of one event. Every article belongs to one (`article.story_id`);
            // a story merged into another keeps its row and resolves through `merged_into`. Story
            // assignment finds candidate stories through `story_term` (the terms each story is
            // filed under) and weighs terms by `term_count` (how many articles carry each); its
            // summary for comparison is an opaque blob of the assigner's. Articles recorded before
            // this migration have no story. (`merged_into` has no foreign key: a copy of the catalog
            // in id order meets stories merged into later ones.)
            try db.execute(
                sql: """
                    CREATE TABLE story (
                        id INTEGER PRIMARY KEY,
                        merged_into INTEGER,
                        articles INTEGER NOT NULL,
                        first_seen TEXT NOT NULL,
                        last_seen TEXT NOT NULL,
                        summary BLOB NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX story_activity ON story (last_seen) WHERE merged_into IS NULL;
                    CREATE TABLE story_term (
                        term INTEGER NOT NULL,
                        story_id INTEGER NOT NULL REFERENCES story(id),
                        PRIMARY KEY (term, story_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX story_term_story ON story_term (story_id);
                    CREATE TABLE term_count (
                        term INTEGER PRIMARY KEY,
                        articles INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    ALTER TABLE article ADD COLUMN story_id INTEGER REFERENCES story(id);
                    CREATE INDEX article_story ON article (story_id);
                    ALTER TABLE event ADD COLUMN story INTEGER;
                    """)
        }
        migrator.registerMigration("v10-regroup") { db in
            // `copydesk regroup`: how far the last regroup got (one row), written in the transaction
            // of each batch it re-assigns, so that a regroup interrupted continues where it stopped.
            // It re-assigns the articles up to `until_article` (the newest when it started), in id
            // order; `done_through` is the last one done. New stories get ids above `story_floor`
            // (the largest id before the regroup cleared the stories: SQLite would give a cleared
            // table's ids again, and an old id must stay unknown, never name another story).
            try db.execute(
                sql: """
                    CREATE TABLE regroup (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        until_article INTEGER NOT NULL,
                        done_through INTEGER NOT NULL,
                        total INTEGER NOT NULL,
                        done INTEGER NOT NULL,
                        merges INTEGER NOT NULL,
                        window_seconds INTEGER NOT NULL,
                        story_floor INTEGER NOT NULL,
                        seconds REAL NOT NULL,
                        started_at TEXT NOT NULL,
                        finished_at TEXT
                    );
                    """)
        }
        migrator.registerMigration("v11-story-indexes") { db in
            // A merge re-points every story merged into the one it folds (`merged_into = ?`): without
            // an index that is a scan of every story. And the candidate lookup joins each posting to
            // its story only to ask whether it is live and active: `story_live` answers that from a
            // narrow index, without reading the story's row (which carries its summary).
            try db.execute(
                sql: """
                    CREATE INDEX story_merged ON story (merged_into) WHERE merged_into IS NOT NULL;
                    CREATE INDEX story_live ON story (id, last_seen) WHERE merged_into IS NULL;
                    """)
        }
        migrator.registerMigration("v12-term-sketch") { db in
            // Term rarity for story assignment from a fixed-size sketch (`TermSketch`) instead of a
            // `term_count` row a term: the writer holds it in memory, adds a `term_pending` row an
            // article, and writes it whole every few thousand articles (`SQLiteTermCounts`). The
            // counts so far are folded into it, exactly as if counted one article at a time. Pending
            // ids never repeat (AUTOINCREMENT): another writer replays those after the last it saw.
            try db.execute(
                sql: """
                    CREATE TABLE term_sketch (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        generation INTEGER NOT NULL,
                        counts BLOB NOT NULL
                    );
                    CREATE TABLE term_pending (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        terms BLOB NOT NULL
                    );
                    """)
            var sketch = TermSketch()
            var counted = false
            let rows = try Row.fetchCursor(db, sql: "SELECT term, articles FROM term_count")
            while let row = try rows.next() {
                let term: Int64 = row[0]
                let articles: Int = row[1]
                counted = true
                // Term 0 counted the articles.
                if term == 0 {
                    sketch.add(articles, toBucket: TermSketch.articlesBucket)
                } else {
                    for bucket in TermSketch.buckets(of: term) { sketch.add(articles, toBucket: bucket) }
                }
            }
            if counted {
                try db.execute(
                    sql: "INSERT INTO term_sketch (id, generation, counts) VALUES (1, 1, ?)",
                    arguments: [Data(sketch.encoded())])
            }
            try db.execute(sql: "DROP TABLE term_count")
        }
        migrator.registerMigration("v13-story-terms") { db in
            // A story's terms kept with it (`terms`: 8-byte keys), and `story_term` written only
            // for the stories the writer's index no longer holds (`settled`): the index answers for
            // the active ones, and a posting row an article was most of a decision's story writes.
            // Stories recorded before have their postings in `story_term` (`terms` NULL, settled).
            try db.execute(
                sql: """
                    ALTER TABLE story ADD COLUMN terms BLOB;
                    ALTER TABLE story ADD COLUMN settled INTEGER NOT NULL DEFAULT 1;
                    CREATE INDEX story_unsettled ON story (last_seen) WHERE settled = 0 AND merged_into IS NULL;
                    """)
        }
        migrator.registerMigration("v14-story-fewer-indexes") { db in
            // Each article's story update moves its `last_seen`, and with it an entry of every index
            // that holds it: that was about half of the update's time at a million articles. The
            // writer's index now answers the candidate join `story_live` served (the tables are
            // asked only for backfills, which read the story rows), and the stories to settle are
            // found by their id (a small index of the stories the writer holds).
            try db.execute(
                sql: """
                    DROP INDEX story_live;
                    DROP INDEX story_unsettled;
                    CREATE INDEX story_unsettled ON story (id) WHERE settled = 0 AND merged_into IS NULL;
                    """)
        }
        return migrator
    }
}
