-- Make a plain role (no superuser, no CREATEROLE) the owner of this database and of its objects,
-- so that the bot can connect as it and restore Aphrodite's own backups in place (README: What a
-- restore may do). Docker's POSTGRES_USER is a superuser that owns everything Aphrodite created;
-- a superuser connection replays only backups this bot sealed.
--
-- Run it in the database, as a superuser, with psql (it uses psql variables and \if):
--   docker compose exec -T postgres psql -U aphrodite -d aphrodite -v ON_ERROR_STOP=1 \
--     -v owner=aphrodite_owner < scripts/plain-owner.sql
--   docker compose exec postgres psql -U aphrodite -c '\password aphrodite_owner'
-- (the password never goes on a command line). Then DATABASE_URL uses that role.
--
-- It creates the role when it is missing (LOGIN, nothing more) and refuses a role that is a superuser
-- or has CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS or a pg_*_server_* role's rights. It gives
-- the role the database, the schemas, tables, views, materialized views, sequences, foreign tables, routines, aggregates,
-- types, domains, collations, text search configurations and dictionaries, conversions,
-- statistics objects, publications and large objects that a superuser owns, leaving alone the
-- objects of extensions and of other roles. Running it again is harmless: do so after an Aphrodite
-- upgrade if Aphrodite still connects as the superuser, since what it creates then is the
-- superuser's again (a restore names the object it could not drop).

\if :{?owner}
\else
  DO $$ BEGIN RAISE EXCEPTION 'set the role that should own the database: psql -v owner=aphrodite_owner ...'; END $$;
\endif

BEGIN;  -- all or nothing: a failure leaves even the role uncreated
SELECT NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'owner') AS owner_missing \gset
\if :owner_missing
  CREATE ROLE :"owner" LOGIN;
\endif
SELECT pg_catalog.set_config('plain_owner.role', :'owner', false);

DO $script$
DECLARE
    owner_name name := pg_catalog.current_setting('plain_owner.role');
    owner_role pg_catalog.pg_roles;
    item record;
