"""The default startup sequence of Framework M standard (advertised as framework_m.bootstrap entry points)."""
