//! What an allocation means for people: every assignment with its rank, every unplaced learner
//! with a reason, and counts per group.

// (filled in below)
