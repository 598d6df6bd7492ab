"""Analyzer service: copy detection, merge candidates, issuance quota (built in the following issues)."""
