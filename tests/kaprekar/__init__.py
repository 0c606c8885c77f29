"""Tests of the reprobook.kaprekar chapter (a package, so test file names may repeat across chapters)."""
