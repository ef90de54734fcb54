-- Status rules: who moves an invoice where, with what; the history.
SET search_path = bizinvoice, public;
\set SHOW_CONTEXT never
SELECT id AS alice FROM party WHERE name = 'Alice SAS' \gset
SELECT id AS bob FROM party WHERE name = 'Bob SARL' \gset
SELECT id AS town FROM party WHERE name = 'Commune de Sample' \gset
SELECT id AS prefecture FROM party WHERE name = 'Préfecture' \gset

-- the rules are data anyone can read
SELECT channel, count(*) AS statuses, count(*) FILTER (WHERE mandatory) AS mandatory,
	   count(*) FILTER (WHERE final) AS final
FROM status_catalog GROUP BY channel ORDER BY channel;
SELECT * FROM status_catalog WHERE status IN ('deposited', 'refused', 'draft', 'made_available', 'MANDATEE')
ORDER BY channel, ordinal;
SELECT * FROM status_transitions
WHERE (channel, from_status) IN (('B2B', 'in_hand'), ('B2G', 'MANDATEE')) OR from_status IS NULL
ORDER BY channel, from_status, to_status;
-- every status can be reached, and only archiving leaves a final one
SELECT c.channel, c.status FROM status_catalog c
WHERE c.status <> 'draft'
  AND NOT EXISTS (SELECT FROM status_transitions t WHERE t.channel = c.channel AND t.to_status = c.status);
SELECT t.* FROM status_transitions t JOIN status_catalog c
  ON c.channel = t.channel AND c.status = t.from_status
WHERE c.final AND t.to_status <> 'archived';

-- a B2B invoice through its life
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT create_invoice('{"number": "S-1", "issue_date": "2026-11-02", "due_date": "2026-12-02", "buyer": 2,
	"lines": [{"item_name": "Audit", "quantity": 1, "net_price": 1000, "vat_rate": 20}]}') AS inv \gset
SELECT submit(:inv);
-- the supplier cannot approve its own invoice
SELECT set_status(:inv, 'approved');
RESET ROLE;
-- an entry is appended as an INSERT would add it: a constraint on the
-- history holds for it, and an index (an expression and partial one) lists it
ALTER TABLE status_history ADD CONSTRAINT regress_short_reason CHECK (length(reason) < 20) NOT VALID;
CREATE INDEX regress_history_reason ON status_history (lower(reason)) WHERE reason IS NOT NULL;

SET ROLE regress_bob;
SELECT act_as(:bob);
-- the read receipt: opening it moves it to in_hand, once
SELECT (open_invoice(:inv))->>'b2b_status' AS seen_as, b2b_status FROM invoice WHERE id = :inv;
SELECT (open_invoice(:inv))->'lines'->0->>'item_name' AS first_line;
-- forbidden moves name both statuses and what is allowed
SELECT set_status(:inv, 'cashed');
SELECT set_status(:inv, 'draft');
SELECT set_status(:inv, 'nonsense');
SELECT set_status(:inv, 'MANDATEE');
-- an invoice that is not there
SELECT set_status(:inv + 1000000, 'approved');
-- reason and amount where the rule needs them
SELECT set_status(:inv, 'disputed');
\set VERBOSITY terse
SELECT set_status(:inv, 'disputed', reason => 'Hours worked were never agreed');
\set VERBOSITY default
-- (and a deferrable unique constraint, the entry being unique)
RESET ROLE;
ALTER TABLE status_history ADD CONSTRAINT regress_deferred UNIQUE (invoice_id, id) DEFERRABLE;
SET ROLE regress_bob;
SELECT set_status(:inv, 'disputed', reason => 'Hours not agreed');
RESET ROLE;
ALTER TABLE status_history DROP CONSTRAINT regress_deferred;
SET ROLE regress_bob;
SELECT set_status(:inv, 'partially_approved');
SELECT set_status(:inv, 'partially_approved', amount => -5);
SELECT set_status(:inv, 'partially_approved', amount => 800);
SELECT set_status(:inv, 'partially_paid', amount => 300);
SELECT set_status(:inv, 'partially_paid', amount => 500);
SELECT set_status(:inv, 'payment_sent');
RESET ROLE;
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT set_status(:inv, 'cashed');
SELECT set_status(:inv, 'archived');
-- final is final
SELECT set_status(:inv, 'disputed', reason => 'too late');
RESET ROLE;

