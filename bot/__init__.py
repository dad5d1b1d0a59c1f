"""aphrodite-ops: the Discord-free core of the Aphrodite maintenance bot."""
