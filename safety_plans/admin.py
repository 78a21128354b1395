"""Safety plans are clinical records written by the person and their team: never edited in the admin site."""
