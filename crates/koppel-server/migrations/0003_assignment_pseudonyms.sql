-- Analysts read assignments by a per-allocation pseudonym, with the score as employer desks
-- see it (support counted as met, no priority bonus), never the learner id or a value derived
-- from support needs or register status. The learner id, full score and rank stay for the
-- learner's advisor (GET /v1/learners/{id}/outcome) and for erasure.
-- Rows stored before this migration have no pseudonym and are not listed to analysts.
ALTER TABLE assignments ADD COLUMN pseudonym TEXT;
ALTER TABLE assignments ADD COLUMN public_score INTEGER;
CREATE UNIQUE INDEX assignments_pseudonym ON assignments (allocation_id, pseudonym);
