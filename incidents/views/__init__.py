"""Pages of the incidents app, by topic: reports, the review queue, case files, check-in."""
