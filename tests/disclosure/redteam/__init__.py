"""The red team: attacks an analyst could run against published answers, measured, not assumed.

``registry`` builds a node store from a synthetic export; ``oracle`` knows the truth (exact counts,
who is in each cell); ``policies`` answer queries as a node would under a given policy;
``attacker`` counts queries, refusals and utility; ``attacks`` holds the attacks. The tests in
``tests/disclosure/test_redteam.py`` run them in CI with a small query budget, and
``bench/bench_privacy.py`` runs the full budget (see ``docs/privacy.md``).
"""
