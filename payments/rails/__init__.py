"""Payout rails behind one interface (base.py): Stripe Connect transfers, the bank transfer file, vouchers."""
