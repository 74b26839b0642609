-- Addresses are matched on a normalised form of their line (domain.AddressKey: case,
-- spacing, punctuation and common abbreviations aside), so "1 Test St" finds "1 Test
-- Street" (R1, R4). The key is computed in Go: rows from before this migration are filled
-- when the store opens (fillAddressKeys), and new rows get theirs on insert. Not unique:
-- a database may already hold two spellings of one address.

ALTER TABLE addresses ADD COLUMN line_key TEXT NOT NULL DEFAULT '';
CREATE INDEX addresses_line_key ON addresses (line_key, postcode);

-- Residents at an address, for refusing the same person twice at it (R1).
CREATE INDEX residents_address ON residents (address_id);