-- the history: every move, by whom, as what, with reason and amount
SELECT h.from_status, h.to_status, h.changed_by, h.actor, p.name AS party, h.reason, h.amount
FROM status_history h LEFT JOIN party p ON p.id = h.party_id
WHERE invoice_id = :inv ORDER BY h.id;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT to_status FROM status_history WHERE lower(reason) = 'hours not agreed' AND reason IS NOT NULL;
SELECT invoice_id = :inv AS same, to_status FROM status_history WHERE lower(reason) = 'hours not agreed' AND reason IS NOT NULL;
RESET enable_seqscan;
ALTER TABLE status_history DROP CONSTRAINT regress_short_reason;
DROP INDEX regress_history_reason;

-- a plain UPDATE goes through the same rules
UPDATE invoice SET b2b_status = 'draft' WHERE id = :inv;
SELECT act_as(:bob);
UPDATE invoice SET b2b_status = 'approved' WHERE id = :inv;
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT create_invoice('{"number": "S-2", "issue_date": "2026-11-03", "buyer": 2,
	"lines": [{"item_name": "Audit", "quantity": 1, "net_price": 500, "vat_rate": 20}]}') AS inv2 \gset
SELECT submit(:inv2);
RESET ROLE;
SELECT act_as(:bob);
-- a reason cannot be slipped in through the row: it comes with the move
UPDATE invoice SET b2b_status = 'in_hand' WHERE id = :inv2;
UPDATE invoice SET b2b_status = 'refused', status_reason = 'forged' WHERE id = :inv2;
UPDATE invoice SET status_reason = 'forged', status_actor = 'platform' WHERE id = :inv2;
SELECT b2b_status, status_reason, status_actor FROM invoice WHERE id = :inv2;
-- the row's invariants hold for direct writes too
INSERT INTO invoice (supplier_id, buyer_id, channel, delivery, number, issue_date, currency, b2b_status)
VALUES (:alice, :bob, 'B2B', 'platform', 'D-1', '2026-11-02', 'eur', 'draft');
INSERT INTO invoice (supplier_id, buyer_id, channel, delivery, number, issue_date, b2b_status)
VALUES (:alice, :alice, 'B2B', 'platform', 'D-1', '2026-11-02', 'draft');
INSERT INTO invoice (supplier_id, buyer_id, channel, delivery, number, issue_date, b2b_status)
VALUES (:alice, :bob, 'B2B', 'chorus', 'D-1', '2026-11-02', 'draft');
INSERT INTO invoice (supplier_id, buyer_id, channel, delivery, number, issue_date, b2b_status)
VALUES (:alice, :bob, 'B2X', 'platform', 'D-1', '2026-11-02', 'draft');
INSERT INTO invoice (supplier_id, buyer_id, channel, delivery, number, issue_date, b2b_status)
VALUES (:alice, :bob, 'B2B', 'platform', '   ', '2026-11-02', 'draft');
INSERT INTO invoice (supplier_id, buyer_id, channel, delivery, number, issue_date, type_code, b2b_status)
VALUES (:alice, :bob, 'B2B', 'platform', 'D-1', '2026-11-02', 381, 'draft');
INSERT INTO invoice (supplier_id, buyer_id, channel, delivery, number, issue_date, type_code, b2b_status)
VALUES (:alice, :bob, 'B2B', 'platform', 'D-1', '2026-11-02', 385, 'draft');
INSERT INTO invoice (supplier_id, buyer_id, channel, delivery, number, issue_date, b2b_status)
VALUES (:alice, :bob, 'B2B', 'platform', 'D-1', '2026-11-02', 'approved');
UPDATE invoice SET b2g_status = 'DEPOSEE' WHERE id = :inv2;

-- the platform's moves are not for users
SET ROLE regress_bob;
SELECT stage_status_move(NULL, NULL, NULL, 'platform');
SELECT system_move(:inv2, 'platform', 'approved');
SELECT mark_overdue();
RESET ROLE;
SELECT act_as(NULL);

-- the history is append-only
UPDATE status_history SET reason = 'edited' WHERE invoice_id = :inv;
DELETE FROM status_history WHERE invoice_id = :inv;
TRUNCATE status_history;
SELECT count(*) FROM status_history WHERE invoice_id = :inv;

-- overdue: the platform's clock, for unpaid invoices past their due date
SELECT act_as(:bob);
SELECT set_status(:inv2, 'approved');
SELECT act_as(NULL);
SELECT mark_overdue('2026-12-31');	-- S-2 has no due date
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT create_invoice('{"number": "S-3", "issue_date": "2026-11-03", "due_date": "2026-11-30", "buyer": 2,
	"lines": [{"item_name": "Audit", "quantity": 1, "net_price": 500, "vat_rate": 20}]}') AS inv3 \gset
