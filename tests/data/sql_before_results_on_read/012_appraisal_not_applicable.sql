-- The council may overturn a commune's "không áp dụng": giving such a leaf a score (round 1 or
-- round 2, with a reason) brings it back into the unit's maximum (score.not_applicable becomes
-- FALSE in the same transaction, so the index views count it). The commune's own choice is kept
-- here, so that the council's screens, the commune's detail and a later "không áp dụng" again
-- still know it. Round 2 may also confirm "không áp dụng" without a score (with a reason).
ALTER TABLE appraisal_leaf ADD COLUMN self_not_applicable BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE appraisal_leaf ADD COLUMN r2_not_applicable BOOLEAN NOT NULL DEFAULT FALSE;
