-- The explanation round's deadline (giải trình), set per period.
ALTER TABLE period ADD COLUMN explanation_deadline DATE;
