"""Tests of the reprobook.sharpe chapter (a package, so test file names may repeat across chapters)."""
