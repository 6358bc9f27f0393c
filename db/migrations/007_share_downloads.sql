-- Whether a share's visitors may download originals and open images larger
-- than 1920 pixels. Links made before this keep allowing it.
ALTER TABLE shares ADD COLUMN downloads INTEGER NOT NULL DEFAULT 1;
