"""The benchmark harness behind ``bash bench/run.sh``: framework vs a hand-written baseline."""
