"""Reads for work logs, scoped to the actor's partnership: another partnership's record is a 404."""
