-- The decision page reads a learner's latest proposal; without this index it scans them all.
CREATE INDEX proposals_learner ON proposals (learner_id, id);