BEGIN
    SELECT * INTO owner_role FROM pg_catalog.pg_roles WHERE rolname = owner_name;
    IF owner_role.rolsuper OR owner_role.rolcreaterole OR owner_role.rolcreatedb
       OR owner_role.rolreplication OR owner_role.rolbypassrls
       OR pg_catalog.pg_has_role(owner_role.oid, 'pg_execute_server_program', 'MEMBER')
       OR pg_catalog.pg_has_role(owner_role.oid, 'pg_read_server_files', 'MEMBER')
       OR pg_catalog.pg_has_role(owner_role.oid, 'pg_write_server_files', 'MEMBER') THEN
        RAISE EXCEPTION 'role % has rights beyond a database owner (superuser, CREATEROLE, CREATEDB, '
            'REPLICATION, BYPASSRLS or a pg_*_server_* role): choose another name, nothing was changed',
            owner_name;
    END IF;

    EXECUTE pg_catalog.format('ALTER DATABASE %I OWNER TO %I', pg_catalog.current_database(), owner_name);

    FOR item IN
        -- Objects a superuser owns, outside the system schemas, that no extension made.
        WITH superusers AS (SELECT oid FROM pg_catalog.pg_roles WHERE rolsuper),
        user_schemas AS (
            SELECT oid, nspname, nspowner FROM pg_catalog.pg_namespace
            WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
        ),
        extension_members AS (
            SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'
        )
        SELECT pg_catalog.format('ALTER SCHEMA %I OWNER TO %I', n.nspname, owner_name) AS command
        FROM user_schemas n
        WHERE n.nspowner IN (SELECT oid FROM superusers)
          AND ('pg_catalog.pg_namespace'::pg_catalog.regclass, n.oid) NOT IN (SELECT * FROM extension_members)
        UNION ALL
        SELECT pg_catalog.format(
            'ALTER %s %I.%I OWNER TO %I',
            CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                           WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
            n.nspname, c.relname, owner_name)
        FROM pg_catalog.pg_class c JOIN user_schemas n ON n.oid = c.relnamespace
        WHERE c.relowner IN (SELECT oid FROM superusers) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND ('pg_catalog.pg_class'::pg_catalog.regclass, c.oid) NOT IN (SELECT * FROM extension_members)
          -- a serial's or identity's sequence goes with its table
          AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                            AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.deptype IN ('a', 'i') AND c.relkind = 'S')
        UNION ALL
        SELECT pg_catalog.format(
            'ALTER %s %I.%I(%s) OWNER TO %I',
            CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END,
            n.nspname, p.proname,
            CASE WHEN p.prokind = 'a' AND p.pronargs = 0 THEN '*'
                 ELSE pg_catalog.pg_get_function_identity_arguments(p.oid) END,
            owner_name)
        FROM pg_catalog.pg_proc p JOIN user_schemas n ON n.oid = p.pronamespace
        WHERE p.proowner IN (SELECT oid FROM superusers)
          AND ('pg_catalog.pg_proc'::pg_catalog.regclass, p.oid) NOT IN (SELECT * FROM extension_members)
        UNION ALL
        -- enums, ranges and their multiranges (PostgreSQL 15 does not move one with the other),
        -- standalone composite types and domains (arrays and the row types of tables go with them)
        SELECT pg_catalog.format(
            'ALTER %s %I.%I OWNER TO %I',
            CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname, owner_name)
        FROM pg_catalog.pg_type t JOIN user_schemas n ON n.oid = t.typnamespace
        WHERE t.typowner IN (SELECT oid FROM superusers) AND t.typtype IN ('e', 'r', 'm', 'c', 'd')
          AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c')
          AND ('pg_catalog.pg_type'::pg_catalog.regclass, t.oid) NOT IN (SELECT * FROM extension_members)
        UNION ALL
        SELECT pg_catalog.format('ALTER COLLATION %I.%I OWNER TO %I', n.nspname, o.collname, owner_name)
        FROM pg_catalog.pg_collation o JOIN user_schemas n ON n.oid = o.collnamespace
        WHERE o.collowner IN (SELECT oid FROM superusers)
          AND ('pg_catalog.pg_collation'::pg_catalog.regclass, o.oid) NOT IN (SELECT * FROM extension_members)
        UNION ALL
        SELECT pg_catalog.format('ALTER TEXT SEARCH CONFIGURATION %I.%I OWNER TO %I', n.nspname, o.cfgname, owner_name)
        FROM pg_catalog.pg_ts_config o JOIN user_schemas n ON n.oid = o.cfgnamespace
        WHERE o.cfgowner IN (SELECT oid FROM superusers)
          AND ('pg_catalog.pg_ts_config'::pg_catalog.regclass, o.oid) NOT IN (SELECT * FROM extension_members)
        UNION ALL
        SELECT pg_catalog.format('ALTER TEXT SEARCH DICTIONARY %I.%I OWNER TO %I', n.nspname, o.dictname, owner_name)
        FROM pg_catalog.pg_ts_dict o JOIN user_schemas n ON n.oid = o.dictnamespace
        WHERE o.dictowner IN (SELECT oid FROM superusers)
          AND ('pg_catalog.pg_ts_dict'::pg_catalog.regclass, o.oid) NOT IN (SELECT * FROM extension_members)
        UNION ALL
        SELECT pg_catalog.format('ALTER CONVERSION %I.%I OWNER TO %I', n.nspname, o.conname, owner_name)
        FROM pg_catalog.pg_conversion o JOIN user_schemas n ON n.oid = o.connamespace
        WHERE o.conowner IN (SELECT oid FROM superusers)
          AND ('pg_catalog.pg_conversion'::pg_catalog.regclass, o.oid) NOT IN (SELECT * FROM extension_members)
        UNION ALL
        SELECT pg_catalog.format('ALTER STATISTICS %I.%I OWNER TO %I', n.nspname, o.stxname, owner_name)
        FROM pg_catalog.pg_statistic_ext o JOIN user_schemas n ON n.oid = o.stxnamespace
        WHERE o.stxowner IN (SELECT oid FROM superusers)
        UNION ALL
        SELECT pg_catalog.format('ALTER PUBLICATION %I OWNER TO %I', o.pubname, owner_name)
        FROM pg_catalog.pg_publication o
        WHERE o.pubowner IN (SELECT oid FROM superusers)
        UNION ALL
        SELECT pg_catalog.format('ALTER LARGE OBJECT %s OWNER TO %I', o.oid, owner_name)
        FROM pg_catalog.pg_largeobject_metadata o
        WHERE o.lomowner IN (SELECT oid FROM superusers)
    LOOP
        EXECUTE item.command;
    END LOOP;
END
$script$;
COMMIT;

\echo 'done: the database and its objects belong to' :"owner" '- set its password with \\password, then use it in DATABASE_URL'
