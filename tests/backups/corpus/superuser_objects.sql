-- Objects only a superuser creates, added to objects.sql's database for a superuser's restore.

-- An event trigger guarding DDL: any DROP TABLE is refused while it exists.
CREATE FUNCTION public.refuse_table_drops() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'tables are protected by an event trigger';
END
$$;
CREATE EVENT TRIGGER protect_tables ON ddl_command_start WHEN TAG IN ('DROP TABLE')
    EXECUTE FUNCTION public.refuse_table_drops();

-- Ordered-set and hypothetical-set aggregates with an internal state, as the built-in ones.
CREATE AGGREGATE public.percentile_copy(float8 ORDER BY anyelement) (
    SFUNC = ordered_set_transition_multi, STYPE = internal,
    FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA
);
CREATE AGGREGATE public.rank_copy(VARIADIC "any" ORDER BY VARIADIC "any") (
    SFUNC = ordered_set_transition_multi, STYPE = internal,
    FINALFUNC = rank_final, FINALFUNC_EXTRA, HYPOTHETICAL
);
