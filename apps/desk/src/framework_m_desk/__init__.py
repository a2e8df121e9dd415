"""Framework M."""
