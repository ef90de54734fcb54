# bizinvoice: PGXS build.  `make demo` and `make test` set a machine up first
# (test/harness.sh); plain `make && make install` expects the packages there.

EXTENSION = bizinvoice
EXTVERSION = 0.9

MODULE_big = bizinvoice
OBJS = \
	src/bizinvoice.o \
	src/types/ident.o \
	src/types/siren.o \
	src/types/siret.o \
	src/types/iban.o \
	src/types/bic.o \
	src/types/vat_id.o \
	src/status/catalog.o \
	src/status/rules.o \
	src/status/actor.o \
	src/status/tables.o \
	src/status/kept_plan.o \
	src/status/members.o \
	src/status/guard.o \
	src/status/invoice_row.o \
	src/status/invoice_check.o \
	src/status/checks.o \
	src/status/append.o \
	src/status/freeze.o \
	src/status/history.o \
	src/status/notify.o \
	src/status/direct.o \
	src/status/move.o \
	src/status/invoice_lock.o \
	src/ledger/post.o \
	src/ledger/idempotent.o \
	src/ledger/payable.o \
	src/ledger/pay.o \
	src/invoice/totals.o \
	src/invoice/submit.o \
	src/api/json_fields.o \
	src/xml/parse.o \
	src/xml/walk.o \
	src/xml/read_ubl.o \
	src/xml/read_cii.o \
	src/xml/decimal.o \
	src/xml/rules.o \
	src/xml/rules_presence.o \
	src/xml/rules_totals.o \
	src/xml/rules_vat.o \
	src/xml/rules_codes.o \
	src/xml/rules_context.o \
	src/xml/rules_lists.o \
	src/xml/rules_syntax.o \
	src/xml/rules_agreement.o \
	src/xml/import.o \
	src/xml/write.o \
	src/xml/write_ubl.o \
	src/xml/write_cii.o \
	src/xml/functions.o \
	src/xml/facturx.o \
	src/chorus/http.o \
	src/chorus/json.o \
	src/chorus/token.o \
	src/worker/settings.o \
	src/worker/shared.o \
	src/worker/jobs.o \
	src/worker/worker.o

# The install script, assembled from one file per concern in this order.
# The upgrade script to this version is the files it added, the functions it
# dropped, then the functions it changed in place or added (CREATE OR
# REPLACE, taken from their files with the privileges that follow them);
# the install and upgrade scripts of earlier releases are kept as released.
DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(EXTENSION)--0.8--0.9.sql
DATA = $(addprefix src/sql/released/$(EXTENSION)--, 0.1.sql 0.2.sql 0.3.sql 0.4.sql 0.5.sql 0.6.sql \
	0.7.sql 0.8.sql 0.1--0.2.sql 0.2--0.3.sql 0.3--0.4.sql 0.4--0.5.sql 0.5--0.6.sql \
	0.6--0.7.sql 0.7--0.8.sql)
ADDED_0_9 = src/sql/member_names.sql
DROPPED_0_9 = compute_totals(invoice) stage_status_then(text)
CHANGED_0_9 = src/sql/invoice_flow.sql:submit
SQL_PARTS = \
	src/sql/identifiers.sql \
	src/sql/roles.sql \
	src/sql/party.sql \
	src/sql/status_types.sql \
	src/sql/invoice.sql \
	src/sql/acting.sql \
	src/sql/status.sql \
	src/sql/invoice_api.sql \
	src/sql/invoice_flow.sql \
	src/sql/reporting.sql \
	src/sql/ledger.sql \
	src/sql/ledger_api.sql \
	src/sql/ledger_more.sql \
	src/sql/ledger_payments.sql \
	src/sql/security.sql \
	src/sql/xml.sql \
	src/sql/chorus.sql \
	src/sql/chorus_worker.sql \
	src/sql/exports.sql \
	src/sql/facturx.sql \
	src/sql/relay.sql \
	src/sql/delivery.sql \
	src/sql/transfer_reverses.sql \
	src/sql/source_compression.sql \
	src/sql/invoice_checks.sql \
	src/sql/member_names.sql

REGRESS = siren siret iban bic vat_id identifiers parties invoices statuses security reporting ledger ledger_more xml_corpus xml_import xml_hostile chorus exports facturx periods invoice_json catalog moves postings submits teardown
REGRESS_OPTS = --load-extension=$(EXTENSION) --encoding=UTF8 --no-locale
ISOLATION = ident_unique status_race duplicate_submit ledger_race status_relay
ISOLATION_OPTS = --load-extension=$(EXTENSION) --encoding=UTF8 --no-locale --inputdir=test/isolation

# the EN 16931 samples the XML tests read, server side (make installcheck)
export BIZINVOICE_CORPUS ?= $(abspath test/corpus/en16931)

EXTRA_CLEAN = results regression.diffs regression.out output_iso tmp_check

PG_CPPFLAGS = -I$(srcdir)/src $(shell pkg-config --cflags libxml-2.0 libcurl openssl libqpdf)
SHLIB_LINK = $(shell pkg-config --libs libxml-2.0 libcurl openssl libqpdf)

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
all install installcheck:
	@echo "PostgreSQL's server headers are missing (postgresql-server-dev-15)." >&2
	@echo "'make demo' and 'make test' install what is needed; or apt-get install it." >&2
	@false
endif

# PGXS tracks no header dependencies unless PostgreSQL was built for it
$(OBJS): $(wildcard src/*.h src/*/*.h)

$(EXTENSION)--$(EXTVERSION).sql: src/sql/ident_types.sh src/sql/ident_types.tsv $(SQL_PARTS) Makefile
	{ printf '%s\n' '-- bizinvoice $(EXTVERSION): generated from src/sql by make; edit there.' \
	    '\echo Use "CREATE EXTENSION $(EXTENSION)" to load this file. \quit'; \
	  sh src/sql/ident_types.sh src/sql/ident_types.tsv && \
	  cat $(SQL_PARTS); } > $@.tmp && mv $@.tmp $@

$(EXTENSION)--0.8--0.9.sql: $(ADDED_0_9) $(foreach c,$(CHANGED_0_9),$(firstword $(subst :, ,$(c)))) \
		src/sql/replace_function.sh Makefile
	{ printf '%s\n' '-- bizinvoice 0.8 to 0.9: generated from src/sql by make; edit there.' \
	    '\echo Use "ALTER EXTENSION $(EXTENSION) UPDATE" to load this file. \quit'; \
	  $(if $(ADDED_0_9),cat $(ADDED_0_9) &&) \
	  $(foreach f,$(DROPPED_0_9),printf 'DROP FUNCTION %s;\n' '$(f)' &&) \
	  $(foreach c,$(CHANGED_0_9),sh src/sql/replace_function.sh $(subst :, ,$(c)) &&) true; \
	} > $@.tmp && mv $@.tmp $@

.PHONY: demo test fuzz bench
demo test fuzz bench:
	test/harness.sh $@

# For test/harness.sh: the test lists above.
print-%:
	@echo $($*)
