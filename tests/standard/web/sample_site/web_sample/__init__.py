"""A small app the HTTP tests serve: owner/team RLS, a submittable DocType with children, RPC."""
