"""Falcon resources: parse input, check the principal, call one service, render the result."""
