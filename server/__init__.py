"""COMANDIA server: the appliance process (Falcon on Waitress, workers)."""
