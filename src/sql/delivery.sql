-- 0.4: the invoicing period (BG-14) and the delivery (BG-13): EN 16931 asks
-- for one of them on an intra-community supply (BR-IC-11, BR-IC-12), and a
-- round trip through UBL or CII keeps them.

ALTER TABLE invoice
	ADD COLUMN period_start date,
	ADD COLUMN period_end date,
	ADD COLUMN delivery_date date,
	ADD COLUMN deliver_to_name text,
	ADD COLUMN deliver_to_country text;
COMMENT ON COLUMN invoice.period_start IS 'BT-73 invoicing period start date';
COMMENT ON COLUMN invoice.period_end IS 'BT-74 invoicing period end date (BR-29: not before the start)';
COMMENT ON COLUMN invoice.delivery_date IS 'BT-72 actual delivery date';
COMMENT ON COLUMN invoice.deliver_to_name IS 'BT-70 deliver to party name';
COMMENT ON COLUMN invoice.deliver_to_country IS 'BT-80 deliver to country code (ISO 3166-1 alpha-2)';
