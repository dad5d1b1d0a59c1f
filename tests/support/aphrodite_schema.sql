-- A realistic slice of Aphrodite v2's schema (PostgreSQL 15), for tests and benchmarks.
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO alembic_version VALUES ('a1b2c3d4e5f6');

CREATE TABLE system_config (
    id serial PRIMARY KEY,
    key varchar(255) NOT NULL UNIQUE,
    value text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE badge_configs (
    id serial PRIMARY KEY,
    badge_type varchar(50) NOT NULL,
    name varchar(255) NOT NULL,
    config jsonb NOT NULL DEFAULT '{}',
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE media_items (
    id serial PRIMARY KEY,
    jellyfin_id varchar(64) NOT NULL UNIQUE,
    title varchar(500) NOT NULL,
    media_type varchar(20) NOT NULL,
    year integer,
    imdb_id varchar(20),
    tmdb_id integer,
    poster_path text,
    badges_applied boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_media_items_title ON media_items (title);
CREATE INDEX ix_media_items_imdb_id ON media_items (imdb_id);

CREATE TABLE processing_jobs (
    id serial PRIMARY KEY,
    media_item_id integer REFERENCES media_items(id) ON DELETE CASCADE,
    status varchar(20) NOT NULL,
    error text,
    started_at timestamptz,
    finished_at timestamptz
);
CREATE INDEX ix_processing_jobs_status ON processing_jobs (status);

CREATE TABLE schedules (
    id serial PRIMARY KEY,
    name varchar(255) NOT NULL,
    cron_expression varchar(100) NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    badge_types jsonb NOT NULL DEFAULT '[]'
);

CREATE TABLE schedule_executions (
    id serial PRIMARY KEY,
    schedule_id integer NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    status varchar(20) NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    items_processed integer NOT NULL DEFAULT 0
);

CREATE TABLE batch_jobs (
    id varchar(36) PRIMARY KEY,
    name varchar(255),
    status varchar(20) NOT NULL,
    total_posters integer NOT NULL DEFAULT 0,
    completed_posters integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE poster_processing_status (
    id serial PRIMARY KEY,
    batch_id varchar(36) REFERENCES batch_jobs(id) ON DELETE CASCADE,
    poster_id varchar(64) NOT NULL,
    status varchar(20) NOT NULL,
    output_path text
);

CREATE TABLE media_activities (
    id serial PRIMARY KEY,
    media_item_id integer REFERENCES media_items(id) ON DELETE SET NULL,
    activity_type varchar(50) NOT NULL,
    details jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE badge_applications (
    id serial PRIMARY KEY,
    media_item_id integer NOT NULL REFERENCES media_items(id) ON DELETE CASCADE,
    badge_type varchar(50) NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO badge_configs (badge_type, name, config)
SELECT t, initcap(t) || ' badge', jsonb_build_object('position', 'top-left', 'size', 100)
FROM unnest(ARRAY['audio', 'resolution', 'review', 'awards']) AS t;

INSERT INTO media_items (jellyfin_id, title, media_type, year, imdb_id, tmdb_id, poster_path, badges_applied)
SELECT md5(i::text), 'Title number ' || i, CASE WHEN i % 3 = 0 THEN 'series' ELSE 'movie' END,
       1950 + i % 75, 'tt' || lpad(i::text, 7, '0'), i, '/posters/' || i || '.jpg', i % 2 = 0
FROM generate_series(1, 3000) AS i;

INSERT INTO processing_jobs (media_item_id, status, started_at, finished_at)
SELECT i, CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'completed' END, now() - interval '1 day', now()
FROM generate_series(1, 1500) AS i;

INSERT INTO schedules (name, cron_expression) VALUES ('Nightly', '0 3 * * *'), ('Weekly', '0 4 * * 0');
INSERT INTO schedule_executions (schedule_id, status, items_processed)
SELECT 1 + i % 2, 'completed', i FROM generate_series(1, 200) AS i;

INSERT INTO batch_jobs (id, name, status, total_posters, completed_posters)
SELECT md5('batch' || i)::uuid::text, 'Batch ' || i, 'completed', 10, 10 FROM generate_series(1, 50) AS i;
INSERT INTO poster_processing_status (batch_id, poster_id, status)
SELECT md5('batch' || (1 + i % 50))::uuid::text, 'p' || i, 'completed' FROM generate_series(1, 500) AS i;

INSERT INTO media_activities (media_item_id, activity_type, details)
SELECT 1 + i % 3000, 'badge_applied', jsonb_build_object('n', i) FROM generate_series(1, 2000) AS i;
INSERT INTO badge_applications (media_item_id, badge_type)
SELECT 1 + i % 3000, (ARRAY['audio', 'resolution', 'review', 'awards'])[1 + i % 4] FROM generate_series(1, 4000) AS i;

ANALYZE;