SELECT submit(:inv3);
RESET ROLE;
SELECT act_as(:bob);
SELECT set_status(:inv3, 'approved');
SELECT act_as(NULL);
SELECT mark_overdue('2026-11-30');
SELECT mark_overdue('2026-12-01');
SELECT b2b_status, status_actor FROM invoice WHERE id = :inv3;
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT set_status(:inv3, 'reminded');
RESET ROLE;

-- B2G directly on the platform: the structure's users and accountant
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT create_invoice(format('{"number": "G-1", "issue_date": "2026-11-04", "buyer": %s,
	"lines": [{"item_name": "Road works", "quantity": 1, "net_price": 9000, "vat_rate": 20}]}', :town)::jsonb) AS g1 \gset
SELECT submit(:g1);
UPDATE invoice SET buyer_reference = 'OLD' WHERE id = :g1;
SELECT create_invoice(format('{"number": "G-1", "issue_date": "2026-11-04", "buyer": %s, "buyer_reference": "OLD",
	"lines": [{"item_name": "Road works", "quantity": 1, "net_price": 9000, "vat_rate": 20}]}', :town)::jsonb) AS g1 \gset
SELECT submit(:g1);
SELECT create_invoice(format('{"number": "G-2", "issue_date": "2026-11-04", "buyer": %s, "buyer_reference": "VOIRIE",
	"lines": [{"item_name": "Road works", "quantity": 1, "net_price": 9000, "vat_rate": 20}]}', :town)::jsonb) AS g2 \gset
SELECT submit(:g2);
RESET ROLE;
SET ROLE regress_town_clerk;
SELECT act_as(:town);
SELECT set_status(:g2, 'SERVICE_FAIT');
SELECT set_status(:g2, 'MANDATEE');
SELECT set_status(:g2, 'MISE_EN_PAIEMENT');
RESET ROLE;
SET ROLE regress_town_accountant;
SELECT act_as(:town);
SELECT set_status(:g2, 'MISE_EN_PAIEMENT');
RESET ROLE;
SELECT from_status, to_status, actor, changed_by FROM status_history WHERE invoice_id = :g2 ORDER BY id;

-- B2G through Chorus Pro: queued for the worker; statuses come only from it
SET ROLE regress_alice;
SELECT act_as(:alice);
SELECT create_invoice(format('{"number": "G-3", "issue_date": "2026-11-05", "buyer": {"siret": "55210055400013"},
	"lines": [{"item_name": "Audit", "quantity": 1, "net_price": 100, "vat_rate": 20}]}', :prefecture)::jsonb) AS g3 \gset
SELECT submit(:g3);
SELECT create_invoice('{"number": "G-3", "issue_date": "2026-11-05", "buyer": {"siret": "55210055400013"},
	"purchase_order": "ENG-2026-42",
	"lines": [{"item_name": "Audit", "quantity": 1, "net_price": 100, "vat_rate": 20}]}') AS g3 \gset
SELECT submit(:g3);
SELECT b2g_status, delivery, (SELECT count(*) FROM chorus_outbox o WHERE o.invoice_id = i.id) AS queued
FROM invoice i WHERE id = :g3;
RESET ROLE;
SET ROLE regress_prefecture_clerk;
SELECT act_as(:prefecture);
SELECT set_status(:g3, 'DEPOSEE');
RESET ROLE;
SELECT chorus_record_status(:g3, 'DEPOSEE');
SELECT chorus_record_status(:g3, 'MISE_A_DISPOSITION', 'MISE_A_DISPOSITION');
SELECT chorus_record_status(:g3, 'SUSPENDUE', 'SUSPENDUE', 'Bon de commande manquant');
SELECT chorus_record_status(:g3, 'MISE_A_DISPOSITION', 'COMPLETEE');
SELECT chorus_record_status(:g3, 'MISE_EN_PAIEMENT');
SELECT chorus_record_status(:g3, 'SERVICE_FAIT');
SELECT chorus_record_status(:g2, 'MISE_EN_PAIEMENT');
SELECT chorus_record_status(:inv, 'DEPOSEE');
SELECT from_status, to_status, actor, reason, raw_code FROM status_history WHERE invoice_id = :g3 ORDER BY id;
