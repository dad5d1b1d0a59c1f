"""Shared test infrastructure: the throwaway PostgreSQL cluster and Aphrodite's schema."""
