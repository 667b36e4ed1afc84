"""Statute history: the legalize-kr repository (`git`, `repo`), article versions and their
comparison (`versions`, `table`), stale-citation checks (`amendments`) and the sync job (`sync`)."""
