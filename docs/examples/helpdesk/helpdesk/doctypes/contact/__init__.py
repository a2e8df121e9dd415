"""Contact: a person at a customer who raises tickets."""
