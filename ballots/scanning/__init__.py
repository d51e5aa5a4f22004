"""Reading scanned ballot papers: the machine-readable paper's layout, and pure functions that
take the bytes of a scan and return readings (what is certain, what is held and why).

Nothing here touches the database: `ballots.scanning.services` saves what was read.
"""
