"""Pure rules of Cwtch: no Discord, no database, no clock (``now`` is always passed in)."""
