"""Off-site copies of the backups in an S3-compatible store, encrypted client-side with age.

`OffsiteService` (service.py) is what the adapters use: it uploads each new verified backup
(streamed in parts, verified, recorded in the sidecar), lists, fetches and prunes the copies.
"""
