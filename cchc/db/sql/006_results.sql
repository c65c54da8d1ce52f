-- The index (its views are in views/): the council's score per leaf and the class bands.

-- The council's score per leaf (filled by the appraisal); NULL until a leaf is appraised.
ALTER TABLE score ADD COLUMN appraised_points DECIMAL(7, 2);

-- Class bands per period: Tốt ≥ band_good, Khá ≥ band_fair, Trung bình ≥ band_average, else Yếu.
ALTER TABLE period ADD COLUMN band_good DECIMAL(5, 2) DEFAULT 80;
ALTER TABLE period ADD COLUMN band_fair DECIMAL(5, 2) DEFAULT 70;
ALTER TABLE period ADD COLUMN band_average DECIMAL(5, 2) DEFAULT 60;

-- Who last changed a score that a move to another set version archived (005 kept only the values).
ALTER TABLE score_archive ADD COLUMN updated_at TIMESTAMP;
ALTER TABLE score_archive ADD COLUMN updated_by VARCHAR;
