"""Many sequences: making and changing them, joining them, reordering steps, subject tests, stats."""
