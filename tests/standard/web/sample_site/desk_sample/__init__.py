"""A second app for the Desk's metadata and search tests: one DocType with every field type."""
