"""Operating the platform: backups and restores of its database."""
