"""``m`` commands contributed by the standard package (entry-point group ``framework_m.cli_commands``)."""
