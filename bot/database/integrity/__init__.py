"""The read-only integrity checks of `/db integrity` and what they found."""
