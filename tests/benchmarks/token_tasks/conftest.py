# The task repositories under */repo are data for test_token_economy.py (their own tests run
# inside a run's sandbox), never part of this project's test collection.
collect_ignore_glob = ["*/repo"]
