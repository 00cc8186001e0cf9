"""Reads for attendance, scoped to the actor's partnership: another partnership's record is a 404."""
