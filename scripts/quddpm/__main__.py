"""`python3 -m quddpm` (with PYTHONPATH=scripts): what the package holds and how to run a tool."""
import quddpm

print(quddpm.__doc__.strip())
